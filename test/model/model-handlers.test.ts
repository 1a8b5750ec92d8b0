/**
 * The model's handlers one by one, in-process, each with the case that must change state next to the one that must
 * not (a failed call, an unresolved path): exit, getcwd, symlink, chdir/fchdir/chroot, exec (argv, execveat, the
 * command-line cap), processes whose parent is unknown, the -y cwd, numeric open flags, NUL bytes in paths.
 */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { LimitExceeded } from '../../src/limits.js';
import { ProcessModel, type Access } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import { feed } from '../helpers.js';

interface Warn {
  line: number;
  message: string;
  severity?: string;
}
function run(lines: string[], opts: { cwd?: string; maxPaths?: number } = {}): { acc: Access[]; warns: Warn[]; model: ProcessModel } {
  const model = new ProcessModel({
    table: syscallTable('linux'),
    platform: 'linux',
    cwd: opts.cwd ?? '/start',
    limits: opts.maxPaths ? { maxPaths: opts.maxPaths } : undefined,
  });
  const acc: Access[] = [];
  const warns: Warn[] = [];
  for (const ev of feed(strace, lines.join('\n')))
    model.onEvent(
      ev,
      (a) => acc.push(a),
      (line, message, severity) => warns.push({ line, message, severity }),
    );
  return { acc, warns, model };
}
const last = (lines: string[], opts?: { cwd?: string }) => run(lines, opts).acc.at(-1)!;
const OPEN_X = '1 openat(AT_FDCWD, "x", O_RDONLY) = 9';

describe('exit', () => {
  test('records the code or the signal, with the line', () => {
    const { model } = run(['1 chdir("/a") = 0', '1 +++ exited with 3 +++', '2 chdir("/b") = 0', '2 +++ killed by SIGKILL +++']);
    expect(model.all.map((p) => [p.pid, p.exit])).toEqual([
      [1, { code: 3, signal: undefined, line: 2 }],
      [2, { code: undefined, signal: 'SIGKILL', line: 4 }],
    ]);
    expect(model.procs.size).toBe(0);
  });

  test("a pid seen again after its exit starts afresh (the starting cwd), not with the dead one's cwd", () => {
    const { acc, model } = run(['1 chdir("/a") = 0', '1 +++ exited with 0 +++', '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0', OPEN_X]);
    expect(model.all).toHaveLength(2);
    expect(acc.at(-1)?.path).toBe('/a/x'); // the first process's state is lent to an unknown pid (see below)
  });
});

