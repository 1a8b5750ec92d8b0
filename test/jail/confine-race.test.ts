/**
 * confine.ts in-process: every refusal next to its acceptance twin, and the race defences proved by racing them.
 * The races are deterministic: a spy on node:fs/promises (the object confine.ts and apply.ts call) lets the real call
 * happen, then swaps a directory for a symlink to OUTSIDE (or for another directory) before confine takes its next
 * step. 'procfd' mode must hold every directory as an fd (so the write lands in the directory that was checked, now
 * moved aside); 'path' mode must re-check the chain and refuse.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import { ConfineError, openJail, resolveParent, type ConfineMode, type ConfineReason, type JailRoot, type Resolved } from '../../src/jail/confine.js';
import type { Plan } from '../../src/plan/plan.js';
import { ROOT_SKIP, isRoot, tempDir } from './helpers.js';

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((d) => fs.rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A fresh jail (JAIL/a/b, a file JAIL/a/b/f) and an OUTSIDE directory beside it. */
async function arena(): Promise<{ base: string; jail: string; outside: string }> {
  const base = await tempDir('confine-race');
  scratch.push(base);
  const jail = path.join(base, 'jail');
  const outside = path.join(base, 'outside');
  await fs.mkdir(path.join(jail, 'a', 'b'), { recursive: true });
  await fs.writeFile(path.join(jail, 'a', 'b', 'f'), 'inside\n');
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'secret'), 'outside\n');
  return { base, jail, outside };
}

async function refusal(p: Promise<unknown>): Promise<{ reason: ConfineReason; component: string; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'a ConfineError').toBeInstanceOf(ConfineError);
  const c = e as ConfineError;
  return { reason: c.reason, component: c.component, message: c.message };
}

async function ok(jail: JailRoot, p: string, opts?: { allowMissing?: boolean }): Promise<Resolved> {
  const r = await resolveParent(jail, p, opts);
  if (r.status !== 'ok') throw new Error(`${p}: ${r.status}`);
  return r;
}

/** Swap `dir` for a symlink to `to` (the directory itself moves to `dir.old`). */
async function swapForSymlink(dir: string, to: string): Promise<void> {
  await fs.rename(dir, `${dir}.old`);
  await fs.symlink(to, dir);
}

async function openFds(): Promise<number> {
  return (await fs.readdir('/proc/self/fd')).length;
}

describe('openJail: refusals and their twins', () => {
  test('a plain directory opens; by default on Linux in procfd mode, holding the root as an fd', async () => {
    const { jail } = await arena();
    const j = await openJail(jail);
    try {
      expect(j.mode).toBe('procfd');
      expect(j.host).toBe(jail);
      expect(j.root.fd).toBeDefined();
      expect(j.root.opPath).toBe(`/proc/${process.pid}/fd/${j.root.fd!.fd}`);
      const [a, b] = [await fs.stat(j.root.opPath), await fs.stat(jail)];
      expect([a.dev, a.ino]).toEqual([b.dev, b.ino]);
      expect([j.root.dev, j.root.ino]).toEqual([b.dev, b.ino]);
    } finally {
      await j.close();
    }
    await expect(j.root.fd!.stat()).rejects.toThrow(); // close() closed it
  });

  test('path mode holds no fd and works on host paths', async () => {
    const { jail } = await arena();
    const j = await openJail(`${jail}/./`, { mode: 'path' });
    expect(j.mode).toBe('path');
    expect(j.host).toBe(jail);
    expect(j.root.fd).toBeUndefined();
    expect(j.root.opPath).toBe(jail);
    expect(j.root.ino).toBe((await fs.stat(jail)).ino);
    await j.close();
  });

  test.each<[string, (base: string, jail: string) => Promise<string>, ConfineReason]>([
    ['a missing root', async (base) => path.join(base, 'nope'), 'root-missing'],
    ['a symlink root', async (base, jail) => (await fs.symlink(jail, path.join(base, 'link')), path.join(base, 'link')), 'root-symlink'],
    ['a file root', async (base) => (await fs.writeFile(path.join(base, 'file'), ''), path.join(base, 'file')), 'root-not-directory'],
    ['the host root', async () => '/', 'root-is-host-root'],
    ['a system directory', async () => '/usr/lib', 'root-system-dir'],
  ])('%s is refused', async (_t, make, reason) => {
    const { base, jail } = await arena();
    const where = await make(base, jail);
    for (const mode of ['procfd', 'path'] as const) {
      const r = await refusal(openJail(where, { mode }));
      expect(r.reason).toBe(reason);
      expect(r.component).toBe('/');
    }
  });

  test('a symlink root names its target', async () => {
    const { base, jail } = await arena();
    await fs.symlink(jail, path.join(base, 'link'));
    expect((await refusal(openJail(path.join(base, 'link')))).message).toContain(`-> ${jail}`);
  });
});

