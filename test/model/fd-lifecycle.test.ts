/**
 * The fd lifecycle in process, one rule per test: an fd names a directory only while the trace says it does. Each
 * test reads the table back through a relative `openat(fd, "f")`: resolved under the directory while the fd is
 * live, printed as is (`unresolved`) once it is gone. Failed calls change nothing.
 */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { FdTable } from '../../src/model/fds.js';
import { ProcessModel, type Access } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import { feed } from '../helpers.js';

const OPEN_D = '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3';
const OPEN_D_CLOEXEC = '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 3';
const EXEC = '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0';

/** Run the lines, then probe each fd with `openat(fd, "f")`: its directory, or '?' when the model no longer knows it. */
function probe(lines: string[], fds: number[]): Record<number, string> {
  const model = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd: '/start' });
  const acc: Access[] = [];
  const text = [...lines, ...fds.map((fd) => `1 openat(${fd}, "f", O_RDONLY) = 99`)].join('\n');
  for (const ev of feed(strace, text))
    if (ev.kind !== 'warning')
      model.onEvent(
        ev,
        (a) => acc.push(a),
        () => undefined,
      );
  const probes = acc.slice(-fds.length);
  return Object.fromEntries(fds.map((fd, i) => [fd, probes[i].unresolved ? '?' : probes[i].path.replace(/\/f$/, '')]));
}

describe('close', () => {
  test('a successful close forgets the fd; a failed one does not', () => {
    expect(probe([OPEN_D, '1 close(3) = 0'], [3])).toEqual({ 3: '?' });
    expect(probe([OPEN_D, '1 close(3) = -1 EBADF (Bad file descriptor)'], [3])).toEqual({ 3: '/d' });
  });
  test('close of another fd leaves this one', () => {
    expect(probe([OPEN_D, '1 close(4) = 0'], [3])).toEqual({ 3: '/d' });
  });
  test('a failed open makes no fd', () => {
    expect(probe(['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = -1 ENOENT (No such file or directory)'], [3])).toEqual({ 3: '?' });
  });
});

describe('dup, dup2, dup3', () => {
  test('dup: the result names the same directory; the original stays', () => {
    expect(probe([OPEN_D, '1 dup(3) = 5'], [3, 5])).toEqual({ 3: '/d', 5: '/d' });
    expect(probe([OPEN_D, '1 dup(3) = -1 EMFILE (Too many open files)'], [5])).toEqual({ 5: '?' });
  });
  test('dup of an unknown fd over a known one: the target is no longer known', () => {
    expect(probe([OPEN_D, '1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 4', '1 dup2(9, 4) = 4'], [4])).toEqual({ 4: '?' });
  });
  test('dup2 replaces what the target named, and a failed dup2 does not', () => {
    const lines = [OPEN_D, '1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 4'];
    expect(probe([...lines, '1 dup2(3, 4) = 4'], [3, 4])).toEqual({ 3: '/d', 4: '/d' });
    expect(probe([...lines, '1 dup2(3, 4) = -1 EBADF (Bad file descriptor)'], [4])).toEqual({ 4: '/e' });
  });
  test('a dup is not close-on-exec, even of a close-on-exec fd; dup3 with O_CLOEXEC is', () => {
    expect(probe([OPEN_D_CLOEXEC, '1 dup2(3, 4) = 4', EXEC], [3, 4])).toEqual({ 3: '?', 4: '/d' });
    expect(probe([OPEN_D, '1 dup3(3, 4, O_CLOEXEC) = 4', EXEC], [3, 4])).toEqual({ 3: '/d', 4: '?' });
    expect(probe([OPEN_D, '1 dup3(3, 4, 0) = 4', EXEC], [4])).toEqual({ 4: '/d' });
  });
  test('dup2(fd, fd) changes nothing: close-on-exec stays', () => {
    expect(probe([OPEN_D_CLOEXEC, '1 dup2(3, 3) = 3', EXEC], [3])).toEqual({ 3: '?' });
  });
});