describe('processes the trace never saw created', () => {
  test('the first pid starts from the starting cwd and root', () => {
    expect(last([OPEN_X], { cwd: '/here' }).path).toBe('/here/x');
  });

  test("a later unknown pid inherits the first process's state, its parent not proven; a copy, not a share", () => {
    const { acc, model } = run([
      '1 chdir("/first") = 0',
      '7 openat(AT_FDCWD, "x", O_RDONLY) = 3',
      '7 chdir("/seven") = 0',
      '1 openat(AT_FDCWD, "y", O_RDONLY) = 4',
    ]);
    expect(acc.map((a) => a.path)).toEqual(['/first', '/first/x', '/seven', '/first/y']);
    const p7 = model.all.find((p) => p.pid === 7)!;
    expect([p7.parent, !p7.parentProven, p7.early]).toEqual([undefined, true, true]); // no fork in flight: no parent guessed
  });

  test('one fork in flight: a new pid is its child, its parent still unproven until the fork returns; two in flight: the latest, unproven', () => {
    const one = run(['1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>', '5 chdir("/c") = 0']).model.all.find((p) => p.pid === 5)!;
    expect([one.parent, !one.parentProven, one.early]).toEqual([1, true, true]);
    const two = run([
      '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
      '1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
      '2 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
      '9 chdir("/c") = 0',
    ]).model.all.find((p) => p.pid === 9)!;
    expect([two.parent, !two.parentProven]).toEqual([2, true]);
  });

  test('a pending call that is not a fork puts nothing in flight', () => {
    const { model } = run(['1 chdir("/p") = 0', '1 read(0, <unfinished ...>', '5 chdir("/c") = 0']);
    expect(model.all.find((p) => p.pid === 5)!.parentProven).not.toBe(true); // unknown parent, not a fork child
  });

  test('a fork result adopts the early child: parent fixed, proven, no longer early, its state kept', () => {
    const { model, acc } = run([
      '1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
      '1 clone(child_stack=NULL, flags=SIGCHLD) = 3',
      '5 chdir("/kid") = 0',
      '1 <... clone resumed>) = 5',
      OPEN_X.replace('1 ', '5 '),
    ]);
    const kid = model.all.find((p) => p.pid === 5)!;
    expect([kid.parent, !kid.parentProven, kid.early]).toEqual([1, false, false]);
    expect(acc.at(-1)?.path).toBe('/kid/x');
    expect(model.all.filter((p) => p.pid === 5)).toHaveLength(1);
  });

  test('a failed fork, or a fork returning 0, makes no process', () => {
    const { model } = run(['1 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)', '1 fork() = 0']);
    expect(model.all.map((p) => p.pid)).toEqual([1]);
  });

  test('seed starts a process from another one (a copy) or from the start', () => {
    const m = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd: '/s' });
    const a = m.seed(10, undefined, 1);
    a.fs.cwd = '/ten';
    const b = m.seed(11, a, 2);
    expect([b.parent, b.fs.cwd, b.fs === a.fs]).toEqual([10, '/ten', false]);
    expect(m.seed(12, undefined, 3).fs).toEqual({ cwd: '/s', root: '/' });
  });

  test('more processes than --max-paths is a LimitExceeded; as many is fine', () => {
    const forks = (n: number) => Array.from({ length: n }, (_, i) => `1 clone(child_stack=NULL, flags=SIGCHLD) = ${i + 2}`);
    expect(() => run(forks(2), { maxPaths: 3 })).not.toThrow();
    expect(() => run(forks(3), { maxPaths: 3 })).toThrow(LimitExceeded);
  });
});