describe.each<ConfineMode>(['procfd', 'path'])('resolveParent (%s mode): refusals and their twins', (mode) => {
  const withJail = async (
    f: (j: JailRoot, x: { base: string; jail: string; outside: string }) => Promise<void>,
    trusted?: Map<string, string>,
  ): Promise<void> => {
    const x = await arena();
    const j = await openJail(x.jail, { mode, trusted });
    try {
      await f(j, x);
    } finally {
      await j.close();
    }
  };

  test('a plain path: parent, name, host path, op paths', async () => {
    await withJail(async (j, { jail }) => {
      const r = await ok(j, '/a/b/f');
      expect(r.name).toBe('f');
      expect(r.path).toBe('/a/b/f');
      expect(r.resolvedPath).toBe('/a/b/f');
      expect(r.hostPath).toBe(path.join(jail, 'a/b/f'));
      expect(r.dir.jailPath).toBe('/a/b');
      expect(r.dir.hostPath).toBe(path.join(jail, 'a/b'));
      expect(await fs.readFile(r.opPath, 'utf8')).toBe('inside\n');
      expect(r.sibling('f')).toBe(r.opPath);
      const st = await fs.stat(path.join(jail, 'a/b'));
      expect([r.dir.dev, r.dir.ino]).toEqual([st.dev, st.ino]);
      await r.verify();
      await r.release();
    });
  });

  test('a name straight under the root', async () => {
    await withJail(async (j, { jail }) => {
      const r = await ok(j, '/a');
      expect(r.dir.jailPath).toBe('/');
      expect(r.resolvedPath).toBe('/a');
      expect(r.hostPath).toBe(path.join(jail, 'a'));
      await r.release();
    });
  });

  test('the jail root itself has no parent inside the jail', async () => {
    await withJail(async (j) => {
      const r = await refusal(resolveParent(j, '/'));
      expect([r.reason, r.component]).toEqual(['not-a-directory', '/']);
    });
  });

  test('a relative symlink that stays inside is followed; one that climbs out is refused', async () => {
    await withJail(async (j, { jail }) => {
      await fs.symlink('a/b', path.join(jail, 'in'));
      await fs.symlink('../../..', path.join(jail, 'a', 'up'));
      const r = await ok(j, '/in/f');
      expect(r.resolvedPath).toBe('/a/b/f');
      expect(r.hostPath).toBe(path.join(jail, 'a/b/f'));
      await r.release();
      const up = await refusal(resolveParent(j, '/a/up/etc/passwd'));
      expect([up.reason, up.component]).toEqual(['symlink-escape', '/a/up']);
      expect(up.message).toContain('-> ../../..');
    });
  });

  test('a `..` that stays inside is followed', async () => {
    await withJail(async (j, { jail }) => {
      await fs.symlink('../a/b', path.join(jail, 'a', 'sib'));
      const r = await ok(j, '/a/sib/f');
      expect(r.resolvedPath).toBe('/a/b/f');
      await r.release();
    });
  });

  test('an absolute symlink is refused unless the plan makes exactly that link; then it is re-rooted and `..` stops at the root', async () => {
    const trusted = new Map([
      ['/t', '/a/b'],
      ['/u', '/../../a'],
    ]);
    await withJail(async (j, { jail, outside }) => {
      await fs.symlink('/a/b', path.join(jail, 't'));
      await fs.symlink('/../../a', path.join(jail, 'u'));
      await fs.symlink(outside, path.join(jail, 'x'));
      await fs.symlink('/a', path.join(jail, 'other')); // right shape, not in the plan
      const t = await ok(j, '/t/f');
      expect(t.hostPath).toBe(path.join(jail, 'a/b/f'));
      await t.release();
      const u = await ok(j, '/u/b/f');
      expect(u.hostPath).toBe(path.join(jail, 'a/b/f'));
      await u.release();
      const x = await refusal(resolveParent(j, '/x/secret'));
      expect([x.reason, x.component]).toEqual(['symlink-absolute', '/x']);
      expect(x.message).toContain(`-> ${outside}`);
      expect((await refusal(resolveParent(j, '/other/b'))).reason).toBe('symlink-absolute');
    }, trusted);
  });

  test('a trusted path whose link on disk has another target is not trusted', async () => {
    await withJail(
      async (j, { jail }) => {
        await fs.symlink('/etc', path.join(jail, 't'));
        expect((await refusal(resolveParent(j, '/t/passwd'))).reason).toBe('symlink-absolute');
      },
      new Map([['/t', '/a/b']]),
    );
  });

  test('an untrusted relative link with `..` at the root is an escape; a trusted one stops at the root', async () => {
    await withJail(
      async (j, { jail }) => {
        await fs.symlink('../a', path.join(jail, 'top'));
        await fs.symlink('../a', path.join(jail, 'topt'));
        expect((await refusal(resolveParent(j, '/top/b'))).reason).toBe('symlink-escape');
        const r = await ok(j, '/topt/b/f');
        expect(r.resolvedPath).toBe('/a/b/f');
        await r.release();
      },
      new Map([['/topt', '../a']]),
    );
  });

  test('40 symlinks in a row are followed; 41 are a loop', async () => {
    await withJail(async (j, { jail }) => {
      for (let i = 0; i < 41; i++) await fs.symlink(i === 40 ? 'a' : `l${i + 1}`, path.join(jail, `l${i}`));
      const r = await ok(j, '/l1/b/f'); // l1 .. l40: 40 links
      expect(r.resolvedPath).toBe('/a/b/f');
      await r.release();
      const loop = await refusal(resolveParent(j, '/l0/b/f'));
      expect([loop.reason, loop.component]).toEqual(['symlink-loop', '/l40']);
    });
  });

  test('a file, a FIFO where a directory should be: refused, each with its reason', async () => {
    await withJail(async (j, { jail }) => {
      await execa('mkfifo', [path.join(jail, 'fifo')]);
      const f = await refusal(resolveParent(j, '/a/b/f/x'));
      expect([f.reason, f.component]).toEqual(['not-a-directory', '/a/b/f']);
      const p = await refusal(resolveParent(j, '/fifo/x'));
      expect([p.reason, p.component]).toEqual(['special-file', '/fifo']);
    });
  });

  test('a missing parent throws, or with allowMissing names the first missing component', async () => {
    await withJail(async (j) => {
      const m = await refusal(resolveParent(j, '/a/no/more/f'));
      expect([m.reason, m.component]).toEqual(['missing', '/a/no']);
      const r = await resolveParent(j, '/a/no/more/f', { allowMissing: true });
      expect(r).toMatchObject({ status: 'missing', path: '/a/no/more/f', missing: '/a/no' });
      await r.release();
      const okToo = await resolveParent(j, '/a/b/new', { allowMissing: true });
      expect(okToo.status).toBe('ok'); // only the final component is missing: that is fine
      await okToo.release();
    });
  });

  test('fds opened on the way are closed on release and on a refusal', async () => {
    await withJail(async (j, { jail }) => {
      await fs.writeFile(path.join(jail, 'a', 'file'), '');
      const before = await openFds();
      const r = await ok(j, '/a/b/f');
      expect(await openFds()).toBe(before + (mode === 'procfd' ? 2 : 0)); // a and a/b held open
      await r.release();
      expect(await openFds()).toBe(before);
      await refusal(resolveParent(j, '/a/b/../file/x'.replace('/../', '/'))).catch(() => undefined);
      await refusal(resolveParent(j, '/a/file/x'));
      expect(await openFds()).toBe(before);
    });
  });
});

