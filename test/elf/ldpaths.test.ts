import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultLibDirs, expandDst, findLibrary, searchDirs, splitLdLibraryPath, type LoadedObject } from '../../src/elf/ldpaths.js';
import type { ElfInfo } from '../../src/elf/parse.js';
import { buildElf, tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const x64 = (o: Partial<ElfInfo> = {}): ElfInfo => ({
  class: 64,
  endian: 'le',
  machine: 62,
  type: 'dyn',
  needed: [],
  runpath: [],
  rpath: [],
  staticallyLinked: false,
  ...o,
});
const obj = (path: string, info: ElfInfo, parent?: LoadedObject): LoadedObject => ({
  path,
  info,
  origin: path.slice(0, path.lastIndexOf('/')) || '/',
  parent,
});
const v = { origin: '/opt/app/bin', lib: 'lib/x86_64-linux-gnu', platform: 'x86_64' };

describe('expandDst', () => {
  test.each([
    ['$ORIGIN/../lib', '/opt/app/bin/../lib'],
    ['${ORIGIN}/lib', '/opt/app/bin/lib'],
    ['$ORIGIN', '/opt/app/bin'],
    ['/usr/$LIB', '/usr/lib/x86_64-linux-gnu'],
    ['/opt/${LIB}/x', '/opt/lib/x86_64-linux-gnu/x'],
    ['/opt/$PLATFORM/lib', '/opt/x86_64/lib'],
    ['/opt/${PLATFORM}', '/opt/x86_64'],
    ['/opt/$ORIGINAL/x', '/opt/$ORIGINAL/x'], // not a DST: bare names must end at / or end
    ['/opt/$FOO/lib', '/opt/$FOO/lib'], // unknown: kept literally, as glibc does
    ['/usr/lib/', '/usr/lib'],
    ['lib', undefined], // relative to an unknown cwd
    ['', undefined],
  ])('%j → %j', (entry, expected) => {
    expect(expandDst(entry, v)).toBe(expected);
  });
});

describe('defaultLibDirs', () => {
  test.each([
    [{ machine: 62, class: 64, endian: 'le' } as const, ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib']],
    [{ machine: 183, class: 64, endian: 'le' } as const, ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib']],
    [{ machine: 3, class: 32, endian: 'le' } as const, ['/lib/i386-linux-gnu', '/usr/lib/i386-linux-gnu', '/lib32', '/usr/lib32', '/lib', '/usr/lib']],
    [{ machine: 2, class: 32, endian: 'be' } as const, ['/lib', '/usr/lib']], // SPARC: no row
  ])('%j', (m, expected) => {
    expect(defaultLibDirs(m)).toEqual(expected);
  });
});

test('splitLdLibraryPath splits on : and ; and drops empty entries', () => {
  expect(splitLdLibraryPath('/a::/b;/c:')).toEqual(['/a', '/b', '/c']);
  expect(splitLdLibraryPath(undefined)).toEqual([]);
});

describe('searchDirs: the order ld.so uses', () => {
  const env = { ldLibraryPath: ['/llp', '$ORIGIN/llp'], confDirs: ['/conf'], defaultDirs: ['/def'] };
  const dirs = (o: LoadedObject) => searchDirs(o, env).map((d) => `${d.source}:${d.dir}`);

  test('RPATH of the requester, then of its loaders up to the executable, then LD_LIBRARY_PATH, conf, defaults', () => {
    const exe = obj('/app/bin/exe', x64({ rpath: ['$ORIGIN/../lib'] }));
    const liba = obj('/app/lib/liba.so', x64({ rpath: ['/a-rpath'] }), exe);
    const libb = obj('/x/libb.so', x64({ rpath: ['$ORIGIN/b'] }), liba);
    expect(dirs(libb)).toEqual([
      'rpath:/x/b',
      'rpath:/a-rpath',
      'rpath:/app/bin/../lib', // not normalized: bin may be a symlink
      'ld_library_path:/llp',
      'ld_library_path:/app/bin/llp',
      'ld.so.conf:/conf',
      'default:/def',
    ]);
  });
  test('a requester with RUNPATH ignores every RPATH; its RUNPATH comes after LD_LIBRARY_PATH', () => {
    const exe = obj('/app/bin/exe', x64({ rpath: ['/exe-rpath'] }));
    const lib = obj('/app/lib/lib.so', x64({ rpath: ['/ignored'], runpath: ['$ORIGIN/rp'] }), exe);
    expect(dirs(lib)).toEqual(['ld_library_path:/llp', 'ld_library_path:/app/bin/llp', 'runpath:/app/lib/rp', 'ld.so.conf:/conf', 'default:/def']);
  });
  test("RUNPATH is not inherited: a library without one still sees the executable's RPATH, not its RUNPATH", () => {
    const exeRun = obj('/app/bin/exe', x64({ runpath: ['/exe-runpath'] }));
    expect(dirs(obj('/l/lib.so', x64(), exeRun))).not.toContain('runpath:/exe-runpath');
    const exeR = obj('/app/bin/exe', x64({ rpath: ['/exe-rpath'] }));
    expect(dirs(obj('/l/lib.so', x64(), exeR))[0]).toBe('rpath:/exe-rpath');
  });
  test('an object in the chain that has RUNPATH contributes no RPATH', () => {
    const exe = obj('/app/bin/exe', x64({ rpath: ['/exe-rpath'] }));
    const mid = obj('/m/mid.so', x64({ runpath: ['/mid-runpath'], rpath: ['/mid-rpath'] }), exe);
    const leaf = obj('/l/leaf.so', x64(), mid);
    expect(dirs(leaf).filter((d) => d.startsWith('rpath'))).toEqual(['rpath:/exe-rpath']);
  });
  test('$LIB and $PLATFORM follow the executable; duplicates are dropped', () => {
    const exe = obj('/e/exe', x64({ rpath: ['/x/$LIB', '/x/${PLATFORM}', '/x/$LIB'] }));
    expect(searchDirs(exe, { ldLibraryPath: [], confDirs: [] }).map((d) => d.dir)).toEqual([
      '/x/lib/x86_64-linux-gnu',
      '/x/x86_64',
      '/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu',
      '/lib64',
      '/usr/lib64',
      '/lib',
      '/usr/lib',
    ]);
  });
});

describe('findLibrary', () => {
  test('skips a candidate of another class or machine, and a non-ELF one, like ld.so', async () => {
    const [d32, dtxt, dbad, d64] = ['d32', 'dtxt', 'dbad', 'd64'].map((d) => join(tmp, d));
    [d32, dtxt, dbad, d64].forEach((d) => mkdirSync(d));
    writeFileSync(join(d32, 'libz.so.1'), buildElf({ class: 32, endian: 'le', machine: 3, soname: 'libz.so.1' }));
    writeFileSync(join(dtxt, 'libz.so.1'), 'INPUT(-lz)\n');
    writeFileSync(join(dbad, 'libz.so.1'), Buffer.from('\x7fELF\x02\x01', 'latin1'));
    writeFileSync(join(d64, 'libz.so.1'), buildElf({ class: 64, endian: 'le', machine: 62, soname: 'libz.so.1' }));
    const dirs = [join(tmp, 'absent'), d32, dtxt, dbad, d64].map((dir) => ({ dir, source: 'default' as const }));
    const r = await findLibrary('libz.so.1', dirs, { class: 64, endian: 'le', machine: 62 });
    expect(r.hit).toMatchObject({ path: join(d64, 'libz.so.1'), info: { soname: 'libz.so.1' } });
    expect(r.errors.map((e) => e.path)).toEqual([join(dbad, 'libz.so.1')]);
  });
  test('finds the real libc on this host', async () => {
    const r = await findLibrary('libc.so.6', searchDirs(obj('/usr/bin/scp', x64()), { ldLibraryPath: [], confDirs: [] }), x64());
    expect(r).toEqual({ hit: expect.objectContaining({ path: '/lib/x86_64-linux-gnu/libc.so.6', source: 'default' }), errors: [] });
  });
  test('nothing found', async () => {
    expect(await findLibrary('libnope.so.9', [{ dir: '/usr/lib', source: 'default' }], x64())).toEqual({ errors: [] });
  });
});
