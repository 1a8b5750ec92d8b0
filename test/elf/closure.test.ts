import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { staticClosure, type ClosureResult } from '../../src/elf/closure.js';
import { buildElf, gcc, hasGcc, hasStaticLibc, lddRealpaths, tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LD = '/lib64/ld-linux-x86-64.so.2';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const reals = (r: ClosureResult) => new Set(r.files.map((f) => f.realpath));

const script = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  chmodSync(p, 0o755);
  return p;
};

describe('staticClosure against ldd (the oracle) on real binaries', () => {
  const bins = ['/usr/bin/scp', '/usr/lib/openssh/sftp-server', '/bin/ls', '/usr/bin/ssh', '/usr/bin/python3', '/usr/bin/perl'];
  test.each(bins.filter((b) => existsSync(b)))('%s', async (bin) => {
    const r = await staticClosure([bin]);
    expect(r.unresolved).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(reals(r)).toEqual(lddRealpaths(bin).found);
  });

  test('/usr/bin/scp: loader via PT_INTERP, libc via DT_NEEDED, paths as found', async () => {
    expect(await staticClosure(['/usr/bin/scp'])).toEqual({
      files: [
        { path: LD, realpath: realpathSync(LD), via: 'interp', from: '/usr/bin/scp' },
        { path: LIBC, realpath: realpathSync(LIBC), via: 'needed', from: '/usr/bin/scp', name: 'libc.so.6' },
      ],
      unresolved: [],
      errors: [],
    });
  });

  test('scp + sftp-server share their files; libc’s own NEEDED ld-linux is the already-loaded interpreter', async () => {
    const t0 = performance.now();
    const r = await staticClosure(['/usr/bin/scp', '/usr/lib/openssh/sftp-server']);
    const ms = performance.now() - t0;
    expect(r.files.map((f) => [f.path, f.from])).toEqual([
      [LD, '/usr/bin/scp'],
      [LIBC, '/usr/bin/scp'],
    ]);
    expect(ms).toBeLessThan(2000);
  });

  test('roots are not listed again as dependencies', async () => {
    const r = await staticClosure(['/usr/bin/scp', LIBC]);
    expect(r.files.map((f) => f.path)).toEqual([LD]);
  });

  test('an unresolvable DT_NEEDED is reported with who asked for it', async () => {
    const p = join(tmp, 'needs-missing');
    writeFileSync(p, buildElf({ class: 64, endian: 'le', machine: 62, interp: LD, needed: ['libc.so.6', 'libdoesnotexist.so.7'] }));
    const r = await staticClosure([p]);
    expect(r.files.map((f) => f.path)).toEqual([LD, LIBC]);
    expect(r.unresolved).toEqual([{ name: 'libdoesnotexist.so.7', from: p, via: 'needed' }]);
  });

  test('a missing interpreter is unresolved', async () => {
    const p = join(tmp, 'bad-interp');
    writeFileSync(p, buildElf({ class: 64, endian: 'le', machine: 62, interp: '/lib64/ld-nope.so.9', needed: [] }));
    expect((await staticClosure([p])).unresolved).toEqual([{ name: '/lib64/ld-nope.so.9', from: p, via: 'interp' }]);
  });

  test('garbage and missing roots are errors carrying their path; the other roots go on', async () => {
    const bad = join(tmp, 'garbage-elf');
    writeFileSync(bad, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(20)]));
    const missing = join(tmp, 'no-such-binary');
    const r = await staticClosure([bad, missing, '/usr/bin/scp']);
    expect(r.errors.map((e) => [e.name, e.path])).toEqual([
      ['ElfError', bad],
      ['ElfError', missing],
    ]);
    expect(r.files.map((f) => f.path)).toEqual([LD, LIBC]);
  });

  test('/sbin/ldconfig (static-pie) needs nothing', async () => {
    expect(await staticClosure(['/sbin/ldconfig'])).toEqual({ files: [], unresolved: [], errors: [] });
  });

  test.skipIf(!hasStaticLibc)('a gcc -static binary needs nothing (needs gcc and libc.a)', async () => {
    writeFileSync(join(tmp, 'st.c'), 'int main(void){return 0;}\n');
    gcc(tmp, '-static', '-o', 'st', 'st.c');
    expect(await staticClosure([join(tmp, 'st')])).toEqual({ files: [], unresolved: [], errors: [] });
  });
});