describe('procfd mode holds every directory as an fd', () => {
  test('each directory in the chain is /proc/<pid>/fd/<n> of an open fd on that very directory', async () => {
    const { jail } = await arena();
    const j = await openJail(jail, { mode: 'procfd' });
    const r = await ok(j, '/a/b/f');
    expect(r.dir.fd).toBeDefined();
    expect(r.dir.opPath).toBe(`/proc/${process.pid}/fd/${r.dir.fd!.fd}`);
    expect(r.opPath).toBe(`${r.dir.opPath}/f`);
    const [held, real] = [await r.dir.fd!.stat(), await fs.stat(path.join(jail, 'a/b'))];
    expect([held.dev, held.ino]).toEqual([real.dev, real.ino]);
    await r.release();
    await j.close();
  });

  test('a directory swapped for a symlink after resolution: the write lands in the directory that was checked', async () => {
    const { jail, outside } = await arena();
    const j = await openJail(jail, { mode: 'procfd' });
    const r = await ok(j, '/a/b/new');
    await swapForSymlink(path.join(jail, 'a'), outside);
    await r.verify(); // no-op in procfd mode: the fds are the defence
    await fs.writeFile(r.opPath, 'written\n');
    expect(await fs.readFile(path.join(jail, 'a.old/b/new'), 'utf8')).toBe('written\n');
    expect(await fs.readdir(outside)).toEqual(['secret']);
    await r.release();
    await j.close();
  });
});

