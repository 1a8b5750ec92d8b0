import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { detectFormat } from '../../src/elf/elf.js';
import { bufferSource, parseElf, type ByteSource } from '../../src/elf/parse.js';
import { buildElf, type ElfSpec } from './fixtures.js';

const EM_SPARC = 2;
const EM_SPARCV9 = 43;
const EM_PPC64 = 21;
const EM_X86_64 = 62;

const parse = (b: Buffer) => parseElf(bufferSource(b));

describe('parseElf on hand-built images', () => {
  const cases: { name: string; spec: ElfSpec; expected: object }[] = [
    {
      name: '64-bit little-endian executable',
      spec: {
        class: 64,
        endian: 'le',
        machine: EM_X86_64,
        type: 3,
        interp: '/lib64/ld-linux-x86-64.so.2',
        needed: ['libfoo.so.1', 'libc.so.6'],
        runpath: '$ORIGIN/lib:/opt/x/lib',
      },
      expected: {
        class: 64,
        endian: 'le',
        machine: EM_X86_64,
        type: 'dyn',
        interp: '/lib64/ld-linux-x86-64.so.2',
        needed: ['libfoo.so.1', 'libc.so.6'],
        runpath: ['$ORIGIN/lib', '/opt/x/lib'],
        rpath: [],
        staticallyLinked: false,
      },
    },
    {
      name: '32-bit big-endian SPARC executable',
      spec: { class: 32, endian: 'be', machine: EM_SPARC, type: 2, interp: '/usr/lib/ld.so.1', needed: ['libc.so.1'], rpath: '/usr/local/lib' },
      expected: {
        class: 32,
        endian: 'be',
        machine: EM_SPARC,
        type: 'exec',
        interp: '/usr/lib/ld.so.1',
        needed: ['libc.so.1'],
        runpath: [],
        rpath: ['/usr/local/lib'],
        staticallyLinked: false,
      },
    },
    {
      name: '64-bit big-endian shared library with soname',
      spec: { class: 64, endian: 'be', machine: EM_SPARCV9, type: 3, needed: ['libc.so.1'], soname: 'libbar.so.2' },
      expected: {
        class: 64,
        endian: 'be',
        machine: EM_SPARCV9,
        type: 'dyn',
        needed: ['libc.so.1'],
        runpath: [],
        rpath: [],
        soname: 'libbar.so.2',
        staticallyLinked: false,
      },
    },
    {
      name: '32-bit little-endian, no interp, no needed: static',
      spec: { class: 32, endian: 'le', machine: 3, type: 2 },
      expected: { class: 32, endian: 'le', machine: 3, type: 'exec', needed: [], runpath: [], rpath: [], staticallyLinked: true },
    },
    {
      name: 'unknown e_type is kept as a number',
      spec: { class: 64, endian: 'be', machine: EM_PPC64, type: 0xfe00 },
      expected: { class: 64, endian: 'be', machine: EM_PPC64, type: 0xfe00, needed: [], runpath: [], rpath: [], staticallyLinked: true },
    },
    {
      name: 'empty RPATH entries are dropped',
      spec: { class: 64, endian: 'le', machine: EM_X86_64, rpath: '::/a::/b:' },
      expected: { class: 64, endian: 'le', machine: EM_X86_64, type: 'dyn', needed: [], runpath: [], rpath: ['/a', '/b'], staticallyLinked: true },
    },
  ];
  test.each(cases)('$name', async ({ spec, expected }) => {
    expect(await parse(buildElf(spec))).toEqual({ kind: 'elf', info: expected });
  });

  test('reads only the bytes it needs, not the whole image', async () => {
    const big = Buffer.concat([buildElf({ class: 64, endian: 'le', machine: EM_X86_64, needed: ['libc.so.6'] }), Buffer.alloc(1 << 20)]);
    let bytes = 0;
    const src: ByteSource = { size: big.length, read: async (o, l) => ((bytes += l), big.subarray(o, o + l)) };
    expect((await parseElf(src)).kind).toBe('elf');
    expect(bytes).toBeLessThan(1024);
  });
});