describe.skipIf(!hasGcc)('RPATH, RUNPATH, $ORIGIN and LD_LIBRARY_PATH on programs built with gcc (needs gcc)', () => {
  const app = join(tmp, 'app');
  const bin = join(app, 'bin');
  const lib = join(app, 'lib');
  beforeAll(() => {
    mkdirSync(bin, { recursive: true });
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(tmp, 'bar.c'), 'int bar(void){return 2;}\n');
    writeFileSync(join(tmp, 'foo.c'), 'int bar(void); int foo(void){return bar()+1;}\n');
    writeFileSync(join(tmp, 'main.c'), 'int foo(void); int main(void){return foo()==3?0:1;}\n');
    gcc(tmp, '-shared', '-fPIC', '-o', join(lib, 'libbar.so'), 'bar.c');
    // libfoo finds libbar through its own RUNPATH; libfoo-bare has none.
    gcc(tmp, '-shared', '-fPIC', '-o', join(lib, 'libfoo.so'), 'foo.c', `-L${lib}`, '-lbar', '-Wl,-rpath,$ORIGIN');
    gcc(tmp, '-shared', '-fPIC', '-o', join(lib, 'libfoo-bare.so'), 'foo.c', `-L${lib}`, '-lbar');
    gcc(tmp, '-o', join(bin, 'prog'), 'main.c', `-L${lib}`, '-lfoo', '-Wl,-rpath,$ORIGIN/../lib');
    gcc(tmp, '-o', join(bin, 'prog-runpath'), 'main.c', `-L${lib}`, '-lfoo-bare', '-Wl,-rpath,$ORIGIN/../lib');
    gcc(tmp, '-o', join(bin, 'prog-rpath'), 'main.c', `-L${lib}`, '-lfoo-bare', '-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib');
    gcc(tmp, '-o', join(bin, 'prog-abs'), 'main.c', `-L${lib}`, '-lfoo-bare', `-Wl,--disable-new-dtags,-rpath,${lib}`);
    gcc(tmp, '-o', join(bin, 'prog-plain'), 'main.c', `-L${lib}`, '-lfoo-bare', `-Wl,-rpath-link,${lib}`);
  });

  test('RUNPATH $ORIGIN/../lib, then the library’s own RUNPATH $ORIGIN', async () => {
    const prog = join(bin, 'prog');
    const r = await staticClosure([prog]);
    expect(r.files).toEqual([
      { path: LD, realpath: realpathSync(LD), via: 'interp', from: prog },
      { path: `${bin}/../lib/libfoo.so`, realpath: join(lib, 'libfoo.so'), via: 'needed', from: prog, name: 'libfoo.so' },
      { path: LIBC, realpath: realpathSync(LIBC), via: 'needed', from: prog, name: 'libc.so.6' },
      { path: `${bin}/../lib/libbar.so`, realpath: join(lib, 'libbar.so'), via: 'needed', from: `${bin}/../lib/libfoo.so`, name: 'libbar.so' },
    ]);
    expect(reals(r)).toEqual(lddRealpaths(prog).found);
  });

  test('RUNPATH is not inherited: libbar is unresolved, as ldd says', async () => {
    const prog = join(bin, 'prog-runpath');
    const r = await staticClosure([prog]);
    expect(r.unresolved).toEqual([{ name: 'libbar.so', from: `${bin}/../lib/libfoo-bare.so`, via: 'needed' }]);
    const oracle = lddRealpaths(prog);
    expect(oracle.missing).toEqual(['libbar.so']);
    expect(reals(r)).toEqual(oracle.found);
  });

  test("RPATH (--disable-new-dtags) is inherited: the executable's RPATH finds libbar", async () => {
    const prog = join(bin, 'prog-rpath');
    const r = await staticClosure([prog]);
    expect(r.unresolved).toEqual([]);
    expect(reals(r)).toEqual(lddRealpaths(prog).found);
  });

  test('LD_LIBRARY_PATH is taken from the options, not the environment', async () => {
    const prog = join(bin, 'prog-plain');
    expect((await staticClosure([prog])).unresolved.map((u) => u.name)).toEqual(['libfoo-bare.so']);
    const r = await staticClosure([prog], { ldLibraryPath: lib });
    expect(r.unresolved).toEqual([]);
    expect(reals(r)).toEqual(lddRealpaths(prog, { LD_LIBRARY_PATH: lib }).found);
  });

  test('the same file reached by two paths is listed once, with an alias', async () => {
    const r = await staticClosure([join(bin, 'prog'), join(bin, 'prog-abs')]);
    const bar = r.files.find((f) => f.realpath === join(lib, 'libbar.so'));
    expect(bar).toMatchObject({ path: `${bin}/../lib/libbar.so`, aliases: [join(lib, 'libbar.so')] });
  });
});