describe('path mode re-checks the chain before each change', () => {
  test.each<[string, (jail: string, outside: string) => Promise<void>, string]>([
    ['nothing changed: verify passes', async () => undefined, ''],
    ['a directory swapped for a symlink', async (jail, outside) => swapForSymlink(path.join(jail, 'a'), outside), '/a'],
    ['the last directory swapped for a symlink', async (jail, outside) => swapForSymlink(path.join(jail, 'a', 'b'), outside), '/a/b'],
    [
      'a directory swapped for another directory',
      async (jail) => (await fs.rename(path.join(jail, 'a', 'b'), path.join(jail, 'b.old')), await fs.mkdir(path.join(jail, 'a', 'b'))),
      '/a/b',
    ],
    ['a directory removed', async (jail) => fs.rm(path.join(jail, 'a'), { recursive: true }), '/a'],
  ])('%s', async (_t, change, component) => {
    const { jail, outside } = await arena();
    const j = await openJail(jail, { mode: 'path' });
    const r = await ok(j, '/a/b/new');
    expect(r.dir.fd).toBeUndefined();
    expect(r.opPath).toBe(path.join(jail, 'a/b/new'));
    await change(jail, outside);
    if (component === '') await r.verify();
    else expect(await refusal(r.verify())).toMatchObject({ reason: 'changed', component });
    await r.release();
    await j.close();
  });
});

/** Calls the real fs function, then (once, even when the call failed, when `when` matches its first argument) runs `swap` before returning. */
function raceAfter<K extends 'lstat' | 'realpath' | 'open'>(name: K, when: (p: string) => boolean, swap: () => Promise<void>): void {
  const real = fs[name].bind(fs) as (...a: unknown[]) => Promise<unknown>;
  let fired = false;
  vi.spyOn(fs, name).mockImplementation((async (...args: unknown[]) => {
    try {
      return await real(...args);
    } finally {
      if (!fired && typeof args[0] === 'string' && when(args[0])) {
        fired = true;
        await swap();
      }
    }
  }) as never);
}