describe('parseElf on non-ELF and broken input', () => {
  const good = buildElf({ class: 64, endian: 'le', machine: EM_X86_64, interp: '/lib64/ld.so', needed: ['libc.so.6'] });

  test.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('hello world\n')],
    ['3 bytes of magic', Buffer.from([0x7f, 0x45, 0x4c])],
    ['shebang', Buffer.from('#!/bin/sh\necho hi\n')],
  ])('%s is not ELF', async (_n, b) => {
    expect(await parse(b)).toEqual({ kind: 'not-elf' });
  });

  const bad = (b: Buffer, reason: RegExp) => async () => {
    const r = await parse(b);
    expect(r.kind).toBe('bad');
    expect(r.kind === 'bad' && r.reason).toMatch(reason);
  };
  test('magic only', bad(Buffer.from('\x7fELF', 'latin1'), /truncated: e_ident/));
  test('bad EI_CLASS', bad(Buffer.concat([Buffer.from('\x7fELF\x07\x01', 'latin1'), Buffer.alloc(58)]), /EI_CLASS 7/));
  test('bad EI_DATA', bad(Buffer.concat([Buffer.from('\x7fELF\x02\x09', 'latin1'), Buffer.alloc(58)]), /EI_DATA 9/));
  test('header cut', bad(good.subarray(0, 40), /truncated: ELF64 header/));
  test('program headers cut', bad(good.subarray(0, 100), /truncated: program headers/));
  test('dynamic cut', bad(good.subarray(0, good.length - 8), /truncated: PT_DYNAMIC/));
  test('unterminated interpreter', () => {
    const b = Buffer.from(good);
    b[b.indexOf('/lib64/ld.so\0') + 12] = 0x41;
    return bad(b, /PT_INTERP: unterminated/)();
  });
  test('DT_STRTAB outside every PT_LOAD', () => {
    const b = buildElf({ class: 64, endian: 'le', machine: EM_X86_64, needed: ['x'], base: 0x400000 });
    b.writeBigUInt64LE(0x10n, 64 + 16); // PT_LOAD p_vaddr moved away
    return bad(b, /not in any PT_LOAD/)();
  });
  test('DT_NEEDED offset past the string table', () => {
    const b = buildElf({ class: 32, endian: 'be', machine: EM_SPARC, needed: ['x'] });
    const dynOff = b.length - 4 * 8; // NEEDED, STRTAB, STRSZ, NULL
    b.writeUInt32BE(999, dynOff + 4);
    return bad(b, /DT_NEEDED: string offset 999/)();
  });
  test('absurd e_phentsize', () => {
    const b = Buffer.from(good);
    b.writeUInt16LE(8, 54);
    return bad(b, /e_phentsize 8/)();
  });
  test('64-bit offset beyond 2^53', () => {
    const b = Buffer.from(good);
    b.writeBigUInt64LE(1n << 60n, 32);
    return bad(b, /out of range/)();
  });

  test('every truncation of a valid image is "bad", never a throw', async () => {
    for (let n = 4; n < good.length; n++) expect((await parse(good.subarray(0, n))).kind).toBe('bad');
  });

  test('random corruption never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), async (edits) => {
        const b = Buffer.from(good);
        for (const [at, v] of edits) b[at] = v;
        expect(['elf', 'bad', 'not-elf']).toContain((await parse(b)).kind);
      }),
      { numRuns: 500 },
    );
  });
});

describe('detectFormat', () => {
  test.each([
    ['ELF', Buffer.from('\x7fELF\x02', 'latin1'), 'elf'],
    ['XCOFF32 (AIX)', Buffer.from([0x01, 0xdf, 0x00, 0x04]), 'xcoff32'],
    ['XCOFF64 (AIX)', Buffer.from([0x01, 0xf7, 0x00, 0x04]), 'xcoff64'],
    ['script', Buffer.from('#!/bin/sh\n'), 'shebang'],
    ['text', Buffer.from('hello'), 'unknown'],
    ['empty', Buffer.alloc(0), 'unknown'],
  ])('%s', (_n, head, expected) => {
    expect(detectFormat(head)).toBe(expected);
  });
  test('an XCOFF file is not ELF', async () => {
    expect(await parse(Buffer.concat([Buffer.from([0x01, 0xf7]), Buffer.alloc(200)]))).toEqual({ kind: 'not-elf' });
  });
});
