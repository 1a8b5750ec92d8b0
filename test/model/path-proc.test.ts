/**
 * path.ts and proc.ts at their edges: normalize's fast path against its slow one (each shape that must take the slow
 * path), relative results, dirname and insideRoot near misses, flat, and what clone flags share.
 */
import { describe, expect, test } from 'vitest';
import { FdTable } from '../../src/model/fds.js';
import { dirname, flat, fromBytes, insideRoot, join, normalize, toBytes, underRoot } from '../../src/model/path.js';
import { cloneShare, forkProc, type Proc } from '../../src/model/proc.js';

describe('normalize: every shape that needs the slow path gets it', () => {
  test.each([
    ['', ''],
    ['/a/.', '/a'],
    ['/a/./b', '/a/b'],
    ['/.hidden', '/.hidden'],
    ['/a/..', '/'],
    ['/a//b', '/a/b'],
    ['//a', '/a'],
    ['/a/b/', '/a/b'],
    ['/', '/'],
    ['/a', '/a'],
    ['a', 'a'],
    ['a/', 'a'],
    ['.', '.'],
    ['..', '..'],
    ['../..', '../..'],
    ['a/..', '.'],
    ['a/b/../..', '.'],
    ['../a/../b', '../b'],
    ['/a/b/c/../../d', '/a/d'],
  ])('normalize(%j) = %j', (p, want) => {
    expect(normalize(p)).toBe(want);
  });

  test('join: relative to / and to a directory; .. climbs; an absolute path ignores the base', () => {
    expect(join('/', 'a/../b')).toBe('/b');
    expect(join('/d', './x/')).toBe('/d/x');
    expect(join('/d/e', '../../../x')).toBe('/x');
    expect(join('/d', '//abs/./y')).toBe('/abs/y');
  });

  test('underRoot normalizes under a root, leaves paths alone under /', () => {
    expect(underRoot('/j', '/a/../b')).toBe('/j/b');
    expect(underRoot('/j', '/')).toBe('/j');
    expect(underRoot('/', '/a/../b')).toBe('/a/../b');
  });

  test('insideRoot: under /, everything; the root itself is /; a sibling with the same prefix is not inside', () => {
    expect(insideRoot('/', '/x')).toBe('/x');
    expect(insideRoot('/j', '/j')).toBe('/');
    expect(insideRoot('/j', '/j/a/b')).toBe('/a/b');
    expect(insideRoot('/j', '/jx')).toBeUndefined();
    expect(insideRoot('/j', '/')).toBeUndefined();
  });

  test('dirname: of a top-level name, of a relative name, of a deep path', () => {
    expect(dirname('/a/b/c')).toBe('/a/b');
    expect(dirname('/a')).toBe('/');
    expect(dirname('a')).toBe('/');
    expect(dirname('a/b')).toBe('a');
  });

  test('flat keeps the value, short and long; bytes convert both ways', () => {
    const long = '/a/long/path/of/more/than/thirteen/chars';
    expect(flat(long)).toBe(long);
    expect(flat('/short')).toBe('/short');
    expect(fromBytes(toBytes('/\xff\xe9'))).toBe('/\xff\xe9');
    expect(toBytes('/\xff')).toEqual(Buffer.from([0x2f, 0xff]));
  });
});

describe('clone flags', () => {
  test.each<[string, { fs: boolean; files: boolean; thread: boolean }]>([
    ['flags=SIGCHLD', { fs: false, files: false, thread: false }],
    ['flags=CLONE_FS|SIGCHLD', { fs: true, files: false, thread: false }],
    ['flags=CLONE_FILES|SIGCHLD', { fs: false, files: true, thread: false }],
    ['flags=CLONE_FS|CLONE_FILES', { fs: true, files: true, thread: false }],
    ['{flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND}', { fs: true, files: true, thread: true }],
  ])('%s shares %o', (text, want) => {
    expect(cloneShare(text)).toEqual(want);
  });

  test('forkProc shares or copies cwd and fds as told, and inherits program and argv', () => {
    const parent: Proc = { pid: 1, fs: { cwd: '/p', root: '/' }, fds: new FdTable(), exe: '/bin/p', argv: ['p'], line: 1 };
    parent.fds.set(3, { path: '/d', cloexec: false });
    const shared = forkProc(parent, 2, { fs: true, files: true }, 5);
    expect([shared.pid, shared.parent, shared.line, shared.exe, shared.argv]).toEqual([2, 1, 5, '/bin/p', ['p']]);
    expect(shared.fs).toBe(parent.fs);
    expect(shared.fds).toBe(parent.fds);
    const copied = forkProc(parent, 3, { fs: false, files: false }, 6);
    expect(copied.fs).not.toBe(parent.fs);
    expect(copied.fs).toEqual(parent.fs);
    expect(copied.fds).not.toBe(parent.fds);
    expect(copied.fds.get(3)).toEqual({ path: '/d', cloexec: false });
    copied.fs.cwd = '/elsewhere';
    expect(parent.fs.cwd).toBe('/p');
  });
});
