/**
 * Baselines in one place (issue 18, item 2): root's store is /var/lib/jailtrace/baselines, anyone else's the XDG data
 * directory; `--baselines DIR` overrides; the same `diff --baseline NAME` works from any directory; `baseline list`,
 * `show` and `rm` manage them; one left in the old per-directory place (traces/baselines/) is still read, and said so.
 */
import { execa } from 'execa';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultBaselinesDir, ROOT_BASELINES } from '../../src/diff/baseline.js';
import { EXIT } from '../../src/errors.js';
import { isRoot } from '../support/root.js';
import { CLI } from '../support/cli.js';

const jt = (cwd: string, ...args: string[]) => execa('node', [CLI, ...args], { cwd, reject: false });

const TRACE = [
  '100 execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0',
  '100 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  '100 +++ exited with 0 +++',
  '',
].join('\n');

describe('where baselines live', () => {
  test.each([
    { uid: 0, env: {}, home: '/root', dir: '/var/lib/jailtrace/baselines' },
    { uid: 1000, env: { XDG_DATA_HOME: '/home/a/.data' }, home: '/home/a', dir: '/home/a/.data/jailtrace/baselines' },
    { uid: 1000, env: {}, home: '/home/a', dir: '/home/a/.local/share/jailtrace/baselines' },
    { uid: 1000, env: { XDG_DATA_HOME: 'relative' }, home: '/home/a', dir: '/home/a/.local/share/jailtrace/baselines' },
  ])('uid $uid, $env → $dir', ({ uid, env, home, dir }) => {
    expect(defaultBaselinesDir(uid, env, home)).toBe(dir);
  });
  test('root store is a fixed system path', () => expect(ROOT_BASELINES).toBe('/var/lib/jailtrace/baselines'));
});

describe.skipIf(!isRoot)('baseline store through the CLI (needs root: the root store under /var/lib, chown)', () => {
  let dir: string;
  const name = `jt-test-${process.pid}-${Date.now()}`;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-bstore-'));
    await mkdir(path.join(dir, 'a'));
    await mkdir(path.join(dir, 'b'));
    await writeFile(path.join(dir, 'true.strace'), TRACE);
  });
  afterAll(async () => {
    await rm(path.join(ROOT_BASELINES, `${name}.json`), { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('saved from one directory, compared from another, listed, shown, removed', async () => {
    const trace = path.join(dir, 'true.strace');
    const s = await jt(path.join(dir, 'a'), 'baseline', 'save', name, trace, '--cwd', '/');
    expect(s.exitCode).toBe(0);
    expect(s.stderr).toContain(path.join(ROOT_BASELINES, `${name}.json`));
    const d = await jt(path.join(dir, 'b'), 'diff', '--baseline', name, trace, '--cwd', '/');
    expect(d.stdout).toContain('no difference');
    expect(d.exitCode).toBe(0);
    const l = await jt(path.join(dir, 'b'), 'baseline', 'list', '--json');
    const list = JSON.parse(l.stdout) as { dir: string; baselines: Array<{ name: string; paths: number }> };
    expect(list.dir).toBe(ROOT_BASELINES);
    expect(list.baselines.find((b) => b.name === name)?.paths).toBeGreaterThan(0);
    const sh = await jt('/', 'baseline', 'show', name);
    expect(sh.stdout).toMatch(/\/etc\/ld\.so\.cache/);
    expect((await jt('/', 'baseline', 'rm', name)).exitCode).toBe(0);
    const gone = await jt(path.join(dir, 'b'), 'diff', '--baseline', name, trace, '--cwd', '/');
    expect(gone.exitCode).toBe(EXIT.USAGE);
    expect(gone.stderr).toMatch(/no baseline/);
    expect((await jt('/', 'baseline', 'rm', name)).exitCode).toBe(EXIT.USAGE);
  });

  test('--baselines DIR overrides; a baseline in the old traces/baselines/ of the current directory is read, with a note', async () => {
    const trace = path.join(dir, 'true.strace');
    const own = path.join(dir, 'own');
    expect((await jt('/', 'baseline', 'save', 'mine', trace, '--cwd', '/', '--baselines', own)).exitCode).toBe(0);
    expect((await jt('/', 'diff', '--baseline', 'mine', trace, '--cwd', '/', '--baselines', own)).exitCode).toBe(0);
    // the old place: traces/baselines under the current directory
    const old = path.join(dir, 'legacy');
    expect((await jt('/', 'baseline', 'save', name, trace, '--cwd', '/', '--baselines', path.join(old, 'traces/baselines'))).exitCode).toBe(0);
    const d = await jt(old, 'diff', '--baseline', name, trace, '--cwd', '/');
    expect(d.exitCode).toBe(0);
    expect(d.stderr).toMatch(/old place .*traces\/baselines.*move it to \/var\/lib\/jailtrace\/baselines/);
  });

  test('root does not write baselines into a directory a user could swap (exit 2)', async () => {
    const theirs = path.join(dir, 'theirs');
    await mkdir(theirs);
    await chown(theirs, 65534, 65534);
    const r = await jt('/', 'baseline', 'save', 'x', path.join(dir, 'true.strace'), '--cwd', '/', '--baselines', path.join(theirs, 'store'));
    expect(r.exitCode).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/could swap/);
  });
});
