/**
 * Issue "hardening": hostile layouts in the jail. For each, the OUTSIDE directory's full listing and content hashes
 * must be identical before and after applyPlan, and the report must say what was refused and why.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan, type ActionResult, type ApplyOptions, type ApplyReport } from '../../src/jail/apply.js';
import type { ConfineMode } from '../../src/jail/confine.js';
import { sortPlan, type Plan } from '../../src/plan/plan.js';
import { HOSTILE, makeOutside } from '../support/hostile.js';
import { LD, PASSWD, ROOT_SKIP, findTemps, isRoot, smallPlan, snapshot, tempDir } from './helpers.js';

let base: string;
beforeAll(async () => {
  base = await tempDir('hostile');
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

interface Ctx {
  dir: string;
  jail: string;
  outside: string;
}

interface Case {
  name: string;
  /** Make the jail hostile; may return another jail path (root symlink), a plan and apply options. */
  // biome-ignore lint/suspicious/noConfusingVoidType: most cases' setup returns nothing (an async function with no return)
  setup(c: Ctx): Promise<{ jail?: string; plan?: Plan; opts?: ApplyOptions } | void>;
  check(report: ApplyReport, c: Ctx, plan: Plan): Promise<void> | void;
}

const at = (report: ApplyReport, p: string): ActionResult => {
  const r = report.results.find((x) => x.action.path === p);
  if (!r) throw new Error(`no result for ${p}`);
  return r;
};
const under = (report: ApplyReport, prefix: string): ActionResult[] => report.results.filter((r) => r.action.path.startsWith(prefix));
const mkdirs = async (jail: string, ...dirs: string[]): Promise<void> => {
  for (const d of dirs) await fs.mkdir(path.join(jail, d), { recursive: true });
};

