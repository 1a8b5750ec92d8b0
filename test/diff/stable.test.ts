/**
 * Diffs compare what a jail needs (issue 18, item 1): a workload's recorded scratch roots (TRACE.meta.json) are
 * dropped from every diff, runtime data (temp dirs, terminals, /proc, files the program only wrote) from a default one
 * (`--all` shows it), and two captures of each profile, one after the other, compare equal.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jailContent, needsFromManifest, type Need } from '../../src/diff/needs.js';
import { metaPath, readTraceMeta, scratchOf, TRACE_META_SCHEMA } from '../../src/manifest/trace-meta.js';
import { platformInfo } from '../../src/platforms/index.js';
import { parseTraces } from '../../src/trace.js';
import { ensureUser, isRoot } from '../build/session.js';
import { CLI } from '../support/cli.js';

const jt = (...args: string[]) => execa('node', [CLI, ...args], { reject: false });

/** A trace of one run: the same libraries and config, a scratch tree named `scratch`, a pid, a terminal. */
const trace = (scratch: string, pid: number, pts: number): string =>
  [
    `${pid} execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0`,
    `${pid} openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`,
    `${pid} openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3`,
    `${pid} openat(AT_FDCWD, "/etc/nsswitch.conf", O_RDONLY|O_CLOEXEC) = 3`,
    `${pid} mkdir("${scratch}", 0700) = 0`,
    `${pid} openat(AT_FDCWD, "${scratch}/upload.bin", O_RDONLY) = 4`,
    `${pid} openat(AT_FDCWD, "/proc/${pid}/status", O_RDONLY) = 5`,
    `${pid} openat(AT_FDCWD, "/dev/pts/${pts}", O_RDWR) = 6`,
    `${pid} openat(AT_FDCWD, "/var/log/out-${pid}.log", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 7`,
    `${pid} +++ exited with 0 +++`,
    '',
  ].join('\n');

describe('what a jail would hold (pure)', () => {
  const n = (p: string, role: Need['role'] = 'data'): Need => ({ path: p, role });
  test('runtime places and roles are left out; the places themselves, libraries and config stay', () => {
    const kept = jailContent([
      n('/tmp', 'directory'),
      n('/tmp/jailtrace-sftp-x/a'),
      n('/proc/12/status', 'kernel'),
      n('/dev/pts/3', 'device'),
      n('/dev/null', 'device'),
      n('/var/tmp/x'),
      n('/run/user/0/x'),
      n('/lib/libc.so.6', 'library'),
      n('/etc/passwd', 'account'),
      n('/usr/share/zoneinfo/UTC', 'locale'),
    ]);
    expect(kept.map((k) => k.path)).toEqual(['/tmp', '/dev/null', '/lib/libc.so.6', '/etc/passwd', '/usr/share/zoneinfo/UTC']);
  });

  test('a file the program only wrote is its output, not a need (unless asked for everything)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jt-stable-'));
    try {
      await writeFile(path.join(dir, 't.strace'), trace('/srv/x', 10, 1));
      const m = await parseTraces([path.join(dir, 't.strace')], { cwd: '/' });
      const p = platformInfo('linux');
      expect(needsFromManifest(m, p, { all: false }).map((x) => x.path)).not.toContain('/var/log/out-10.log');
      expect(needsFromManifest(m, p).map((x) => x.path)).toContain('/var/log/out-10.log');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TRACE.meta.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-meta-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('read back; relative, unnormalised and "/" roots are dropped; another schema or no file is nothing', async () => {
    const t = path.join(dir, 'a.strace');
    await writeFile(metaPath(t), JSON.stringify({ schema: TRACE_META_SCHEMA, profile: 'sftp', scratch: ['/tmp/jailtrace-sftp-ab', 'rel', '/a/../b', '/'] }));
    expect(await readTraceMeta(t)).toEqual({ schema: TRACE_META_SCHEMA, profile: 'sftp', scratch: ['/tmp/jailtrace-sftp-ab'] });
    const u = path.join(dir, 'b.strace');
    await writeFile(metaPath(u), JSON.stringify({ schema: 'other', scratch: ['/x'] }));
    expect(await readTraceMeta(u)).toBeUndefined();
    expect(await readTraceMeta(path.join(dir, 'none.strace'))).toBeUndefined();
    expect(await scratchOf([dir])).toEqual(['/tmp/jailtrace-sftp-ab']);
  });
});

