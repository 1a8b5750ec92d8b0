/**
 * Issue 14, item 2: a rebuild whose inputs are all unchanged says "up to date (N inputs unchanged)" and neither
 * traces (no new trace folder) nor applies (the record's bytes are the same); any changed input — a file the workload
 * read, or a path it looked for and did not find that now exists — means a full trace; --force always traces.
 * The workload is a command over files of a root-owned temp folder of the test's own.
 */
import { execa } from 'execa';
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const jt = async (args: string[]) => {
  const r = await execa('node', [CLI, ...args], { reject: false, timeout: 180_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
};

describe.skipIf(!isRoot)('rebuilds that know when nothing changed (needs root: strace, jails under /srv)', () => {
  let base: string;
  let host: string;
  beforeAll(async () => {
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jt-rebuild-');
    await chmod(base, 0o755);
    host = path.join(base, 'host');
    await mkdir(host, { mode: 0o755 });
    await writeFile(path.join(host, 'conf'), 'one\n', { mode: 0o644 });
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  const build = (jail: string, ...extra: string[]) =>
    jt(['build', jail, ...extra, '--', '/bin/sh', '-c', `cat ${host}/conf >/dev/null; test -e ${host}/later; true`]);
  const folders = async (jail: string) => (await readdir(path.join(jail, '.jailtrace/traces')).catch(() => [] as string[])).length;
  const record = (jail: string) => readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8');

  test('unchanged inputs: "up to date", no new trace folder, the record untouched', async () => {
    const jail = path.join(base, 'same');
    const first = await build(jail);
    expect(first.code, first.stderr).toBe(0);
    const before = await record(jail);
    const r = JSON.parse(before) as { inputs?: { files: Array<{ path: string }>; missing: string[]; accounts?: string } };
    expect(r.inputs?.files.map((f) => f.path)).toContain(`${host}/conf`);
    expect(r.inputs?.missing).toContain(`${host}/later`);
    const again = await build(jail);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^${jail}: up to date \\(\\d+ inputs unchanged\\)$`));
    expect(await folders(jail)).toBe(1);
    expect(await record(jail)).toBe(before);
    const json = await jt(['build', jail, '--json', '--', '/bin/sh', '-c', `cat ${host}/conf >/dev/null; test -e ${host}/later; true`]);
    const j = JSON.parse(json.stdout) as { schema: string; upToDate?: { inputs: number }; apply: { counts: { done: number } } };
    expect([j.schema, j.apply.counts.done, j.upToDate?.inputs]).toEqual([
      'jailtrace.build/1',
      0,
      r.inputs!.files.length + r.inputs!.missing.length + (r.inputs!.accounts ? 1 : 0),
    ]);
  });

  test('a changed input means a full trace, and the jail gets the new content', async () => {
    const jail = path.join(base, 'changed');
    expect((await build(jail)).code).toBe(0);
    await appendFile(path.join(host, 'conf'), 'two\n');
    const again = await build(jail, '-v');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/up to date \(\d+ inputs/);
    expect(again.stderr).toContain(`tracing again: ${host}/conf changed`);
    expect(await folders(jail)).toBe(2);
    expect(await readFile(path.join(jail, host, 'conf'), 'utf8')).toBe(await readFile(path.join(host, 'conf'), 'utf8'));
  });

  test('a path the workload looked for and did not find, created since: a full trace', async () => {
    const jail = path.join(base, 'appeared');
    expect((await build(jail)).code).toBe(0);
    expect((await build(jail)).stdout).toMatch(/up to date \(\d+ inputs/);
    await writeFile(path.join(host, 'later'), 'now here\n', { mode: 0o644 });
    try {
      const again = await build(jail, '-v');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`${host}/later exists now`);
      expect(await folders(jail)).toBe(2);
    } finally {
      await rm(path.join(host, 'later'));
    }
  });

  test("another account added on the host changes nothing; the jail user's own line does", async () => {
    const user = 'jt-rebuild-a';
    const other = 'jt-rebuild-other';
    await ensureUser(user);
    const jail = path.join(base, 'accounts');
    expect((await build(jail, '--user', user)).code).toBe(0);
    await execa('userdel', [other], { reject: false });
    await execa('useradd', ['-M', '-s', '/bin/sh', other]);
    try {
      const same = await build(jail, '--user', user);
      expect(same.stdout).toMatch(/up to date \(\d+ inputs/);
      await execa('usermod', ['-c', `changed ${Date.now()}`, user]);
      const again = await build(jail, '--user', user, '-v');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("the host's account lines for the jail's users changed");
      expect(await folders(jail)).toBe(2);
    } finally {
      await execa('userdel', [other], { reject: false });
    }
  });

  test('a jail file removed since: the rebuild traces and puts it back (as rebuilds always did)', async () => {
    const jail = path.join(base, 'damaged');
    expect((await build(jail)).code).toBe(0);
    await rm(path.join(jail, host, 'conf'));
    const again = await build(jail, '-v');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`tracing again: ${host}/conf is missing from the jail`);
    expect(await readFile(path.join(jail, host, 'conf'), 'utf8')).toBe(await readFile(path.join(host, 'conf'), 'utf8'));
  });

  test('--force traces and applies even when nothing changed', async () => {
    const jail = path.join(base, 'forced');
    expect((await build(jail)).code).toBe(0);
    const forced = await build(jail, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).not.toMatch(/up to date \(\d+ inputs/);
    expect(forced.stdout).toMatch(/changed, \d+ up to date/);
    expect(await folders(jail)).toBe(2);
  });
});