describe('staticClosure on scripts', () => {
  test('#!/usr/bin/env python3: env, python3 on PATH, and both their libraries', async () => {
    const s = script('py.sh', '#!/usr/bin/env python3\nprint(1)\n');
    const r = await staticClosure([s], { PATH: '/usr/bin:/bin' });
    expect(r.files.filter((f) => f.via === 'shebang')).toEqual([
      { path: '/usr/bin/env', realpath: realpathSync('/usr/bin/env'), via: 'shebang', from: s },
      { path: '/usr/bin/python3', realpath: realpathSync('/usr/bin/python3'), via: 'shebang', from: s, name: 'python3' },
    ]);
    const expected = new Set([...lddRealpaths('/usr/bin/env').found, ...lddRealpaths('/usr/bin/python3').found]);
    expected.add(realpathSync('/usr/bin/env')).add(realpathSync('/usr/bin/python3'));
    expect(reals(r)).toEqual(expected);
    expect(r.unresolved).toEqual([]);
  });

  test('a script whose interpreter is a script', async () => {
    const inner = script('inner', '#!/bin/sh -e\nexec "$@"\n');
    const outer = script('outer', `#!${inner} --flag\n`);
    const r = await staticClosure([outer]);
    expect(r.files.slice(0, 2).map((f) => [f.path, f.via, f.from])).toEqual([
      [inner, 'shebang', outer],
      ['/bin/sh', 'shebang', inner],
    ]);
    expect(reals(r)).toEqual(new Set([inner, realpathSync('/bin/sh'), ...lddRealpaths('/bin/sh').found]));
  });

  test('script chains stop at the depth bound', async () => {
    let prev = '/bin/sh';
    for (let i = 0; i < 6; i++) prev = script(`chain${i}`, `#!${prev}\n`);
    const r = await staticClosure([prev], { maxShebangDepth: 4 });
    expect(r.files.filter((f) => f.via === 'shebang').map((f) => f.path)).toEqual([5, 4, 3, 2].map((i) => join(tmp, `chain${i - 1}`)));
    expect(r.unresolved).toEqual([{ name: join(tmp, 'chain0'), from: join(tmp, 'chain1'), via: 'shebang' }]);
  });

  test('missing, relative and unfindable interpreters are unresolved', async () => {
    const a = script('missing-interp', '#!/usr/bin/python9\n');
    const b = script('relative-interp', '#!bin/sh\n');
    const c = script('env-missing', '#!/usr/bin/env no-such-command-xyz\n');
    const r = await staticClosure([a, b, c, a], { PATH: '/usr/bin:/bin' }); // a twice: reported once
    expect(r.unresolved).toEqual([
      { name: '/usr/bin/python9', from: a, via: 'shebang' },
      { name: 'bin/sh', from: b, via: 'shebang' },
      { name: 'no-such-command-xyz', from: c, via: 'shebang' },
    ]);
  });

  test('a plain data file needs nothing', async () => {
    expect(await staticClosure([script('data.txt', 'hello\n')])).toEqual({ files: [], unresolved: [], errors: [] });
  });
});

describe('ld.so.conf under an injected root', () => {
  test('a library found only through ld.so.conf', async () => {
    const root = join(tmp, 'confroot');
    const dir = join(tmp, 'conflibs');
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(dir);
    writeFileSync(join(root, 'etc/ld.so.conf'), `${dir}\n`);
    writeFileSync(join(dir, 'libonlyconf.so.1'), buildElf({ class: 64, endian: 'le', machine: 62, soname: 'libonlyconf.so.1' }));
    const p = join(tmp, 'needs-conf');
    writeFileSync(p, buildElf({ class: 64, endian: 'le', machine: 62, interp: LD, needed: ['libonlyconf.so.1'] }));
    expect((await staticClosure([p])).unresolved.map((u) => u.name)).toEqual(['libonlyconf.so.1']);
    const r = await staticClosure([p], { confRoot: root });
    expect(r.files.map((f) => f.path)).toEqual([LD, join(dir, 'libonlyconf.so.1')]);
  });
});
