/**
 * What a tracer says a path really is becomes an access of its own (`resolvedFrom` = the name used), so a jail built
 * from an offline trace gets the real file as well as the link: Solaris resolvepath's output, readlink's content,
 * strace -y's `3</real/path>`. Never from a string cut short, /proc's magic links, or a deleted file.
 */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { trussSolaris } from '../../parsers/truss-solaris.js';
import type { Dialect } from '../../parsers/types.js';
import { ProcessModel, type Access } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import type { Platform } from '../../src/syscalls.js';
import { feed } from '../helpers.js';

function run(text: string, dialect: Dialect = strace, platform: Platform = 'linux'): Access[] {
  const model = new ProcessModel({ table: syscallTable(platform), platform, cwd: '/start' });
  const acc: Access[] = [];
  for (const ev of feed(dialect, text))
    if (ev.kind !== 'warning')
      model.onEvent(
        ev,
        (a) => acc.push(a),
        () => undefined,
      );
  return acc;
}
const show = (acc: Access[]) => acc.map((a) => `${a.op}:${a.path}${a.jailPath ? `@${a.jailPath}` : ''}${a.resolvedFrom ? `<=${a.resolvedFrom}` : ''}`);

describe('Solaris resolvepath', () => {
  test('the second argument is the real file: recorded as what the first resolves to', () => {
    // sol10-x86-bash-nof.truss line 9 (shared corpus; Solaris 10 x86)
    const acc = run('resolvepath("/usr/lib/ld.so.1", "/lib/ld.so.1", 1023) = 12', trussSolaris, 'solaris');
    expect(show(acc)).toEqual(['readlink:/usr/lib/ld.so.1', 'stat:/lib/ld.so.1<=/usr/lib/ld.so.1']);
    expect(acc[0].target).toBe('/lib/ld.so.1');
    expect(acc[1]).toMatchObject({ ok: true, syscall: 'resolvepath', line: 1 });
  });
  test('a path that resolves to itself adds nothing; a failed resolvepath adds nothing', () => {
    expect(show(run('resolvepath("/usr/bin/bash", "/usr/bin/bash", 1023) = 13', trussSolaris, 'solaris'))).toEqual(['readlink:/usr/bin/bash']);
    expect(show(run('resolvepath("/nope", 0x08047000, 1023)\t\tErr#2 ENOENT', trussSolaris, 'solaris'))).toEqual(['readlink:/nope']);
  });
  test('inside a chroot the output is inside the root too', () => {
    const acc = run(['chroot("/var/jail")\t\t\t\t= 0', 'resolvepath("/usr/lib/ld.so.1", "/lib/ld.so.1", 1023) = 12'].join('\n'), trussSolaris, 'solaris');
    expect(show(acc).slice(1)).toEqual([
      'readlink:/var/jail/usr/lib/ld.so.1@/usr/lib/ld.so.1',
      'stat:/var/jail/lib/ld.so.1@/lib/ld.so.1<=/var/jail/usr/lib/ld.so.1',
    ]);
  });
});

describe('readlink', () => {
  test("relative content resolves from the link's directory; absolute content as it is", () => {
    expect(show(run('1 readlink("/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 4095) = 44'))).toEqual([
      'readlink:/lib64/ld-linux-x86-64.so.2',
      'stat:/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2<=/lib64/ld-linux-x86-64.so.2',
    ]);
    expect(show(run('1 readlinkat(AT_FDCWD, "/etc/localtime", "/usr/share/zoneinfo/Etc/UTC", 4095) = 27'))).toEqual([
      'readlink:/etc/localtime',
      'stat:/usr/share/zoneinfo/Etc/UTC<=/etc/localtime',
    ]);
  });
  test('a relative link under a relative name resolves from the cwd', () => {
    expect(show(run(['1 chdir("/usr") = 0', '1 readlink("lib/a", "b", 4095) = 1'].join('\n'))).slice(1)).toEqual([
      'readlink:/usr/lib/a',
      'stat:/usr/lib/b<=/usr/lib/a',
    ]);
  });
  test('/proc/self/exe names a real program; /proc fd links to sockets and pipes name no file', () => {
    expect(show(run('1 readlink("/proc/self/exe", "/usr/bin/python3.11", 4096) = 19'))).toEqual([
      'readlink:/proc/self/exe',
      'stat:/usr/bin/python3.11<=/proc/self/exe',
    ]);
    expect(show(run('1 readlink("/proc/self/fd/3", "socket:[12345]", 4096) = 14'))).toEqual(['readlink:/proc/self/fd/3']);
    expect(show(run('1 readlinkat(AT_FDCWD, "/proc/self/fd/0", "pipe:[777]", 4096) = 10'))).toEqual(['readlink:/proc/self/fd/0']);
  });
  test('content cut short by -s, a deleted file and a failed call add nothing', () => {
    expect(show(run('1 readlink("/a/link", "/very/long/target/that/strace/cut"..., 4095) = 200'))).toEqual(['readlink:/a/link']);
    expect(show(run('1 readlink("/proc/self/exe", "/tmp/x (deleted)", 4096) = 16'))).toEqual(['readlink:/proc/self/exe']);
    expect(show(run('1 readlink("/etc/passwd", 0x7ffd, 4095) = -1 EINVAL (Invalid argument)'))).toEqual(['readlink:/etc/passwd']);
  });
});

describe('strace -y decorations', () => {
  test('an open whose fd names another file records that file too, with the same op', () => {
    const acc = run('1 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libc.so.6>');
    expect(show(acc)).toEqual(['read:/lib/x86_64-linux-gnu/libc.so.6', 'read:/usr/lib/x86_64-linux-gnu/libc.so.6<=/lib/x86_64-linux-gnu/libc.so.6']);
  });
  test('a decoration equal to the path adds nothing; sockets, -yy device suffixes and deleted files add nothing new', () => {
    expect(show(run('1 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3</etc/passwd>'))).toEqual(['read:/etc/passwd']);
    expect(show(run('1 openat(AT_FDCWD, "/dev/null", O_RDWR) = 3</dev/null<char 1:3>>'))).toEqual(['write:/dev/null']);
    expect(show(run('1 openat(AT_FDCWD, "/tmp/f", O_RDONLY) = 3</tmp/f (deleted)>'))).toEqual(['read:/tmp/f']);
  });
  test('a relative name under an unknown directory fd: the decoration is the file, not a resolution of it', () => {
    const acc = run('1 openat(9, "x", O_RDONLY) = 3</srv/x>');
    expect(show(acc)).toEqual(['read:x', 'read:/srv/x']);
    expect(acc[1].resolvedFrom).toBeUndefined();
  });
  test('in a chroot the decoration is a host path (strace reads /proc/PID/fd)', () => {
    const acc = run(['1 chroot("/srv/jail") = 0', '1 openat(AT_FDCWD, "/lib/libc.so.6", O_RDONLY) = 3</srv/jail/usr/lib/libc.so.6>'].join('\n'));
    expect(show(acc).slice(1)).toEqual([
      'read:/srv/jail/lib/libc.so.6@/lib/libc.so.6',
      'read:/srv/jail/usr/lib/libc.so.6@/usr/lib/libc.so.6<=/srv/jail/lib/libc.so.6',
    ]);
  });
});