describe('cwd: chdir, fchdir, getcwd, the -y cwd', () => {
  test.each([
    ['chdir moves it', ['1 chdir("/a") = 0'], '/a/x'],
    ['a failed chdir does not', ['1 chdir("/a") = -1 ENOENT (No such file or directory)'], '/start/x'],
    ['a relative chdir is relative', ['1 chdir("a") = 0'], '/start/a/x'],
    ['fchdir to a known fd', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3', '1 fchdir(3) = 0'], '/d/x'],
    ['a failed fchdir does not', ['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3', '1 fchdir(3) = -1 EACCES (Permission denied)'], '/start/x'],
    ['fchdir with a -y path', ['1 fchdir(5</var/y>) = 0'], '/var/y/x'],
    ['a failed fchdir to an unknown fd keeps the cwd', ['1 fchdir(5) = -1 EBADF (Bad file descriptor)'], '/start/x'],
    ['getcwd tells the real cwd', ['1 getcwd("/real", 4096) = 6'], '/real/x'],
    ['a failed getcwd does not', ['1 getcwd(0x7ffc, 1) = -1 ERANGE (Numerical result out of range)'], '/start/x'],
    ['a getcwd that is not absolute does not', ['1 getcwd("(unreachable)/x", 4096) = 15'], '/start/x'],
    ['openat(AT_FDCWD</y>) tells the cwd', ['1 openat(AT_FDCWD</real/y>, "z", O_RDONLY) = 3'], '/real/y/x'],
  ])('%s', (_t, lines, want) => {
    expect(last([...lines, OPEN_X]).path).toBe(want);
  });

  test('chdir and fchdir are recorded as chdir, with their outcome', () => {
    const { acc } = run(['1 chdir("/a") = -1 ENOENT (No such file or directory)', '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3', '1 fchdir(3) = 0']);
    expect(acc.map((a) => [a.op, a.path, a.ok, a.errno, a.syscall])).toEqual([
      ['chdir', '/a', false, 'ENOENT', 'chdir'],
      ['list', '/d', true, undefined, 'openat'],
      ['chdir', '/d', true, undefined, 'fchdir'],
    ]);
  });

  test('fchdir to an unknown fd warns as a note and leaves the cwd unknown', () => {
    const { acc, warns } = run(['1 fchdir(5) = 0', OPEN_X]);
    expect(warns).toEqual([
      { line: 1, message: expect.stringMatching(/^fchdir\(5\): a directory fd opened before the trace began: the cwd of pid 1 is unknown/), severity: 'note' },
      { line: 2, message: expect.stringContaining('under a directory the trace never saw opened'), severity: 'note' },
    ]);
    expect(acc).toMatchObject([{ path: 'x', unresolved: true }]);
  });

  test('a chdir under an unknown cwd is recorded unresolved and does not set the cwd', () => {
    const { acc, warns } = run(['1 fchdir(5) = 0', '1 chdir("sub") = 0', '1 chdir("/abs") = 0', OPEN_X]);
    expect(acc.map((a) => [a.path, a.unresolved ?? false])).toEqual([
      ['sub', true],
      ['/abs', false],
      ['/abs/x', false],
    ]);
    expect(warns.map((w) => w.message.slice(0, 9))).toEqual(['fchdir(5)']); // chdir itself does not warn
  });
});

describe('chroot', () => {
  test.each([
    ['a failed chroot changes nothing', ['1 chroot("/j") = -1 EPERM (Operation not permitted)', '1 chdir("/") = 0'], { path: '/x', jailPath: undefined }],
    ['a chroot under an unknown cwd changes nothing', ['1 fchdir(5) = 0', '1 chroot("j") = 0', '1 chdir("/") = 0'], { path: '/x', jailPath: undefined }],
    ['chroot then chdir /: inside', ['1 chroot("/j") = 0', '1 chdir("/") = 0'], { path: '/j/x', jailPath: '/x' }],
    [
      'chroot without chdir: the cwd is left outside, as the kernel allows',
      ['1 chdir("/out") = 0', '1 chroot("/j") = 0'],
      { path: '/out/x', jailPath: undefined },
    ],
    ['chroot without chdir, cwd below the new root', ['1 chdir("/j/sub") = 0', '1 chroot("/j") = 0'], { path: '/j/sub/x', jailPath: '/sub/x' }],
  ])('%s', (_t, lines, want) => {
    expect(last([...lines, OPEN_X])).toMatchObject(want);
  });

  test('getcwd inside a chroot is under the root', () => {
    expect(last(['1 chroot("/j") = 0', '1 getcwd("/in", 4096) = 4', OPEN_X])).toMatchObject({ path: '/j/in/x', jailPath: '/in/x' });
  });

  test('fdop and fchdir inside a chroot give the jail path too', () => {
    const { acc } = run([
      '1 chroot("/j") = 0',
      '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3',
      '1 getdents64(3, 0x1 /* 2 entries */, 32768) = 48',
      '1 fchdir(3) = 0',
    ]);
    expect(acc.slice(2).map((a) => [a.op, a.path, a.jailPath])).toEqual([
      ['list', '/j/d', '/d'],
      ['chdir', '/j/d', '/d'],
    ]);
  });

  test('rename inside a chroot maps both paths', () => {
    const { acc } = run(['1 chroot("/j") = 0', '1 rename("/a", "/b") = 0']);
    expect(acc.slice(1).map((a) => [a.op, a.path, a.jailPath])).toEqual([
      ['other', '/j/a', '/a'],
      ['other', '/j/b', '/b'],
    ]);
  });
});

describe('exec', () => {
  test('a successful exec sets the program and argv (the line stays where the process first appeared); a failed one sets nothing', () => {
    const { model } = run([
      '1 execve("/nope", ["nope"], 0x0 /* 0 vars */) = -1 ENOENT (No such file or directory)',
      '1 execve("/bin/ls", ["ls", "-l"], 0x0 /* 0 vars */) = 0',
    ]);
    expect(model.all[0]).toMatchObject({ exe: '/bin/ls', argv: ['ls', '-l'], line: 1 });
    const failed = run(['1 execve("/nope", ["nope"], 0x0 /* 0 vars */) = -1 ENOENT (No such file or directory)']).model.all[0];
    expect([failed.exe, failed.argv]).toEqual([undefined, undefined]);
  });

  test('a relative exec resolves against the cwd; execveat against its dirfd', () => {
    const { model, acc } = run(['1 chdir("/opt") = 0', '1 execve("./run", ["run"], 0x0 /* 0 vars */) = 0']);
    expect(model.all[0].exe).toBe('/opt/run');
    expect(acc.at(-1)).toMatchObject({ op: 'exec', path: '/opt/run' });
    const at = run(['1 openat(AT_FDCWD, "/usr/bin", O_RDONLY|O_DIRECTORY) = 3', '1 execveat(3, "env", ["env"], 0x0 /* 0 vars */, 0) = 0']);
    expect(at.model.all[0].exe).toBe('/usr/bin/env');
  });

  test('execveat(fd, "") of a known fd records the exec; of an unknown fd records nothing; a failed one keeps exe', () => {
    const known = run(['1 openat(AT_FDCWD, "/usr/bin/prog", O_RDONLY|O_PATH) = 3', '1 execveat(3, "", ["prog"], 0x0 /* 0 vars */, AT_EMPTY_PATH) = 0']);
    expect(known.acc.at(-1)).toMatchObject({ op: 'exec', path: '/usr/bin/prog', ok: true, syscall: 'execveat', line: 2, pid: 1 });
    const unknown = run(['1 execveat(3, "", ["prog"], 0x0 /* 0 vars */, AT_EMPTY_PATH) = 0']);
    expect(unknown.acc).toEqual([]);
    expect(unknown.model.all[0].exe).toBeUndefined();
    const deco = run(['1 execveat(3</usr/bin/tool>, "", ["tool"], 0x0 /* 0 vars */, AT_EMPTY_PATH) = 0']);
    expect(deco.model.all[0].exe).toBe('/usr/bin/tool');
    const failed = run([
      '1 execve("/bin/a", ["a"], 0x0 /* 0 vars */) = 0',
      '1 openat(AT_FDCWD, "/usr/bin/prog", O_RDONLY|O_PATH) = 3',
      '1 execveat(3, "", ["prog"], 0x0 /* 0 vars */, AT_EMPTY_PATH) = -1 EACCES (Permission denied)',
    ]);
    expect(failed.model.all[0].exe).toBe('/bin/a');
    expect(failed.acc.at(-1)).toMatchObject({ op: 'exec', path: '/usr/bin/prog', ok: false, errno: 'EACCES' });
  });

  test('the command-line cap counts program and argv characters: over it is a LimitExceeded, at it is fine', () => {
    // maxPaths 1 → 256 characters of command lines
    const exec = (argLen: number) => [`1 execve("/b", ["${'a'.repeat(argLen)}"], 0x0 /* 0 vars */) = 0`];
    expect(() => run(exec(254), { maxPaths: 1 })).not.toThrow(); // 2 + 254 = 256
    expect(() => run(exec(255), { maxPaths: 1 })).toThrow(LimitExceeded);
    expect(() => run([...exec(100), ...exec(100)], { maxPaths: 1 })).not.toThrow(); // 204 ... then 408: the count adds up
  });
});

describe('paths and flags', () => {
  test('numeric open flags are decoded: 0x241 and 577 are O_WRONLY|O_CREAT|O_TRUNC, 0 is a read', () => {
    const { acc } = run(['1 open("/h", 0x241, 0644) = 3', '1 open("/d", 577, 0644) = 4', '1 open("/r", 0) = 5']);
    expect(acc.map((a) => a.op)).toEqual(['create', 'create', 'read']);
  });

  test('an fd from a failed open is not recorded; fd 0 from a successful one is', () => {
    const { acc } = run(['1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 0', '1 openat(0, "a", O_RDONLY) = 3']);
    expect(acc.at(-1)?.path).toBe('/d/a');
  });

  test('an empty path to open records nothing; a stat of "" (AT_EMPTY_PATH) neither', () => {
    expect(
      run(['1 openat(AT_FDCWD, "", O_RDONLY) = -1 ENOENT (No such file or directory)', '1 newfstatat(3, "", {st_mode=S_IFREG}, AT_EMPTY_PATH) = 0']).acc,
    ).toEqual([]);
  });

  test('a path with a NUL byte is dropped with a warning naming the line; a clean path after it is kept', () => {
    const { acc, warns } = run(['1 openat(AT_FDCWD, "/a\\0b", O_RDONLY) = 3', '1 stat("/c", {st_mode=S_IFREG}) = 0']);
    expect(acc.map((a) => a.path)).toEqual(['/c']);
    expect(warns).toEqual([
      { line: 1, message: 'openat: a path argument holds a NUL byte (no kernel path can): a corrupt line, path ignored', severity: undefined },
    ]);
  });

  test('symlink records the link as created, with its target; readlink keeps the target only when it worked', () => {
    const { acc } = run([
      '1 symlinkat("../t", AT_FDCWD, "/l") = 0',
      '1 symlink("/abs", "/m") = 0',
      '1 readlink("/gone", 0x1, 4096) = -1 ENOENT (No such file or directory)',
    ]);
    expect(acc.map((a) => [a.op, a.path, a.target])).toEqual([
      ['create', '/l', '../t'],
      ['create', '/m', '/abs'],
      ['readlink', '/gone', undefined],
    ]);
  });

  test('an unknown dirfd warns with the syscall name, as a note, on the right line', () => {
    const { warns } = run(['1 chdir("/a") = 0', '1 openat(9, "x", O_RDONLY) = 3', '1 mkdirat(9, "y", 0755) = 0']);
    expect(warns).toEqual([
      {
        line: 2,
        message: 'openat: relative path under a directory the trace never saw opened (normal in strace -p and -Z traces): listed as printed, left out of jails',
        severity: 'note',
      },
      {
        line: 3,
        message:
          'mkdirat: relative path "y" under a directory the trace never saw opened (normal in strace -p and -Z traces): listed as printed, left out of jails',
        severity: 'note',
      },
    ]);
  });

  test('wants() names the syscalls the table knows', () => {
    const m = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd: '/' });
    expect([m.wants('openat'), m.wants('close_range'), m.wants('getpid')]).toEqual([true, true, false]);
  });

  test('a syscall the table does not know records nothing and changes nothing', () => {
    expect(run(['1 getpid() = 1', '1 write(1, "/etc/passwd", 11) = 11']).acc).toEqual([]);
  });

  test('AF_UNIX connect without sun_path= (the FreeBSD spelling) is a file; an empty path is not', () => {
    const { acc } = run([
      '1 connect(3, { AF_UNIX "/var/run/log" }, 106) = 0',
      '1 connect(3, {sa_family=AF_UNIX, sun_path=""}, 110) = 0',
      '1 connect(3, {sa_family=AF_UNIX}, 110) = 0',
    ]);
    expect(acc.map((a) => [a.op, a.path])).toEqual([['connect', '/var/run/log']]);
  });
});
