/**
 * Issue 14, item 2: `check JAIL...` looks at many jails in one run, each with its own findings, and exits with the
 * worst (clean 0, findings 1, an error 2); `sync JAIL...` fixes each; a file hard-linked into every jail (as build's
 * --link leaves them; here `cp -al`) is read and hashed once for the whole run.
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkJail } from '../../src/check/check.js';
import { InodeHashes } from '../../src/check/hash.js';
import { isRoot } from '../support/root.js';
import { CLI } from '../support/cli.js';

const jt = async (args: string[]) => {
  const r = await execa('node', [CLI, ...args], { reject: false, timeout: 180_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
};

describe.skipIf(!isRoot)('check and sync of many jails in one run (needs root: strace, jails under /srv)', () => {
  let base: string;
  const jails: string[] = [];
  beforeAll(async () => {
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jt-check-many-');
    await chmod(base, 0o755);
    const first = path.join(base, 'j0');
    const r = await jt(['build', first, '--', '/bin/cat', '/etc/hostname']);
    expect(r.code, r.stderr).toBe(0);
    jails.push(first);
    for (const n of [1, 2]) {
      const j = path.join(base, `j${n}`);
      await execa('cp', ['-al', first, j]);
      jails.push(j);
    }
  }, 200_000);
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('each inode hard-linked across the jails is hashed once', async () => {
    const one = new InodeHashes();
    await checkJail(jails[0], { hashes: one });
    const all = new InodeHashes();
    for (const j of jails) await checkJail(j, { hashes: all });
    expect(one.reads).toBeGreaterThan(0);
    expect(all.reads).toBe(one.reads);
  });

  test('check JAIL...: per-jail findings and the worst exit code; sync JAIL... fixes the one tampered', async () => {
    const clean = await jt(['check', ...jails]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    for (const j of jails) expect(clean.stdout).toContain(`${j}: clean (`);
    // tamper with one jail only: a new file renamed over its copy (the others keep the shared inode)
    const victim = path.join(jails[1], 'usr/bin/cat');
    await writeFile(victim + '.new', 'not cat\n', { mode: 0o755 });
    await rename(victim + '.new', victim);
    const found = await jt(['check', ...jails]);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`${jails[0]}: clean (`);
    expect(found.stdout).toMatch(new RegExp(`tampered \\(1\\):\\n  /usr/bin/cat: [^\\n]*\\n${jails[1]}: 1 problem`));
    expect(found.stdout).toContain(`${jails[2]}: clean (`);
    const json = JSON.parse((await jt(['check', '--json', ...jails])).stdout) as { schema: string; jails: Array<{ jail: string; clean: boolean }> };
    expect(json.schema).toBe('jailtrace.check-many/1');
    expect(json.jails.map((x) => x.clean)).toEqual([true, false, true]);
    const error = await jt(['check', jails[0], path.join(base, 'none')]);
    expect(error.code).toBe(2);
    expect(error.stdout).toContain(`${jails[0]}: clean (`);
    expect(error.stderr).toContain(path.join(base, 'none'));
    const synced = await jt(['sync', ...jails]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(await readFile(path.join(jails[1], 'usr/bin/cat'))).toEqual(await readFile('/usr/bin/cat'));
    expect((await jt(['check', ...jails])).code).toBe(0);
  });
});
