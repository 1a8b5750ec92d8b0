/**
 * "A directory is made only on the way to something that is made": a directory in the plan only as a parent is
 * pruned when nothing below it is made (/etc/ssh for a host key that is not copied), and recorded as report-only so
 * check agrees. Directories the program itself used (chdir, open, list, mkdir, stat) are made. Pure plans first, then
 * a real trace and build (root: strace reads the host key, apply chowns).
 */
import { execa } from 'execa';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JailEntry } from '../../src/expand/expand.js';
import { makePlan, PRUNED_REASON } from '../../src/plan/make-plan.js';
import { isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const dir = (p: string, via: JailEntry['via'], ops: JailEntry['ops'] = []): JailEntry => ({
  path: p,
  role: 'directory',
  decision: 'create',
  reason: "directory with the host's mode and owner",
  via,
  ops,
  host: { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 0 },
});
const file = (p: string, decision: JailEntry['decision'], role: JailEntry['role'] = 'config'): JailEntry => ({
  path: p,
  role,
  decision,
  reason: decision,
  via: 'trace',
  ops: ['read'],
  host: { type: 'file', mode: 0o600, uid: 0, gid: 0, size: 1, mtimeMs: 1, rdev: 0 },
});
const record = { version: 't', jail: '/j', users: [], profiles: [], commands: [], traces: [], warnings: [] };
const plan = (entries: JailEntry[], extra: Partial<Parameters<typeof makePlan>[0]> = {}) => makePlan({ jail: '/j', entries, homes: false, record, ...extra });
const mkdirs = (entries: JailEntry[], extra: Partial<Parameters<typeof makePlan>[0]> = {}) =>
  plan(entries, extra)
    .actions.filter((a) => a.kind === 'mkdir')
    .map((a) => a.path);
const recorded = (entries: JailEntry[]) =>
  JSON.parse((plan(entries).actions.find((a) => a.kind === 'write' && a.path === '/.jailtrace/manifest.json') as { content: string }).content) as {
    entries: JailEntry[];
  };

describe('parent directories in the plan (pure)', () => {
  const key = [dir('/etc', 'parent'), dir('/etc/ssh', 'parent'), file('/etc/ssh/ssh_host_ed25519_key', 'skip', 'secret')];

  test('the parents of a secret that is not copied are not made', () => {
    expect(mkdirs(key)).toEqual(['/', '/.jailtrace']);
  });

  test('the record keeps them as report-only, with the reason', () => {
    const r = recorded(key);
    for (const p of ['/etc', '/etc/ssh']) expect(r.entries.find((e) => e.path === p)).toMatchObject({ decision: 'report-only', reason: PRUNED_REASON });
  });

  test.each([
    ['a copied file', file('/etc/ssh/ssh_config', 'copy')],
    [
      'a symlink',
      {
        ...file('/etc/ssh/moduli', 'create', 'symlink'),
        host: { type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 0, target: '../moduli' },
      } as JailEntry,
    ],
    [
      'a device node',
      { ...file('/etc/ssh/dev', 'create', 'device'), host: { type: 'char', mode: 0o666, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 259 } } as JailEntry,
    ],
    ['a directory the program used', dir('/etc/ssh/used', 'trace', ['chdir'])],
  ])('%s below keeps every parent on the way', (_what, below) => {
    expect(mkdirs([...key, below])).toEqual(expect.arrayContaining(['/etc', '/etc/ssh']));
  });

  test.each([['chdir'], ['stat'], ['list'], ['create']] as const)('a directory the trace shows used (%s) is made with nothing below it', (op) => {
    expect(mkdirs([dir('/srv', 'parent'), dir('/srv/work', 'trace', [op])])).toEqual(expect.arrayContaining(['/srv', '/srv/work']));
  });

  test('generated account files keep /etc; a home keeps its parents', () => {
    const accounts = {
      passwd: 'root:x:0:0::/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n',
      group: 'root:x:0:\n',
      users: [{ name: 'u', uid: 1000, gid: 1000, home: '/home/u' }],
    } as never;
    expect(mkdirs([...key, dir('/home', 'parent'), dir('/home/u', 'parent')], { accounts, homes: true })).toEqual(
      expect.arrayContaining(['/etc', '/home', '/home/u']),
    );
    expect(mkdirs([...key, dir('/home', 'parent'), dir('/home/u', 'parent')], { accounts, homes: true })).not.toContain('/etc/ssh');
  });

  test('keepParents (sync restoring part of a record) keeps them', () => {
    expect(mkdirs(key, { keepParents: true })).toEqual(expect.arrayContaining(['/etc', '/etc/ssh']));
  });
});

const jt = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true });

