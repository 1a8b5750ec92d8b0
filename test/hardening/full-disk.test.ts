/**
 * Issue 7, part 2: a full disk. `build --trace` (sftp-server: ~2.4 MiB to copy) into a jail on a 1 MiB tmpfs that
 * already holds a good libc.so.6 (a small placeholder): exit 3 with the ENOSPC message naming the file, the run
 * stopped, the good file still whole in place, no temp file, and every other copied file either absent or complete
 * (same sha256 as the host's): nothing half-written is ever in place.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { TRACE_ARGS, findTemps, isRoot, jt, snapshot, tempDir } from './helpers.js';

const base = await tempDir('hardening-enospc');
const mnt = path.join(base, 'mnt');
await fs.mkdir(mnt);
let skip = '';
if (!isRoot) skip = 'needs root to mount a tmpfs';
else {
  const r = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', mnt], { reject: false });
  if (r.exitCode !== 0) skip = `mount -t tmpfs failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`;
}

afterAll(async () => {
  if (!skip) await execa('umount', [mnt], { reject: false });
  await fs.rm(base, { recursive: true, force: true });
});

const LIBC = 'usr/lib/x86_64-linux-gnu/libc.so.6';
const GOOD = 'the good old libc (placeholder)\n';

describe.skipIf(skip !== '')(`full disk: build --trace into a 1 MiB tmpfs${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  test('ENOSPC: exit 3, a clear message, the good file kept, no temp file, no partial copy', { timeout: 30_000 }, async () => {
    const jail = path.join(mnt, 'jail');
    await fs.mkdir(path.join(jail, path.dirname(LIBC)), { recursive: true });
    await fs.writeFile(path.join(jail, LIBC), GOOD);

    const r = await jt(['build', jail, ...TRACE_ARGS]);
    expect(r.code, r.all).toBe(3);
    expect(r.all).toMatch(/no space left on device \(ENOSPC\); the temp file was removed and any existing file left as it was/);
    expect(r.all).toMatch(new RegExp(`cannot (copy to|write) ${mnt}/jail/\\S+`));
    expect(r.all).toMatch(/stopped: \/\S+: /);

    expect(await fs.readFile(path.join(jail, LIBC), 'utf8')).toBe(GOOD);
    expect(await findTemps(mnt)).toEqual([]);
    // every regular file in place is complete: the placeholder, a generated file, or a byte-exact host copy
    for (const e of await snapshot(jail)) {
      if (e.type !== 'f' || e.path === LIBC || e.path.startsWith('etc/') || e.path.startsWith('.jailtrace')) continue;
      const host = createHash('sha256')
        .update(await fs.readFile(`/${e.path}`))
        .digest('hex');
      expect(e.sha256, `${e.path} is a complete copy`).toBe(host);
    }
  });
});
