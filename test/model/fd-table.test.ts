/**
 * The fd lifecycle, in-process: FdTable on its own (budget, sharing, dup, close-on-exec, close_range, exec) and the
 * model's handlers that drive it (close, dup, dup2/dup3, fcntl, close_range, exit). Each "closes" test has its twin
 * that shows the fd still resolving when it should, so a handler that does nothing fails as surely as one that closes
 * too much.
 */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { LimitExceeded } from '../../src/limits.js';
import { FdTable, type FdBudget } from '../../src/model/fds.js';
import { ProcessModel, type Access } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import { feed } from '../helpers.js';

const d = (p: string, cloexec = false) => ({ path: p, cloexec });

describe('FdTable', () => {
  test('set counts a new fd once in the budget; overwriting an fd does not count it again', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a'));
    t.set(3, d('/b'));
    t.set(4, d('/c'));
    expect(b.live).toBe(2);
    expect(t.size).toBe(2);
    expect(t.get(3)).toEqual(d('/b'));
  });

  test('close frees a live fd; closing an unknown fd changes nothing', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a'));
    t.close(9);
    expect(b.live).toBe(1);
    expect(t.get(3)).toEqual(d('/a'));
    t.close(3);
    expect(b.live).toBe(0);
    expect(t.get(3)).toBeUndefined();
  });

  test('a shared table keeps its entries until its last user releases it', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a'));
    expect(t.share()).toBe(t);
    t.release();
    expect(t.get(3)).toEqual(d('/a'));
    expect(b.live).toBe(1);
    t.release();
    expect(t.get(3)).toBeUndefined();
    expect(b.live).toBe(0);
  });

  test('dup copies the path without close-on-exec unless asked; dup of an unknown fd closes the target', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a', true));
    t.dup(3, 5);
    expect(t.get(5)).toEqual(d('/a', false));
    t.dup(3, 6, true);
    expect(t.get(6)).toEqual(d('/a', true));
    t.set(7, d('/x'));
    t.dup(42, 7);
    expect(t.get(7)).toBeUndefined();
    expect(b.live).toBe(3);
  });

  test('setCloexec flips the bit both ways, and never invents an fd', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a'));
    t.setCloexec(3, true);
    expect(t.get(3)).toEqual(d('/a', true));
    t.setCloexec(3, false);
    expect(t.get(3)).toEqual(d('/a', false));
    t.setCloexec(8, true);
    expect(t.get(8)).toBeUndefined();
    expect(b.live).toBe(1);
  });

  test('closeRange closes lo..hi inclusive and nothing outside it; the cloexec form only marks', () => {
    const mk = () => {
      const b: FdBudget = { live: 0 };
      const t = new FdTable(b);
      for (const fd of [2, 3, 4, 5, 6]) t.set(fd, d(`/f${fd}`));
      return { t, b };
    };
    const closed = mk();
    closed.t.closeRange(3, 5, false);
    expect([2, 3, 4, 5, 6].map((fd) => closed.t.get(fd)?.path ?? null)).toEqual(['/f2', null, null, null, '/f6']);
    expect(closed.b.live).toBe(2);
    const marked = mk();
    marked.t.closeRange(3, 5, true);
    expect([2, 3, 4, 5, 6].map((fd) => marked.t.get(fd)?.cloexec)).toEqual([false, true, true, true, false]);
    expect(marked.b.live).toBe(5);
  });

  test('clone is a private copy counted in the same budget', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/a'));
    const c = t.clone();
    expect(b.live).toBe(2);
    c.close(3);
    c.set(4, d('/b'));
    expect(t.get(3)).toEqual(d('/a'));
    expect(t.get(4)).toBeUndefined();
    expect(c.get(3)).toBeUndefined();
  });

  test('afterExec keeps the fds without close-on-exec, drops the others, and releases the old table', () => {
    const b: FdBudget = { live: 0 };
    const t = new FdTable(b);
    t.set(3, d('/keep'));
    t.set(4, d('/drop', true));
    const n = t.afterExec();
    expect(n).not.toBe(t);
    expect(n.get(3)).toEqual(d('/keep'));
    expect(n.get(4)).toBeUndefined();
    expect(n.size).toBe(1);
    expect(t.size).toBe(0); // the old table had one user: released
    expect(b.live).toBe(1);
  });

  test('constructed from entries, they are counted', () => {
    const b: FdBudget = { live: 5 };
    const t = new FdTable(b, [
      [3, d('/a')],
      [4, d('/b')],
    ]);
    expect(b.live).toBe(7);
    expect(t.size).toBe(2);
  });
});

