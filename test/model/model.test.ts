/** The process model on small strace fragments: fd tables, cwd, chroot, fork/clone sharing, exec and CLOEXEC. */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { ProcessModel, type Access } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import { feed } from '../helpers.js';

function run(text: string, cwd = '/start'): { acc: Access[]; warns: string[]; model: ProcessModel } {
  const model = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd });
  const acc: Access[] = [];
  const warns: string[] = [];
  for (const ev of feed(strace, text))
    model.onEvent(
      ev,
      (a) => acc.push(a),
      (_l, m) => warns.push(m),
    );
  return { acc, warns, model };
}
const paths = (acc: Access[]) => acc.map((a) => `${a.op}:${a.path}${a.jailPath ? `@${a.jailPath}` : ''}${a.ok ? '' : `!${a.errno}`}`);

describe('process model', () => {
  test('relative paths resolve against the starting cwd, then chdir', () => {
    const { acc } = run(['1 openat(AT_FDCWD, "a", O_RDONLY) = 3', '1 chdir("/tmp") = 0', '1 stat("b", {st_mode=S_IFREG}) = 0'].join('\n'));
    expect(paths(acc)).toEqual(['read:/start/a', 'chdir:/tmp', 'stat:/tmp/b']);
  });

  test('dirfd of *at calls comes from the fd table; fchdir too', () => {
    const { acc } = run(
      ['1 openat(AT_FDCWD, "/etc", O_RDONLY|O_DIRECTORY) = 3', '1 openat(3, "passwd", O_RDONLY) = 4', '1 fchdir(3) = 0', '1 open("group", O_RDONLY) = 5'].join(
        '\n',
      ),
    );
    expect(paths(acc)).toEqual(['list:/etc', 'read:/etc/passwd', 'chdir:/etc', 'read:/etc/group']);
  });

  test('-y decorations give the directory even when the fd table does not know it', () => {
    const { acc } = run('1 openat(7</var/lib>, "x", O_RDONLY) = 8</var/lib/x>');
    expect(paths(acc)).toEqual(['read:/var/lib/x']);
  });

  test('unknown dirfd: the path is kept as printed and a warning says why', () => {
    const { acc, warns } = run('1 openat(9, "x", O_RDONLY) = 3');
    expect(acc[0]).toMatchObject({ path: 'x', unresolved: true });
    expect(warns[0]).toMatch(/under a directory the trace never saw opened/);
  });

  test('close, dup2 and F_DUPFD keep the table right', () => {
    const { acc } = run(
      [
        '1 openat(AT_FDCWD, "/d1", O_RDONLY|O_DIRECTORY) = 3',
        '1 dup2(3, 10) = 10',
        '1 close(3) = 0',
        '1 openat(10, "f", O_RDONLY) = 3',
        '1 fcntl(10, F_DUPFD_CLOEXEC, 20) = 20',
        '1 openat(20, "g", O_RDONLY) = 4',
      ].join('\n'),
    );
    expect(paths(acc)).toEqual(['list:/d1', 'read:/d1/f', 'read:/d1/g']);
  });

  test('chroot: later paths are inside the new root, with both spellings recorded', () => {
    const { acc } = run(
      [
        '1 chroot("/srv/jail") = 0',
        '1 chdir("/") = 0',
        '1 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 ENOENT (No such file or directory)',
        '1 execve("/bin/sh", ["sh"], 0x0 /* 0 vars */) = 0',
      ].join('\n'),
    );
    expect(paths(acc)).toEqual(['chroot:/srv/jail', 'chdir:/srv/jail@/', 'read:/srv/jail/etc/passwd@/etc/passwd!ENOENT', 'exec:/srv/jail/bin/sh@/bin/sh']);
  });

  test('fork copies cwd; CLONE_FS shares it; threads share the fd table', () => {
    const { acc } = run(
      [
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
        '1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD}, 88) = 3',
        '2 chdir("/forked") = 0',
        '3 chdir("/thread") = 0',
        '1 open("x", O_RDONLY) = 4',
        '2 open("y", O_RDONLY) = 4',
      ].join('\n'),
    );
    expect(paths(acc).slice(2)).toEqual(['read:/thread/x', 'read:/forked/y']);
  });

  test("a child whose lines come before the parent's clone returns is attached to that parent", () => {
    const { model } = run(
      [
        '1 chdir("/p") = 0',
        '1 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88 <unfinished ...>',
        '2 execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0',
        '1 <... clone3 resumed>) = 2',
      ].join('\n'),
    );
    const child = model.all.find((p) => p.pid === 2)!;
    expect(child.parent).toBe(1);
    expect(child.exe).toBe('/bin/true');
  });

  test('exec drops close-on-exec fds', () => {
    const { acc, warns } = run(
      [
        '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 3',
        '1 openat(AT_FDCWD, "/k", O_RDONLY|O_DIRECTORY) = 4',
        '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0',
        '1 openat(4, "a", O_RDONLY) = 5',
        '1 openat(3, "b", O_RDONLY) = 6',
      ].join('\n'),
    );
    expect(paths(acc).slice(3)).toEqual(['read:/k/a', 'read:b']);
    expect(warns).toHaveLength(1);
  });

  test('AF_UNIX connect is a file; abstract sockets and AF_INET are not', () => {
    const { acc } = run(
      [
        '1 connect(3, {sa_family=AF_UNIX, sun_path="/dev/log"}, 110) = -1 ENOENT (No such file or directory)',
        '1 connect(4, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = 0',
        '1 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("1.1.1.1")}, 16) = 0',
      ].join('\n'),
    );
    expect(paths(acc)).toEqual(['connect:/dev/log!ENOENT']);
  });

  test('open flags classify the access; AT_EMPTY_PATH stat of an fd is not a path', () => {
    const { acc } = run(
      [
        '1 openat(AT_FDCWD, "/w", O_WRONLY|O_TRUNC) = 3',
        '1 openat(AT_FDCWD, "/c", O_RDWR|O_CREAT, 0644) = 4',
        '1 openat(AT_FDCWD, "/p", O_RDONLY|O_PATH) = 5',
        '1 newfstatat(3, "", {st_mode=S_IFREG}, AT_EMPTY_PATH) = 0',
        '1 creat("/n", 0644) = 6',
      ].join('\n'),
    );
    expect(paths(acc)).toEqual(['write:/w', 'create:/c', 'stat:/p', 'create:/n']);
  });

  test('rename and link record both paths; readlink records its target', () => {
    const { acc } = run(['1 renameat2(AT_FDCWD, "/a", AT_FDCWD, "/b", 0) = 0', '1 readlink("/lib", "usr/lib", 4095) = 7'].join('\n'));
    expect(paths(acc)).toEqual(['other:/a', 'other:/b', 'readlink:/lib', 'stat:/usr/lib']);
    expect(acc[2].target).toBe('usr/lib');
    expect(acc[3].resolvedFrom).toBe('/lib');
  });
});