describe('fcntl', () => {
  test('F_DUPFD copies to the result; F_DUPFD_CLOEXEC marks the copy close-on-exec', () => {
    expect(probe([OPEN_D, '1 fcntl(3, F_DUPFD, 10) = 10', EXEC], [10])).toEqual({ 10: '/d' });
    expect(probe([OPEN_D, '1 fcntl(3, F_DUPFD_CLOEXEC, 10) = 11', EXEC], [3, 11])).toEqual({ 3: '/d', 11: '?' });
    expect(probe([OPEN_D, '1 fcntl(3, F_DUPFD_CLOEXEC, 10) = 11'], [11])).toEqual({ 11: '/d' });
  });
  test('F_SETFD FD_CLOEXEC marks, F_SETFD 0 clears; a failed F_SETFD does nothing', () => {
    expect(probe([OPEN_D, '1 fcntl(3, F_SETFD, FD_CLOEXEC) = 0', EXEC], [3])).toEqual({ 3: '?' });
    expect(probe([OPEN_D, '1 fcntl(3, F_SETFD, 1) = 0', EXEC], [3])).toEqual({ 3: '?' });
    expect(probe([OPEN_D_CLOEXEC, '1 fcntl(3, F_SETFD, 0) = 0', EXEC], [3])).toEqual({ 3: '/d' });
    expect(probe([OPEN_D, '1 fcntl(3, F_SETFD, FD_CLOEXEC) = -1 EBADF (Bad file descriptor)', EXEC], [3])).toEqual({ 3: '/d' });
  });
  test('other commands (F_GETFL) change nothing', () => {
    expect(probe([OPEN_D, '1 fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)', EXEC], [3])).toEqual({ 3: '/d' });
  });
});

describe('close_range', () => {
  const three = [OPEN_D, '1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 4', '1 openat(AT_FDCWD, "/g", O_RDONLY|O_DIRECTORY) = 5'];
  test('closes first..last inclusive, and nothing outside', () => {
    expect(probe([...three, '1 close_range(4, 4, 0) = 0'], [3, 4, 5])).toEqual({ 3: '/d', 4: '?', 5: '/g' });
    expect(probe([...three, '1 close_range(3, 4, 0) = 0'], [3, 4, 5])).toEqual({ 3: '?', 4: '?', 5: '/g' });
  });
  test('~0U, -1 and 0xffffffff mean "to the end"', () => {
    for (const end of ['~0U', '-1', '4294967295', '0xffffffff']) {
      expect(probe([...three, `1 close_range(4, ${end}, 0) = 0`], [3, 4, 5])).toEqual({ 3: '/d', 4: '?', 5: '?' });
    }
  });
  test('CLOSE_RANGE_CLOEXEC marks instead of closing; a failed close_range does nothing', () => {
    expect(probe([...three, '1 close_range(4, ~0U, CLOSE_RANGE_CLOEXEC) = 0'], [4, 5])).toEqual({ 4: '/e', 5: '/g' });
    expect(probe([...three, '1 close_range(4, ~0U, CLOSE_RANGE_CLOEXEC) = 0', EXEC], [3, 4, 5])).toEqual({ 3: '/d', 4: '?', 5: '?' });
    expect(probe([...three, '1 close_range(3, ~0U, 0) = -1 EINVAL (Invalid argument)'], [3, 5])).toEqual({ 3: '/d', 5: '/g' });
  });
});

describe('fork and threads', () => {
  test('a fork copies the table: a close in the child is not a close in the parent', () => {
    const lines = [OPEN_D, '1 clone(child_stack=NULL, flags=SIGCHLD) = 2', '2 close(3) = 0'];
    expect(probe(lines, [3])).toEqual({ 3: '/d' });
  });
  test('CLONE_FILES shares it: a close in the thread is a close in the parent', () => {
    const lines = [OPEN_D, '1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD}, 88) = 2', '2 close(3) = 0'];
    expect(probe(lines, [3])).toEqual({ 3: '?' });
  });
});

describe('FdTable budget', () => {
  test('live entries are counted across tables: set, close, dup over, clone, release, afterExec', () => {
    const budget = { live: 0 };
    const t = new FdTable(budget);
    t.set(3, { path: '/a', cloexec: false });
    t.set(3, { path: '/b', cloexec: false });
    expect(budget.live).toBe(1);
    t.set(4, { path: '/c', cloexec: true });
    t.dup(3, 5);
    expect(budget.live).toBe(3);
    const c = t.clone();
    expect(budget.live).toBe(6);
    c.close(5);
    c.close(5);
    expect(budget.live).toBe(5);
    const e = t.afterExec(); // drops fd 4 (close-on-exec) and frees the old table
    expect([e.size, budget.live]).toEqual([2, 4]);
    c.release();
    expect(budget.live).toBe(2);
    const shared = e.share();
    e.release();
    expect(budget.live).toBe(2); // one user left
    shared.release();
    expect(budget.live).toBe(0);
  });
});
