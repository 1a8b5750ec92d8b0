import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import { sortPlan, type Plan } from '../../src/plan/plan.js';
import { permString, renderShScript, shQuote } from '../../src/jail/script.js';
import { PLATFORMS } from '../../src/syscalls.js';
import { ROOT_SKIP, findTemps, isRoot, makeOutside, shape, smallPlan, snapshot, tempDir } from './helpers.js';

let base: string;
beforeAll(async () => {
  base = await tempDir('script');
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

/** The small plan plus awkward generated files: quotes and a newline in the name, no final newline, `$`/backticks,
 * and a line equal to the default here-doc delimiter. */
function scriptPlan(jail: string): Plan {
  const plan = sortPlan(smallPlan(jail));
  plan.actions.push(
    { kind: 'write', path: "/etc/it's a\nname", content: 'no final newline $HOME `id` \\', mode: 0o600, uid: 0, gid: 0, reason: "odd\nreason'" },
    { kind: 'write', path: '/etc/motd', content: "JAILTRACE_EOF\n$(id)\n'quoted'\n", mode: 0o644, uid: 0, gid: 0, reason: 'delimiter clash' },
  );
  return plan;
}

const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['busybox sh', ['busybox', 'sh']],
];

const which = async (cmd: string): Promise<boolean> => (await execa('sh', ['-c', `command -v ${cmd}`], { reject: false })).exitCode === 0;

describe('renderShScript: syntax', () => {
  test('shQuote and permString', () => {
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(permString('d', 0o1777)).toBe('drwxrwxrwt');
    expect(permString('-', 0o4755)).toBe('-rwsr-xr-x');
    expect(permString('-', 0o2644)).toBe('-rw-r-Sr--');
    expect(permString('c', 0o666)).toBe('crw-rw-rw-');
  });

  test.each([...PLATFORMS])('%s: sh -n, dash -n, busybox sh -n, shellcheck -s sh', async (platform) => {
    const file = path.join(base, `syntax-${platform}.sh`);
    await fs.writeFile(file, renderShScript(scriptPlan('/srv/jail'), { platform }));
    const checks: [string, string[]][] = [
      ['sh', ['-n', file]],
      ['dash', ['-n', file]],
      ['busybox', ['sh', '-n', file]],
      ['shellcheck', ['-s', 'sh', file]],
    ];
    for (const [cmd, args] of checks) {
      if (!(await which(cmd))) throw new Error(`${cmd} is not installed`);
      const r = await execa(cmd, args, { reject: false, all: true });
      expect({ cmd, exitCode: r.exitCode, out: r.all }).toEqual({ cmd, exitCode: 0, out: '' });
    }
  });

  test('mknod syntax per platform', () => {
    const plan = scriptPlan('/j');
    expect(renderShScript(plan, { platform: 'linux' })).toContain('mknod -m "$5" "$_tmp" "$2" "$3" "$4"');
    for (const platform of ['solaris', 'aix', 'freebsd', 'macos'] as const) {
      const s = renderShScript(plan, { platform });
      expect(s).not.toContain('mknod -m');
      expect(s).toContain('mknod "$_tmp" "$2" "$3" "$4"');
    }
    expect(renderShScript(plan, { platform: 'linux' })).toContain("do_mknod '/dev/null' c 1 3 00666 0 0 'crw-rw-rw- 0 0'");
  });

  test('comments cannot break out: newlines in reasons and paths are escaped', () => {
    const s = renderShScript(scriptPlan('/j'), { platform: 'linux' });
    expect(s).toContain("# 19/20 write /etc/it's a\\nname — odd\\nreason'");
    expect(s).toContain("<<'JAILTRACE_EOF_1'\nJAILTRACE_EOF\n$(id)\n'quoted'\nJAILTRACE_EOF_1\n");
  });
});

describe.skipIf(!isRoot)(`renderShScript: running it [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  let script: string;
  let reference: object[];
  beforeAll(async () => {
    const ref = path.join(base, 'ref');
    const report = await applyPlan(scriptPlan(ref));
    expect(report.counts.done).toBe(report.results.length);
    reference = shape(await snapshot(ref));
    script = path.join(base, 'build.sh');
    await fs.writeFile(script, renderShScript(scriptPlan(path.join(base, 'default-jail')), { platform: 'linux' }));
  });

  describe.each(SHELLS)('%s', (name, shell) => {
    const run = (...args: string[]) => execa(shell[0], [...shell.slice(1), script, ...args], { reject: false, all: true });
    const jail = () => path.join(base, `run-${name.replace(/ /g, '-')}`);

    test('-n on a missing jail writes nothing', async () => {
      const r = await run('-n', jail());
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`would create the jail root ${jail()}`);
      expect(r.stdout).toContain('would copy /usr/bin/true -> /usr/bin/true');
      expect(r.stdout).toMatch(/dry run, nothing changed: 20 to do, 0 up-to-date$/);
      await expect(fs.lstat(jail())).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('builds the same tree as applyPlan', async () => {
      const r = await run(jail());
      expect(r.all).toMatch(/jailtrace: 20 changed, 0 up-to-date$/);
      expect(r.exitCode).toBe(0);
      expect(shape(await snapshot(jail()))).toEqual(reference);
      expect(await findTemps(jail())).toEqual([]);
      expect((await execa('chroot', [jail(), '/bin/true'], { reject: false })).exitCode).toBe(0);
    });

    test('a second run changes nothing; -n then writes nothing either', async () => {
      const before = await snapshot(jail());
      const r = await run(jail());
      expect(r.all).toMatch(/jailtrace: 0 changed, 20 up-to-date$/);
      expect(await snapshot(jail())).toEqual(before);
      await fs.chmod(path.join(jail(), 'usr/bin/true'), 0o700);
      const drifted = await snapshot(jail());
      const d = await run('-n', jail());
      expect(d.stdout).toMatch(/^would copy \/usr\/bin\/true -> \/usr\/bin\/true$/m);
      expect(d.stdout).toMatch(/1 to do, 19 up-to-date$/);
      expect(await snapshot(jail())).toEqual(drifted);
      await run(jail());
      expect(shape(await snapshot(jail()))).toEqual(reference);
    });

    test('the jail root may be neither a symlink nor the host root', async () => {
      const link = path.join(base, `root-link-${name.replace(/ /g, '-')}`);
      await fs.symlink(base, link);
      for (const [arg, msg] of [
        [link, `jailtrace: refusing: the jail root ${link} is a symlink`],
        ['/.', "jailtrace: refusing: the jail root /. is the host's /"],
        ['//', 'jailtrace: refusing to use / as the jail'],
      ]) {
        const r = await run(arg);
        expect([r.exitCode, r.stderr]).toEqual([1, msg]);
      }
    });

    test('hostile: JAIL/usr -> /OUTSIDE is refused (exit 1), OUTSIDE untouched, also with -n', async () => {
      const dir = path.join(base, `hostile-${name.replace(/ /g, '-')}`);
      const outside = path.join(dir, 'outside');
      const j = path.join(dir, 'jail');
      await makeOutside(outside);
      await fs.mkdir(j, { recursive: true });
      await fs.symlink(outside, path.join(j, 'usr'));
      const before = await snapshot(outside);
      for (const args of [['-n', j], [j]]) {
        const r = await run(...args);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toBe(`jailtrace: refusing /usr: ${j}/usr exists and is not a directory (not following or deleting it)`);
      }
      // with /usr absent from the plan's mkdirs, the first write through it is refused by the component check
      const plan = scriptPlan(j);
      plan.actions = plan.actions.filter((a) => !(a.kind === 'mkdir' && a.path.startsWith('/usr')));
      const s2 = path.join(dir, 'no-usr-mkdir.sh');
      await fs.writeFile(s2, renderShScript(plan, { platform: 'linux' }));
      const r = await execa(shell[0], [...shell.slice(1), s2, j], { reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(`jailtrace: refusing /usr/bin/true: /usr is a symlink to ${outside}, an absolute path this script did not create; it would lead out of the jail`);
      expect(await snapshot(outside)).toEqual(before);
      expect(await findTemps(dir)).toEqual([]);
    });

    test('hostile: ../ escape, file symlink and hard link to OUTSIDE', async () => {
      const dir = path.join(base, `hostile2-${name.replace(/ /g, '-')}`);
      const outside = path.join(dir, 'outside');
      const j = path.join(dir, 'jail');
      await makeOutside(outside);
      await fs.mkdir(path.join(j, 'etc'), { recursive: true });
      await fs.mkdir(path.join(j, 'usr/lib'), { recursive: true });
      await fs.symlink('../../outside', path.join(j, 'usr/lib/x86_64-linux-gnu'));
      await fs.symlink(path.join(outside, 'target'), path.join(j, 'etc/passwd'));
      await fs.link(path.join(outside, 'etc/passwd'), path.join(j, 'etc/group'));
      const before = await snapshot(outside);
      const r = await run(j);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(`jailtrace: refusing /usr/lib/x86_64-linux-gnu: ${j}/usr/lib/x86_64-linux-gnu exists and is not a directory (not following or deleting it)`);
      await fs.rm(path.join(j, 'usr/lib/x86_64-linux-gnu'));
      await fs.symlink('../..', path.join(j, 'usr/lib/x86_64-linux-gnu'));
      const plan = scriptPlan(j);
      plan.actions = plan.actions.filter((a) => a.path !== '/usr/lib/x86_64-linux-gnu');
      const s2 = path.join(dir, 'no-mkdir.sh');
      await fs.writeFile(s2, renderShScript(plan, { platform: 'linux' }));
      const r2 = await execa(shell[0], [...shell.slice(1), s2, j], { reject: false });
      expect(r2.exitCode).toBe(1);
      expect(r2.stderr).toBe('jailtrace: refusing /usr/lib/x86_64-linux-gnu/libc.so.6: /usr/lib/x86_64-linux-gnu is a symlink to ../.., which contains ..');
      // the passwd symlink and the group hard link were replaced before that (files are written in plan order)
      expect((await fs.lstat(path.join(j, 'etc/passwd'))).isFile()).toBe(true);
      expect((await fs.lstat(path.join(j, 'etc/group'))).nlink).toBe(1);
      expect(await snapshot(outside)).toEqual(before);
    });
  });
});