function run(lines: string[], maxPaths?: number): { acc: Access[]; warns: string[]; model: ProcessModel } {
  const model = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd: '/start', limits: maxPaths ? { maxPaths } : undefined });
  const acc: Access[] = [];
  const warns: string[] = [];
  for (const ev of feed(strace, lines.join('\n')))
    model.onEvent(
      ev,
      (a) => acc.push(a),
      (_l, m) => warns.push(m),
    );
  return { acc, warns, model };
}
/** Where `openat(<fd>, "x")` lands after the given lines (the last access): a path, or `unresolved`. */
function xUnder(fd: number, lines: string[]): string {
  const { acc } = run([...lines, `1 openat(${fd}, "x", O_RDONLY) = 99`]);
  const a = acc.at(-1)!;
  return a.unresolved ? 'unresolved' : a.path;
}
/** Same, after an exec in between (close-on-exec decides). */
const xAfterExec = (fd: number, lines: string[]) => xUnder(fd, [...lines, '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0']);
const OPEN_D = '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3';
const OPEN_D_CLOEXEC = '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 3';

describe('model: the fd table through syscalls', () => {
  test.each([
    ['an open fd resolves', [OPEN_D], 3, '/d/x'],
    ['close closes it', [OPEN_D, '1 close(3) = 0'], 3, 'unresolved'],
    ['a failed close does not', [OPEN_D, '1 close(3) = -1 EBADF (Bad file descriptor)'], 3, '/d/x'],
    ['close of another fd does not', [OPEN_D, '1 close(4) = 0'], 3, '/d/x'],
    ['a failed open gives no fd', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = -1 ENOENT (No such file or directory)'], 3, 'unresolved'],
    ['dup copies it', [OPEN_D, '1 dup(3) = 5'], 5, '/d/x'],
    ['a failed dup does not', [OPEN_D, '1 dup(3) = -1 EMFILE (Too many open files)'], 5, 'unresolved'],
    ['dup2 copies it', [OPEN_D, '1 dup2(3, 7) = 7'], 7, '/d/x'],
    ['a failed dup2 does not', [OPEN_D, '1 dup2(3, 7) = -1 EBADF (Bad file descriptor)'], 7, 'unresolved'],
    ['dup2 over an open fd replaces it', [OPEN_D, '1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 7', '1 dup2(3, 7) = 7'], 7, '/d/x'],
    ['dup2 from an unknown fd closes the target', ['1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 7', '1 dup2(3, 7) = 7'], 7, 'unresolved'],
    ['F_DUPFD copies it', [OPEN_D, '1 fcntl(3, F_DUPFD, 10) = 10'], 10, '/d/x'],
    ['a failed F_DUPFD does not', [OPEN_D, '1 fcntl(3, F_DUPFD, 10) = -1 EMFILE (Too many open files)'], 10, 'unresolved'],
    ['F_GETFL is not a dup', [OPEN_D, '1 fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)'], 0x8000, 'unresolved'],
    ['close_range closes the range', [OPEN_D, '1 close_range(3, 3, 0) = 0'], 3, 'unresolved'],
    ['close_range above it leaves it', [OPEN_D, '1 close_range(4, ~0U, 0) = 0'], 3, '/d/x'],
    ['a failed close_range leaves it', [OPEN_D, '1 close_range(3, ~0U, 0) = -1 EINVAL (Invalid argument)'], 3, '/d/x'],
    ['close_range to -1 reaches it', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 300', '1 close_range(3, -1, 0) = 0'], 300, 'unresolved'],
    [
      'close_range to 4294967295 reaches it',
      ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 300', '1 close_range(3, 4294967295, 0) = 0'],
      300,
      'unresolved',
    ],
    [
      'close_range to 0xffffffff reaches it',
      ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 300', '1 close_range(3, 0xffffffff, 0) = 0'],
      300,
      'unresolved',
    ],
    ['close_range to ~0 reaches it', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 300', '1 close_range(3, ~0, 0) = 0'], 300, 'unresolved'],
    ['close_range to a number stops there', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 300', '1 close_range(3, 299, 0) = 0'], 300, '/d/x'],
    [
      'a failed execve keeps close-on-exec fds',
      [OPEN_D_CLOEXEC, '1 execve("/nope", ["nope"], 0x0 /* 0 vars */) = -1 ENOENT (No such file or directory)'],
      3,
      '/d/x',
    ],
    ['close_range with CLOSE_RANGE_CLOEXEC keeps it open', [OPEN_D, '1 close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0'], 3, '/d/x'],
  ])('%s', (_t, lines, fd, want) => {
    expect(xUnder(fd, lines)).toBe(want);
  });

  test.each([
    ['an fd without close-on-exec survives exec', [OPEN_D], 3, '/d/x'],
    ['O_CLOEXEC drops it at exec', [OPEN_D_CLOEXEC], 3, 'unresolved'],
    ['a dup does not inherit close-on-exec', [OPEN_D_CLOEXEC, '1 dup(3) = 5'], 5, '/d/x'],
    ['dup3 with O_CLOEXEC sets it', [OPEN_D, '1 dup3(3, 7, O_CLOEXEC) = 7'], 7, 'unresolved'],
    ['dup2 does not set it', [OPEN_D_CLOEXEC, '1 dup2(3, 7) = 7'], 7, '/d/x'],
    ['F_DUPFD_CLOEXEC sets it', [OPEN_D, '1 fcntl(3, F_DUPFD_CLOEXEC, 10) = 10'], 10, 'unresolved'],
    ['F_DUPFD does not', [OPEN_D_CLOEXEC, '1 fcntl(3, F_DUPFD, 10) = 10'], 10, '/d/x'],
    ['F_SETFD FD_CLOEXEC sets it', [OPEN_D, '1 fcntl(3, F_SETFD, FD_CLOEXEC) = 0'], 3, 'unresolved'],
    ['F_SETFD 1 sets it', [OPEN_D, '1 fcntl(3, F_SETFD, 1) = 0'], 3, 'unresolved'],
    ['F_SETFD 0 clears it', [OPEN_D_CLOEXEC, '1 fcntl(3, F_SETFD, 0) = 0'], 3, '/d/x'],
    ['a failed F_SETFD changes nothing', [OPEN_D, '1 fcntl(3, F_SETFD, FD_CLOEXEC) = -1 EBADF (Bad file descriptor)'], 3, '/d/x'],
    ['close_range CLOSE_RANGE_CLOEXEC marks it', [OPEN_D, '1 close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0'], 3, 'unresolved'],
  ])('%s', (_t, lines, fd, want) => {
    expect(xAfterExec(fd, lines)).toBe(want);
  });

  test('getdents on a known fd lists its directory; on an unknown fd it records nothing', () => {
    const { acc } = run([OPEN_D, '1 getdents64(3, 0x1 /* 2 entries */, 32768) = 48', '1 getdents64(8, 0x1 /* 2 entries */, 32768) = 48']);
    expect(acc.map((a) => `${a.op}:${a.path}:${a.syscall}`)).toEqual(['list:/d:openat', 'list:/d:getdents64']);
  });

  test('an exited process frees its fds (the budget), a sharing thread keeps them', () => {
    const alone = run([OPEN_D, '1 +++ exited with 0 +++']);
    expect((alone.model as unknown as { fdBudget: FdBudget }).fdBudget.live).toBe(0);
    const shared = run([
      '1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD}, 88) = 2',
      OPEN_D,
      '2 +++ exited with 0 +++',
      '1 openat(3, "y", O_RDONLY) = 4',
    ]);
    expect(shared.acc.at(-1)?.path).toBe('/d/y');
  });

  test('the fd cap stops a trace that holds more fds than --max-paths; the same count of closed fds passes', () => {
    const opens = (n: number, close: boolean) =>
      Array.from({ length: n }, (_, i) => [`1 openat(AT_FDCWD, "/f${i}", O_RDONLY) = ${i + 3}`, ...(close ? [`1 close(${i + 3}) = 0`] : [])]).flat();
    expect(() => run(opens(6, false), 5)).toThrow(LimitExceeded);
    expect(() => run(opens(6, true), 5)).not.toThrow();
    expect(() => run(opens(5, false), 5)).not.toThrow();
  });
});