const CASES: Case[] = [
  {
    name: 'the jail root is a symlink (to OUTSIDE)',
    setup: async ({ dir, outside }) => {
      const link = path.join(dir, 'jail-link');
      await fs.symlink(outside, link);
      return { jail: link };
    },
    check: (report) => {
      expect(report.counts.refused).toBe(report.results.length);
      for (const r of report.results) expect(r).toMatchObject({ result: 'refused', code: 'root-symlink' });
      expect(report.results[0].detail).toMatch(/jail-link: \/: \/ the jail root is a symlink; refusing to build through it \(-> .*outside\)/);
    },
  },
  {
    name: 'JAIL/usr -> /OUTSIDE (absolute)',
    setup: async ({ jail, outside }) => {
      await HOSTILE.usrToOutside(jail, outside);
    },
    check: (report, { outside }) => {
      expect(at(report, '/usr')).toMatchObject({ result: 'refused', code: 'not-a-directory' });
      expect(at(report, '/usr').detail).toContain(`is a symlink -> ${outside} where a directory should be`);
      const inside = under(report, '/usr/');
      expect(inside.length).toBeGreaterThan(5);
      for (const r of inside) expect(r).toMatchObject({ result: 'refused', code: 'symlink-absolute' });
      expect(at(report, '/usr/bin/true').detail).toMatch(/: \/usr\/bin\/true: \/usr is a symlink with an absolute target the plan did not create/);
      expect(at(report, '/etc/passwd').result).toBe('done'); // unrelated actions go on
    },
  },
  {
    name: 'JAIL/etc -> ../outside (relative, climbs out)',
    setup: async ({ jail }) => {
      await HOSTILE.etcEscapes(jail);
    },
    check: (report) => {
      expect(at(report, '/etc')).toMatchObject({ result: 'refused', code: 'not-a-directory' });
      for (const p of ['/etc/passwd', '/etc/group']) {
        expect(at(report, p)).toMatchObject({ result: 'refused', code: 'symlink-escape' });
        expect(at(report, p).detail).toContain('/etc is a symlink whose target climbs above the jail root (-> ../outside)');
      }
    },
  },
  {
    name: 'JAIL/lib64 -> / (the host root), plan writes through /lib64',
    setup: async ({ jail }) => {
      await HOSTILE.lib64ToHostRoot(jail);
      const st = await fs.stat(LD);
      return {
        plan: {
          jail,
          actions: [
            { kind: 'mkdir', path: '/lib64', mode: 0o755, uid: 0, gid: 0, reason: 'loader dir' },
            {
              kind: 'copy',
              path: '/lib64/ld-linux-x86-64.so.2',
              source: LD,
              mode: 0o755,
              uid: 0,
              gid: 0,
              mtimeMs: st.mtimeMs,
              size: st.size,
              reason: 'PT_INTERP',
            },
            { kind: 'write', path: '/lib64/jailtrace-hostile-probe', content: 'x\n', mode: 0o644, uid: 0, gid: 0, reason: 'probe' },
          ],
        },
      };
    },
    check: async (report) => {
      expect(at(report, '/lib64')).toMatchObject({ result: 'refused', code: 'not-a-directory' });
      expect(at(report, '/lib64/ld-linux-x86-64.so.2')).toMatchObject({ result: 'refused', code: 'symlink-absolute' });
      expect(at(report, '/lib64/jailtrace-hostile-probe').detail).toContain(
        '/lib64 is a symlink with an absolute target the plan did not create; it would lead out of the jail (-> /)',
      );
      await expect(fs.lstat('/jailtrace-hostile-probe')).rejects.toMatchObject({ code: 'ENOENT' });
    },
  },
  {
    name: 'JAIL/lib64 -> / replaced by the plan’s own /lib64 -> usr/lib64',
    setup: async ({ jail }) => {
      await HOSTILE.lib64ToHostRoot(jail);
    },
    check: async (report, { jail }) => {
      expect(at(report, '/lib64')).toMatchObject({ result: 'done' });
      expect(at(report, '/lib64').detail).toContain('(replaced a symlink -> /)');
      expect(await fs.readlink(path.join(jail, 'lib64'))).toBe('usr/lib64');
      expect(report.counts).toMatchObject({ refused: 0, failed: 0 });
    },
  },
  {
    name: 'JAIL/etc/passwd and JAIL/usr/bin/true are symlinks to OUTSIDE files',
    setup: async ({ jail, outside }) => {
      await mkdirs(jail, 'etc', 'usr/bin');
      await HOSTILE.passwdToOutside(jail, outside);
      await fs.symlink(path.join(outside, 'bin/true'), path.join(jail, 'usr/bin/true'));
    },
    check: async (report, { jail, outside }) => {
      expect(at(report, '/etc/passwd').detail).toContain(`(replaced a symlink -> ${outside}/target)`);
      expect(at(report, '/usr/bin/true').detail).toContain(`(replaced a symlink -> ${outside}/bin/true)`);
      expect((await fs.lstat(path.join(jail, 'etc/passwd'))).isFile()).toBe(true);
      expect(await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8')).toBe(PASSWD);
    },
  },
  {
    name: 'JAIL/etc/passwd and JAIL/usr/bin/true are hard links to OUTSIDE files (same size, mtime, mode)',
    setup: async ({ jail, outside }) => {
      await mkdirs(jail, 'etc', 'usr/bin');
      await HOSTILE.passwdHardLink(jail, outside);
      await execa('cp', ['-p', '/usr/bin/true', path.join(outside, 'usr/bin/true')]); // would pass the quick check
      await fs.link(path.join(outside, 'usr/bin/true'), path.join(jail, 'usr/bin/true'));
    },
    check: async (report, { jail }) => {
      for (const p of ['/etc/passwd', '/usr/bin/true']) {
        expect(at(report, p)).toMatchObject({ result: 'done' });
        expect(at(report, p).detail).toContain('(replaced a file with 2 hard links; the other links keep their content)');
        expect((await fs.lstat(path.join(jail, p))).nlink).toBe(1);
      }
    },
  },
  {
    name: 'FIFOs where files and a device node go (never opened)',
    setup: async ({ jail }) => {
      await mkdirs(jail, 'etc', 'usr/bin', 'dev');
      for (const p of ['etc/passwd', 'usr/bin/true', 'dev/null']) await execa('mkfifo', [path.join(jail, p)]);
    },
    check: async (report, { jail }) => {
      for (const p of ['/etc/passwd', '/usr/bin/true', '/dev/null']) expect(at(report, p).detail).toContain('(replaced a FIFO)');
      expect((await fs.lstat(path.join(jail, 'dev/null'))).isCharacterDevice()).toBe(true);
    },
  },
  {
    name: 'a directory where a file goes (refused, not deleted)',
    setup: async ({ jail }) => {
      await mkdirs(jail, 'etc/passwd');
      await fs.writeFile(path.join(jail, 'etc/passwd/keep'), 'keep me\n');
    },
    check: async (report, { jail }) => {
      expect(at(report, '/etc/passwd')).toMatchObject({ result: 'refused', code: 'is-a-directory' });
      expect(at(report, '/etc/passwd').detail).toMatch(/etc\/passwd is a directory where a file should be; not deleting directories/);
      expect(await fs.readFile(path.join(jail, 'etc/passwd/keep'), 'utf8')).toBe('keep me\n');
    },
  },
  {
    name: 'a FIFO where a directory should be',
    setup: async ({ jail }) => {
      await execa('mkfifo', [path.join(jail, 'etc')]);
    },
    check: (report) => {
      expect(at(report, '/etc')).toMatchObject({ result: 'refused', code: 'not-a-directory' });
      expect(at(report, '/etc').detail).toContain('is a FIFO where a directory should be');
      expect(at(report, '/etc/passwd')).toMatchObject({ result: 'refused', code: 'special-file' });
    },
  },
  {
    name: 'a symlink loop (JAIL/usr -> usr)',
    setup: async ({ jail }) => {
      await fs.symlink('usr', path.join(jail, 'usr'));
    },
    check: (report) => {
      expect(at(report, '/usr/bin/true')).toMatchObject({ result: 'refused', code: 'symlink-loop' });
    },
  },
  {
    name: 'JAIL/usr swapped for a symlink to /OUTSIDE during apply',
    setup: async ({ jail, outside }) => ({
      opts: {
        onProgress: async (_done, _total, action) => {
          if (action.path !== '/usr/bin') return;
          await fs.rename(path.join(jail, 'usr'), path.join(jail, 'usr.moved'));
          await HOSTILE.usrToOutside(jail, outside);
        },
      },
    }),
    check: (report) => {
      expect(at(report, '/usr/bin').result).toBe('done');
      const later = under(report, '/usr/').filter((r) => r.action.path !== '/usr/bin');
      expect(later.length).toBeGreaterThan(4);
      for (const r of later) expect(r).toMatchObject({ result: 'refused', code: 'symlink-absolute' });
    },
  },
  {
    name: 'JAIL/usr swapped for a relative symlink (../outside) during apply',
    setup: async ({ jail }) => ({
      opts: {
        onProgress: async (_done, _total, action) => {
          if (action.path !== '/usr/lib') return;
          await fs.rename(path.join(jail, 'usr'), path.join(jail, 'usr.moved'));
          await fs.symlink('../outside', path.join(jail, 'usr'));
        },
      },
    }),
    check: (report) => {
      for (const r of under(report, '/usr/lib/')) expect(r).toMatchObject({ result: 'refused', code: 'symlink-escape' });
      expect(at(report, '/usr/bin/true')).toMatchObject({ result: 'refused', code: 'symlink-escape' });
    },
  },
];

describe.skipIf(!isRoot).each<ConfineMode>(['procfd', 'path'])(`hostile layouts (%s mode) [${isRoot ? 'root' : ROOT_SKIP}]`, (mode) => {
  test.each(CASES.map((c, i) => ({ ...c, i })))('$name', { timeout: 20_000 }, async (c) => {
    const dir = path.join(base, `${mode}-${c.i}`);
    const ctx: Ctx = { dir, jail: path.join(dir, 'jail'), outside: path.join(dir, 'outside') };
    await makeOutside(ctx.outside);
    await fs.mkdir(ctx.jail, { recursive: true });
    const got = (await c.setup(ctx)) ?? {};
    const plan = sortPlan(got.plan ?? smallPlan(got.jail ?? ctx.jail));
    const outsideBefore = await snapshot(ctx.outside);
    const report = await applyPlan(plan, { ...got.opts, confineMode: mode });
    expect(await snapshot(ctx.outside)).toEqual(outsideBefore);
    await c.check(report, ctx, plan);
    expect(await findTemps(ctx.dir)).toEqual([]);
  });
});

describe.skipIf(!isRoot)('policy: what is followed', () => {
  test('a plan-created absolute symlink (/var/run -> /run) is followed re-rooted at the jail', async () => {
    const jail = path.join(base, 'trusted');
    const probe = `/run/jailtrace-probe-${process.pid}`;
    const dir = (p: string) => ({ kind: 'mkdir' as const, path: p, mode: 0o755, uid: 0, gid: 0, reason: 't' });
    const plan = sortPlan({
      jail,
      actions: [
        dir('/'),
        dir('/run'),
        dir('/var'),
        { kind: 'symlink', path: '/var/run', target: '/run', reason: 'compat' },
        { kind: 'write', path: `/var${probe}`, content: 'in jail\n', mode: 0o644, uid: 0, gid: 0, reason: 't' },
      ],
    });
    const report = await applyPlan(plan);
    expect(report.counts.done).toBe(5);
    expect(await fs.readFile(path.join(jail, probe), 'utf8')).toBe('in jail\n');
    await expect(fs.lstat(probe)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('the host root is never a jail', async () => {
    const report = await applyPlan({
      jail: '/',
      actions: [{ kind: 'write', path: '/jailtrace-probe', content: 'x', mode: 0o644, uid: 0, gid: 0, reason: 't' }],
    });
    expect(report.results[0]).toMatchObject({ result: 'refused', code: 'root-is-host-root' });
    await expect(fs.lstat('/jailtrace-probe')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a relative symlink that stays inside (JAIL/usr/lib64 -> ../usr/lib) is followed', async () => {
    const jail = path.join(base, 'relative');
    await mkdirs(jail, 'usr/lib');
    await fs.symlink('../usr/lib', path.join(jail, 'usr/lib64'));
    const plan: Plan = { jail, actions: [{ kind: 'write', path: '/usr/lib64/x', content: 'x\n', mode: 0o644, uid: 0, gid: 0, reason: 't' }] };
    const report = await applyPlan(plan);
    expect(report.results[0].result).toBe('done');
    expect(await fs.readFile(path.join(jail, 'usr/lib/x'), 'utf8')).toBe('x\n');
  });

  test('a missing parent is a failure (plan order), not a refusal', async () => {
    const jail = path.join(base, 'missing-parent');
    const plan: Plan = { jail, actions: [{ kind: 'write', path: '/nope/x', content: 'x\n', mode: 0o644, uid: 0, gid: 0, reason: 't' }] };
    const report = await applyPlan(plan);
    expect(report.results[0]).toMatchObject({ result: 'failed', code: 'missing' });
    expect(report.results[0].detail).toMatch(/: \/nope\/x: \/nope does not exist \(the plan should create it first\)$/);
  });
});