describe.skipIf(!isRoot)('parents in a real jail (needs root: strace reads a host key, apply chowns)', () => {
  let base: string;
  let jail: string;
  let key: string;
  let used: string;
  let trace: string;

  beforeAll(async () => {
    const keys = (await readdir('/etc/ssh').catch(() => [] as string[])).filter((n) => /^ssh_host_.*_key$/.test(n));
    if (keys.length === 0) throw new Error("no /etc/ssh/ssh_host_*_key on this host (openssh-server): cannot test a secret's parents");
    key = `/etc/ssh/${keys[0]}`;
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/parents-test-');
    used = path.join(base, 'used');
    await mkdir(used);
    jail = path.join(base, 'jail');
    trace = path.join(base, 'key.strace');
    await execa('strace', ['-f', '-o', trace, 'sh', '-c', `cat ${key} >/dev/null && cd ${used}`]);
    const r = await jt(['build', jail, '--trace', trace]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`not copied: ${key}`);
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test("a secret's parent directory (/etc/ssh, only a host key traced) is not created", async () => {
    expect(await lstat(path.join(jail, key)).catch(() => undefined)).toBeUndefined();
    expect(await lstat(path.join(jail, '/etc/ssh')).catch(() => undefined)).toBeUndefined();
    const rec = JSON.parse(await readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8')) as { entries: JailEntry[] };
    expect(rec.entries.find((e) => e.path === '/etc/ssh')).toMatchObject({ decision: 'report-only', reason: PRUNED_REASON });
  });

  test("a directory the program chdir'ed into is made, though nothing below it is", async () => {
    expect((await lstat(path.join(jail, used))).isDirectory()).toBe(true);
  });

  test('check is clean; a jail built before the change (an empty /etc/ssh) is not reported as extra', async () => {
    const c = await jt(['check', jail]);
    expect(c.exitCode, c.all).toBe(0);
    await mkdir(path.join(jail, 'etc/ssh'), { mode: 0o755 });
    const old = await jt(['check', jail, '--json']);
    expect(old.exitCode, old.all).toBe(0);
    expect(JSON.parse(old.stdout).findings.filter((f: { path: string }) => f.path === '/etc/ssh')).toEqual([]);
    // but something else in it still is
    await mkdir(path.join(jail, 'etc/ssh/planted'));
    const planted = await jt(['check', jail, '--json']);
    expect(planted.exitCode).toBe(1);
    expect(JSON.parse(planted.stdout).findings).toContainEqual(expect.objectContaining({ kind: 'extra', path: '/etc/ssh/planted' }));
  });

  test('the sh script (dash) from the same trace makes no /etc/ssh either, and the directory the program used', async () => {
    const j = path.join(base, 'sh-jail');
    const script = path.join(base, 'jail.sh');
    expect((await jt(['script', trace, '--jail', j, '-o', script])).exitCode).toBe(0);
    const run = await execa('dash', [script], { reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
    expect(await lstat(path.join(j, '/etc/ssh')).catch(() => undefined)).toBeUndefined();
    expect((await lstat(path.join(j, used))).isDirectory()).toBe(true);
  });
});