describe('procfd mode: a swap between the check and the open is caught', () => {
  test.each<[string, (jail: string, outside: string) => Promise<void>]>([
    ['a directory swapped for a symlink after its lstat', async (jail, outside) => swapForSymlink(path.join(jail, 'a'), outside)],
    [
      'a directory swapped for another directory after its lstat',
      async (jail) => (await fs.rename(path.join(jail, 'a'), path.join(jail, 'a.old')), await fs.mkdir(path.join(jail, 'a'))),
    ],
    ['a directory removed after its lstat', async (jail) => fs.rename(path.join(jail, 'a'), path.join(jail, 'a.old'))],
  ])('%s: refused as changed', async (_t, swap) => {
    const { jail, outside } = await arena();
    const j = await openJail(jail, { mode: 'procfd' });
    raceAfter(
      'lstat',
      (p) => p.endsWith('/a'),
      () => swap(jail, outside),
    );
    expect(await refusal(resolveParent(j, '/a/b/f'))).toMatchObject({ reason: 'changed', component: '/a' });
    await j.close();
  });

  test('the twin: the same spy without a swap resolves', async () => {
    const { jail } = await arena();
    const j = await openJail(jail, { mode: 'procfd' });
    raceAfter(
      'lstat',
      (p) => p.endsWith('/a'),
      async () => undefined,
    );
    const r = await ok(j, '/a/b/f');
    expect(r.resolvedPath).toBe('/a/b/f');
    await r.release();
    await j.close();
  });

  test.each<[string, (base: string, jail: string) => Promise<void>]>([
    ['a jail root swapped for a symlink after its checks', async (base, jail) => swapForSymlink(jail, path.join(base, 'outside'))],
    ['a jail root swapped for another directory after its checks', async (_b, jail) => (await fs.rename(jail, `${jail}.old`), await fs.mkdir(jail))],
  ])('%s: refused as changed', async (_t, swap) => {
    const { base, jail } = await arena();
    raceAfter(
      'realpath',
      (p) => p === jail,
      () => swap(base, jail),
    );
    expect(await refusal(openJail(jail, { mode: 'procfd' }))).toMatchObject({ reason: 'changed', component: '/' });
  });
});

describe.skipIf(!isRoot)(`applyPlan under a racing writer [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  /** The plan writes /a/b/new; the writer swaps JAIL/a for a symlink to OUTSIDE right after the target's lstat. */
  async function race(mode: ConfineMode, swapIt: boolean) {
    const { jail, outside } = await arena();
    const plan: Plan = { jail, actions: [{ kind: 'write', path: '/a/b/new', content: 'planned\n', mode: 0o644, uid: 0, gid: 0, reason: 'test' }] };
    await fs.mkdir(path.join(outside, 'b'));
    raceAfter(
      'lstat',
      (p) => p.endsWith('/new'),
      async () => {
        if (swapIt) await swapForSymlink(path.join(jail, 'a'), outside);
      },
    );
    const report = await applyPlan(plan, { confineMode: mode });
    vi.restoreAllMocks();
    return { report, jail, outside, outsideNow: (await fs.readdir(outside)).sort(), outsideB: await fs.readdir(path.join(outside, 'b')) };
  }

  test('procfd: the write lands in the directory that was checked (moved aside), nothing outside', async () => {
    const r = await race('procfd', true);
    expect(r.report.results[0].result).toBe('done');
    expect(await fs.readFile(path.join(r.jail, 'a.old/b/new'), 'utf8')).toBe('planned\n');
    expect(r.outsideB).toEqual([]);
  });

  test('path: the re-check refuses the write as changed, nothing outside', async () => {
    const r = await race('path', true);
    expect(r.report.results[0]).toMatchObject({ result: 'refused', code: 'changed' });
    expect(r.outsideB).toEqual([]);
    expect(await fs.readdir(path.join(r.jail, 'a.old/b'))).toEqual(['f']);
  });

  test.each<ConfineMode>(['procfd', 'path'])('the twin (%s): without the swap the write is done in place', async (mode) => {
    const r = await race(mode, false);
    expect(r.report.results[0].result).toBe('done');
    expect(await fs.readFile(path.join(r.jail, 'a/b/new'), 'utf8')).toBe('planned\n');
    expect(r.outsideB).toEqual([]);
  });
});
