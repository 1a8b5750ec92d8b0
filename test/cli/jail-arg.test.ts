/**
 * Issue 15, items 7 and 8: one behaviour for a JAIL argument in every command. A symlinked jail root is refused with
 * exit 2, said once, with a command that can be pasted (no stack trace, no exit 70, no 39 refusals); a missing jail
 * "does not exist"; the commands that act as root say "needs root" up front to a normal user; `explain etc/passwd`
 * is read inside the jail.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { needsRootProblem } from '../../src/app/jail-arg.js';
import { build, fixture, isRoot, ROOT_SKIP, type Fixture } from '../check/helpers.js';
import { CLI, jailtrace } from './helpers.js';

test('needsRootProblem: root and unknown uids pass; a normal user is told "needs root" with a command to paste', () => {
  expect(needsRootProblem('check', 'x', 0)).toBeUndefined();
  expect(needsRootProblem('check', 'x', undefined)).toBeUndefined();
  const e = needsRootProblem('check', 'it reads the record', 1000);
  expect(e?.exitCode).toBe(2);
  expect(e?.message).toMatch(/^check: needs root \(it reads the record\) \(run it as root: sudo jailtrace\b/);
});

describe.skipIf(!isRoot)(`a JAIL argument in every command (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let jail: string;
  let link: string;
  let out: string;
  beforeAll(async () => {
    f = await fixture('jailarg');
    jail = await build(f, 'jail');
    link = path.join(f.base, 'link');
    await fs.symlink('jail', link);
    await fs.chmod(f.base, 0o755); // a normal user can reach the jail (its record stays root's)
    out = await fs.mkdtemp('/tmp/jt-jailarg-out-');
  }, 120_000);
  afterAll(async () => {
    await f?.cleanup();
    await fs.rm(out, { recursive: true, force: true });
  });

  const commands = (j: string, trace: string, o: string): Record<string, string[]> => ({
    check: ['check', j],
    'check --json': ['check', '--json', j],
    sync: ['sync', j],
    'sync --dry-run': ['sync', '--dry-run', j],
    verify: ['verify', j, '--output-dir', o],
    build: ['build', j, '--trace', trace, '--cwd', '/'],
    'build --dry-run': ['build', j, '--trace', trace, '--cwd', '/', '--dry-run'],
    explain: ['explain', '/etc/passwd', '--jail', j],
    export: ['export', '--files-from', '--jail', j],
  });

  test.each(Object.keys(commands('', '', '')))(
    '%s refuses a symlinked jail root: exit 2, said once, the real path to paste',
    async (name) => {
      const before = await fs.readdir(jail);
      const r = await jailtrace(commands(link, f.trace, out)[name]!, { cwd: out });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${link}: the jail root is a symlink (-> jail)`);
      expect(lines[0]).toContain(`name the real directory: jailtrace ${commands(jail, f.trace, out)[name]!.join(' ')};`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(await fs.readdir(jail)).toEqual(before); // nothing written through it
    },
    60_000,
  );

  test.each(['check', 'sync', 'verify', 'explain', 'export'])(
    '%s: a jail that does not exist "does not exist" (exit 2)',
    async (name) => {
      const missing = path.join(f.base, 'nope');
      const r = await jailtrace(commands(missing, f.trace, out)[name]!, { cwd: out });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`${missing}: does not exist`);
      expect(r.stderr).not.toMatch(/no jailtrace record|has no record/);
    },
    60_000,
  );

  test('explain etc/passwd (relative) is the jail\'s /etc/passwd, never "not in the jail" for want of a slash', async () => {
    const rel = path.relative('/', f.file);
    const r = await jailtrace(['explain', rel, '--jail', jail, '--json']);
    expect(r.exitCode).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x.path).toBe(f.file);
    expect(x.inJail).toBe(true);
  }, 60_000);

  test("explain's advice for a path not in the jail can be pasted (no `--profile ...`)", async () => {
    const r = await jailtrace(['explain', '/etc/nothing-here', '--jail', jail]);
    expect(r.stdout).toContain(`jailtrace verify ${jail} --fix`);
    expect(r.stdout).not.toContain('...');
  });

  // a normal user (nobody): the commands that act as root say so first, not "has no record" or strace's complaint
  const asNobody = (args: string[]) =>
    execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args], { reject: false, cwd: '/' });
  test.each(['check', 'sync', 'verify', 'build'])(
    '%s run by a normal user: "needs root" up front, exit 2',
    async (name) => {
      const r = await asNobody(commands(jail, f.trace, '/nonexistent')[name]!);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^jailtrace: ${name}: needs root \\(.+\\) \\(run it as root: sudo jailtrace ${name} `));
    },
    60_000,
  );

  test.each([
    ['diff', ['diff', '--profile', 'sftp']],
    ['ldd-diff', ['ldd-diff', '--profile', 'sftp']],
  ])(
    '%s --profile run by a normal user: "needs root" up front, not strace\'s complaint (exit 2)',
    async (name, args) => {
      const r = await asNobody(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^jailtrace: ${name}: needs root \\(the profiles run the servers`));
    },
    60_000,
  );

  test.each(['explain', 'export'])(
    '%s --jail run by a normal user: the record is root\'s alone, not "no record"',
    async (name) => {
      const r = await asNobody(commands(jail, f.trace, '/nonexistent')[name]!);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("cannot read the jail's record (EACCES): it is root's alone (run the command as root)");
    },
    60_000,
  );
});