describe('found in review', () => {
  test('a relative .. inside a chroot stops at the root', () => {
    const { acc } = run(
      [
        '1 chroot("/srv/jail") = 0',
        '1 chdir("/") = 0',
        '1 openat(AT_FDCWD, "../../etc/ssh/sshd_config", O_RDONLY) = -1 ENOENT (No such file or directory)',
      ].join('\n'),
      '/srv/jail',
    );
    expect(paths(acc).pop()).toBe('read:/srv/jail/etc/ssh/sshd_config@/etc/ssh/sshd_config!ENOENT');
  });

  test('fchdir to an unknown fd: later relative paths are unresolved, not resolved against the old cwd', () => {
    const { acc } = run(
      ['1 chdir("/home/u") = 0', '1 fchdir(9) = 0', '1 openat(AT_FDCWD, "x", O_RDONLY) = 3', '1 openat(AT_FDCWD, "/abs", O_RDONLY) = 4'].join('\n'),
    );
    expect(acc.slice(1).map((a) => [a.path, a.unresolved ?? false])).toEqual([
      ['x', true],
      ['/abs', false],
    ]);
  });
});

describe('found in review, model details', () => {
  test("a reused pid does not inherit a vanished thread's state", () => {
    const { acc } = run(
      [
        '1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD}, 88) = 5',
        '5 openat(AT_FDCWD, "/old", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 7',
        '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0',
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 5',
        '5 openat(7, "child-rel", O_RDONLY) = 3',
      ].join('\n'),
    );
    // the new pid 5 is a fork of the exec'd process: fd 7 (closed by the exec) is unknown to it
    expect(acc.at(-1)).toMatchObject({ path: 'child-rel', unresolved: true });
  });

  test('dup2(fd, fd) keeps close-on-exec; close_range closes a range', () => {
    const { acc } = run(
      [
        '1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = 3',
        '1 dup2(3, 3) = 3',
        '1 openat(AT_FDCWD, "/e", O_RDONLY|O_DIRECTORY) = 4',
        '1 close_range(4, ~0U, 0) = 0',
        '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0',
        '1 openat(3, "a", O_RDONLY) = 5',
        '1 openat(4, "b", O_RDONLY) = 6',
      ].join('\n'),
    );
    expect(acc.slice(-2).map((a) => [a.path, a.unresolved ?? false])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  test('execveat(fd, "", AT_EMPTY_PATH) runs the program the fd names', () => {
    const { model } = run(
      ['1 openat(AT_FDCWD, "/usr/bin/prog", O_RDONLY|O_PATH) = 3', '1 execveat(3, "", ["prog"], 0x0 /* 0 vars */, AT_EMPTY_PATH) = 0'].join('\n'),
    );
    expect(model.all[0].exe).toBe('/usr/bin/prog');
  });
});