describe('diff of two runs of one workload', () => {
  let dir: string;
  const run = async (name: string, scratch: string, pid: number, pts: number, meta: boolean): Promise<string> => {
    const t = path.join(dir, name);
    await writeFile(t, trace(scratch, pid, pts));
    if (meta) await writeFile(metaPath(t), JSON.stringify({ schema: TRACE_META_SCHEMA, profile: 'test', scratch: [scratch] }));
    return t;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-stable-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('other scratch names, pids and terminals: equal by default (exit 0), and a real change still shows (exit 1)', async () => {
    const a = await run('a.strace', '/tmp/jailtrace-sftp-AAAA', 100, 1, false);
    const b = await run('b.strace', '/tmp/jailtrace-sftp-BBBB', 200, 4, false);
    const r = await jt('diff', '--cwd', '/', '--json', a, b);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'jailtrace.diff/1', equal: true, scope: 'jail' });
    const all = await jt('diff', '--cwd', '/', '--all', a, b);
    expect(all.exitCode).toBe(1); // no recorded scratch roots: --all shows the runtime data
    const c = path.join(dir, 'c.strace');
    await writeFile(c, trace('/tmp/jailtrace-sftp-CCCC', 300, 2).replace('/etc/nsswitch.conf', '/etc/host.conf'));
    const changed = await jt('diff', '--cwd', '/', '--json', a, c);
    expect(changed.exitCode).toBe(1);
    const d = JSON.parse(changed.stdout) as { diff: { added: Need[]; removed: Need[]; moved: unknown[] } };
    expect(d.diff.added.map((x) => x.path)).toEqual(['/etc/host.conf']);
    expect(d.diff.removed.map((x) => x.path)).toEqual(['/etc/nsswitch.conf']);
  });

  test("recorded scratch roots are dropped even with --all, wherever they are (verify's JAIL/.jailtrace-verify-XXXX)", async () => {
    const a = await run('va.strace', '/srv/jail/.jailtrace-verify-AAAA/sftp-remote', 100, 1, true);
    const b = await run('vb.strace', '/srv/jail/.jailtrace-verify-BBBB/sftp-remote', 100, 1, true);
    expect((await jt('diff', '--cwd', '/', a, b)).exitCode).toBe(0);
    expect((await jt('diff', '--cwd', '/', '--all', a, b)).exitCode).toBe(0);
    // baseline save drops them too
    const store = path.join(dir, 'store');
    await mkdir(store);
    expect((await jt('baseline', 'save', 'v', a, '--cwd', '/', '--baselines', store)).exitCode).toBe(0);
    expect((await jt('diff', '--cwd', '/', '--all', '--baseline', 'v', '--baselines', store, b)).exitCode).toBe(0);
  });
});

describe.skipIf(!isRoot)('two captures of each profile, one after the other (needs root: strace -u, useradd)', () => {
  const USER = 'jt-diff-test';
  let dir: string;
  beforeAll(async () => {
    await ensureUser(USER);
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-twice-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each(['sftp', 'scp'])('%s: diff equal (exit 0), with and without --all', async (profile) => {
    const out = (i: number) => path.join(dir, `${profile}-${i}`);
    for (const i of [1, 2]) {
      const c = await jt('capture', '--profile', profile, '--user', USER, '--output-dir', out(i), '-q');
      expect(c.exitCode, c.stderr).toBe(0);
    }
    for (const flags of [[], ['--all']]) {
      const r = await jt('diff', ...flags, out(1), out(2));
      expect(r.stdout).toContain('no difference');
      expect(r.exitCode).toBe(0);
    }
  });
});
