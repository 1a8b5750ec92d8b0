import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ElfError, readElfInfo } from '../../src/elf/elf.js';
import { buildElf, gcc, hasGcc, hasStaticLibc, tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const X86_64 = { class: 64, endian: 'le', machine: 62 } as const;
const LD = '/lib64/ld-linux-x86-64.so.2';
const isElf = (p: string) => {
  const fd = openSync(p, 'r');
  const head = Buffer.alloc(4);
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return head.equals(Buffer.from('\x7fELF', 'latin1'));
};

describe('readElfInfo on real files of this Debian 12 host', () => {
  test.each([
    {
      path: '/bin/ls',
      expected: { ...X86_64, type: 'dyn', interp: LD, needed: ['libselinux.so.1', 'libc.so.6'], runpath: [], rpath: [], staticallyLinked: false },
    },
    { path: '/usr/bin/scp', expected: { ...X86_64, type: 'dyn', interp: LD, needed: ['libc.so.6'], runpath: [], rpath: [], staticallyLinked: false } },
    {
      path: '/usr/lib/openssh/sftp-server',
      expected: { ...X86_64, type: 'dyn', interp: LD, needed: ['libc.so.6'], runpath: [], rpath: [], staticallyLinked: false },
    },
    {
      path: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      expected: { ...X86_64, type: 'dyn', interp: LD, needed: ['ld-linux-x86-64.so.2'], runpath: [], rpath: [], soname: 'libc.so.6', staticallyLinked: false },
    },
    { path: LD, expected: { ...X86_64, type: 'dyn', needed: [], runpath: [], rpath: [], soname: 'ld-linux-x86-64.so.2', staticallyLinked: true } },
    // Debian's ldconfig is static-pie: ET_DYN with a PT_DYNAMIC but no interpreter and no DT_NEEDED.
    { path: '/sbin/ldconfig', expected: { ...X86_64, type: 'dyn', needed: [], runpath: [], rpath: [], staticallyLinked: true } },
  ])('$path', async ({ path, expected }) => {
    expect(await readElfInfo(path)).toEqual(expected);
  });

  /** readelf is the oracle for every library in the multiarch dir (a few hundred real files). */
  test('agrees with readelf on interp, NEEDED, SONAME, RPATH, RUNPATH', async () => {
    const dir = '/usr/lib/x86_64-linux-gnu';
    const libs = readdirSync(dir)
      .filter((n) => /\.so(\.\d+)*$/.test(n))
      .slice(0, 150)
      .map((n) => join(dir, n));
    libs.push('/bin/ls', '/usr/bin/ssh', '/usr/bin/perl', '/usr/bin/python3');
    let compared = 0;
    for (const path of libs.filter((p) => existsSync(p))) {
      if (!isElf(path)) continue; // linker scripts like libc.so
      const out = execFileSync('readelf', ['-dlW', path], { encoding: 'utf8' });
      const tag = (t: string) => [...out.matchAll(new RegExp(`\\(${t}\\)\\s+\\S.*?: \\[(.*)\\]`, 'g'))].map((m) => m[1]);
      const interp = /Requesting program interpreter: (.*)\]/.exec(out)?.[1];
      const info = await readElfInfo(path);
      expect({ path, interp: info?.interp, needed: info?.needed, soname: info?.soname, rpath: info?.rpath, runpath: info?.runpath }).toEqual({
        path,
        interp,
        needed: tag('NEEDED'),
        soname: tag('SONAME')[0],
        rpath: tag('RPATH').flatMap((s) => s.split(':')),
        runpath: tag('RUNPATH').flatMap((s) => s.split(':')),
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });

  test.skipIf(!hasStaticLibc)('a binary built with gcc -static (needs gcc and libc.a)', async () => {
    writeFileSync(join(tmp, 'hello.c'), 'int main(void){return 0;}\n');
    gcc(tmp, '-static', '-o', 'hello-static', 'hello.c');
    expect(await readElfInfo(join(tmp, 'hello-static'))).toEqual({ ...X86_64, type: 'exec', needed: [], runpath: [], rpath: [], staticallyLinked: true });
  });

  test.skipIf(!hasGcc)('RUNPATH and SONAME written by gcc (needs gcc)', async () => {
    writeFileSync(join(tmp, 'foo.c'), 'int foo(void){return 1;}\n');
    gcc(tmp, '-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-Wl,-rpath,$ORIGIN/../x:/opt/y', '-o', 'libfoo.so.1', 'foo.c');
    expect(await readElfInfo(join(tmp, 'libfoo.so.1'))).toMatchObject({ soname: 'libfoo.so.1', runpath: ['$ORIGIN/../x', '/opt/y'], rpath: [] });
  });

  test('a hand-built 32-bit big-endian file read from disk', async () => {
    const p = join(tmp, 'sparc');
    writeFileSync(p, buildElf({ class: 32, endian: 'be', machine: 2, type: 2, interp: '/usr/lib/ld.so.1', needed: ['libc.so.1'] }));
    expect(await readElfInfo(p)).toMatchObject({ class: 32, endian: 'be', machine: 2, interp: '/usr/lib/ld.so.1', needed: ['libc.so.1'] });
  });
});

describe('readElfInfo on things that are not (good) ELF', () => {
  test('a text file is not ELF', async () => {
    const p = join(tmp, 'notes.txt');
    writeFileSync(p, 'just text\n');
    expect(await readElfInfo(p)).toBeUndefined();
  });
  test('an empty file is not ELF', async () => {
    const p = join(tmp, 'empty');
    writeFileSync(p, '');
    expect(await readElfInfo(p)).toBeUndefined();
  });
  test('an AIX XCOFF binary is not ELF', async () => {
    const p = join(tmp, 'xcoff');
    writeFileSync(p, Buffer.concat([Buffer.from([0x01, 0xf7, 0x00, 0x04]), Buffer.alloc(120)]));
    expect(await readElfInfo(p)).toBeUndefined();
  });

  const rejects = async (p: string, reason: RegExp) => {
    const err = await readElfInfo(p).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ElfError);
    expect(err).toMatchObject({ path: p });
    expect((err as ElfError).reason).toMatch(reason);
    expect((err as ElfError).message).toBe(`${p}: ${(err as ElfError).reason}`);
    return err as ElfError;
  };
  test('the first 1000 bytes of /bin/ls', async () => {
    const p = join(tmp, 'ls-truncated');
    writeFileSync(p, readFileSync('/bin/ls').subarray(0, 1000));
    await rejects(p, /truncated/);
  });
  test('/bin/ls cut just before its dynamic section', async () => {
    const whole = readFileSync('/bin/ls');
    const dynOff = parseInt(/Dynamic section at offset (0x[0-9a-f]+)/.exec(execFileSync('readelf', ['-d', '/bin/ls'], { encoding: 'utf8' }))![1], 16);
    const p = join(tmp, 'ls-nodyn');
    writeFileSync(p, whole.subarray(0, dynOff + 16));
    await rejects(p, /truncated: PT_DYNAMIC/);
  });
  test('garbage after the magic', async () => {
    const p = join(tmp, 'garbage');
    writeFileSync(p, Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(200, 0xee)]));
    await rejects(p, /EI_CLASS 238/);
  });
  test('a missing file carries its errno', async () => {
    const err = await rejects(join(tmp, 'nope'), /ENOENT/);
    expect(err.code).toBe('ENOENT');
  });
  test('a directory', async () => {
    mkdirSync(join(tmp, 'adir'));
    await rejects(join(tmp, 'adir'), /not a regular file/);
  });
});
