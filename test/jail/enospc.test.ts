/** A full disk: a 256 KiB tmpfs. ENOSPC must fail clearly, stop the run, and leave the old file and no temp file. */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import type { Action, Plan } from '../../src/plan/plan.js';
import { LIBC, findTemps, isRoot, tempDir } from './helpers.js';

const base = await tempDir('enospc');
const mnt = path.join(base, 'mnt');
await fs.mkdir(mnt);
let skipReason = '';
if (!isRoot) skipReason = 'needs root to mount a tmpfs';
else {
  const r = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'tmpfs', mnt], { reject: false });
  if (r.exitCode !== 0) skipReason = `mount -t tmpfs failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`;
}

afterAll(async () => {
  if (!skipReason) await execa('umount', [mnt]);
  await fs.rm(base, { recursive: true, force: true });
});

const dir = (p: string): Action => ({ kind: 'mkdir', path: p, mode: 0o755, uid: 0, gid: 0, reason: 't' });

describe.skipIf(skipReason !== '')(`full disk (tmpfs size=256k)${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
  test('ENOSPC: clear failure, old file intact, no temp file, run stopped', async () => {
    const jail = path.join(mnt, 'jail');
    const good = 'the good old libc placeholder\n';
    const setup: Plan = {
      jail,
      actions: [
        dir('/'),
        dir('/usr'),
        dir('/usr/lib'),
        dir('/etc'),
        { kind: 'write', path: '/usr/lib/libc.so.6', content: good, mode: 0o755, uid: 0, gid: 0, reason: 't' },
      ],
    };
    expect((await applyPlan(setup)).counts.done).toBe(5);

    const st = await fs.stat(LIBC);
    expect(st.size).toBeGreaterThan(256 * 1024);
    const plan: Plan = {
      jail,
      actions: [
        { kind: 'copy', path: '/usr/lib/libc.so.6', source: LIBC, mode: 0o755, uid: 0, gid: 0, mtimeMs: st.mtimeMs, size: st.size, reason: 'DT_NEEDED' },
        { kind: 'write', path: '/etc/passwd', content: 'root:x:0:0::/:/bin/sh\n', mode: 0o644, uid: 0, gid: 0, reason: 't' },
      ],
    };
    const report = await applyPlan(plan);
    expect(report.results[0]).toMatchObject({ result: 'failed', code: 'ENOSPC' });
    expect(report.results[0].detail).toBe(
      `cannot copy to ${jail}/usr/lib/libc.so.6: no space left on device (ENOSPC); the temp file was removed and any existing file left as it was`,
    );
    expect(report.stopped).toEqual({ code: 'ENOSPC', path: '/usr/lib/libc.so.6', message: report.results[0].detail });
    expect(report.results[1]).toMatchObject({ result: 'failed', code: 'ENOSPC', detail: 'not attempted: stopped after ENOSPC at /usr/lib/libc.so.6' });
    expect(await fs.readFile(path.join(jail, 'usr/lib/libc.so.6'), 'utf8')).toBe(good);
    expect(await findTemps(mnt)).toEqual([]);
    await expect(fs.lstat(path.join(jail, 'etc/passwd'))).rejects.toMatchObject({ code: 'ENOENT' });
    // the space is really back: a small write now succeeds
    expect((await applyPlan({ jail, actions: [plan.actions[1]] })).counts.done).toBe(1);
  });
});
