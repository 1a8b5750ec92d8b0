import { describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { solarisResult, splitSolaris, trussSolaris } from '../../parsers/truss-solaris.js';
import { fixtureCases, projectAll } from './helpers.js';

const parse = (text: string) => projectAll(parseText(trussSolaris, text), 'truss-solaris');

describe('prefixes and time columns', () => {
  test.each([
    ['no prefix', 'open("/a", O_RDONLY)\t\t= 3', 0, 'open("/a", O_RDONLY)\t\t= 3'],
    ['PID:', '2430:\topen("/a", O_RDONLY)\t= 3', 2430, 'open("/a", O_RDONLY)\t= 3'],
    ['PID/LWP:', '2335/1:\t\tschedctl()\t= 0xD1FED000', 2335, 'schedctl()\t= 0xD1FED000'],
    ['/LWP:', '/1:\topen("/dev/poll", O_RDWR)\t= 3', 0, 'open("/dev/poll", O_RDWR)\t= 3'],
    ['PID/LWP@FRAME:', '1234/1@1:\t-> libc:getenv(0x8050000)', 1234, '-> libc:getenv(0x8050000)'],
    ['pasted spaces', '1844/1:         write(1, "x", 1)      = 1', 1844, 'write(1, "x", 1)      = 1'],
    ['-d', '1826:    0.1370 write(1, "x", 1)      = 1', 1826, 'write(1, "x", 1)      = 1'],
    ['-dDE', '1841:    0.2406  0.0008  0.0001 write(1, "x", 1) = 1', 1841, 'write(1, "x", 1) = 1'],
  ])('%s', (_n, line, pid, body) => {
    expect(splitSolaris(line, 0)).toMatchObject({ pid, body });
  });
});

describe('results', () => {
  test.each([
    ['= V', '\t\t= 3', { ret: '3', retval: 3, ok: true }],
    ['hex', ' = 0xD1FF0000', { ret: '0xD1FF0000', retval: 0xd1ff0000, ok: true }],
    ['= V [V2]', '\t= 1100 [1099]', { ret: '1100 [1099]', retval: 1100, ok: true }],
    ['Err#', '\t\tErr#2 ENOENT', { ret: 'Err#2 ENOENT', retval: -1, ok: false, errno: 'ENOENT' }],
    ['Err# [priv]', ' Err#1 EPERM [proc_owner]', { ok: false, errno: 'EPERM' }],
    ['argc = N', '  argc = 3', { ret: '', ok: true }],
    ['nothing', '', { ret: '', ok: true }],
  ])('%s', (_n, rest, want) => {
    expect(solarisResult(rest)).toMatchObject(want);
  });
  test.each([
    ['(sleeping...)', ' (sleeping...)', 'sleeping'],
    ['fork child', '\t\t(returning as child ...)\t= 1566', 'child'],
    ['new lwp', '\t(returning as new lwp ...)\t= 0', 'child'],
    ['garbage', ' what is this', undefined],
  ])('%s', (_n, rest, want) => {
    expect(solarisResult(rest)).toBe(want);
  });
});

describe('records', () => {
  test.each([
    ['-u lines are not syscalls', '1234/1@1:\t-> libc:getenv(0x8050000)\n1234/1@1:\t<- libc:getenv() = 0', []],
    ['sleeping is not counted', 'waitid(P_ALL, 0, 0x0, WEXITED) (sleeping...)', []],
    ['fork child emits nothing', '1567:\tfork1()\t\t(returning as child ...)\t= 1566', []],
    [
      'vfork and forkx parents',
      'vfork()\t= 12\nforkx(0)\t= 13',
      [
        { line: 1, pid: 0, name: 'vfork', args: [], ret: '12', ok: true },
        { line: 2, pid: 0, name: 'forkx', args: ['0'], ret: '13', ok: true },
      ],
    ],
    ['_exit is an ExitEvent', '2430:\t_exit(3)', [{ kind: 'exit', line: 1, pid: 2430, code: 3 }]],
    [
      'no-result calls',
      'setustack(0xD1C30260)\nlwp_exit()',
      [
        { line: 1, pid: 0, name: 'setustack', args: ['0xD1C30260'], ret: '', ok: true },
        { line: 2, pid: 0, name: 'lwp_exit', args: [], ret: '', ok: true },
      ],
    ],
    ['signal without prefix', '    Received signal #18, SIGCLD [caught]', [{ kind: 'signal', line: 1, pid: 0, signal: 'SIGCLD' }]],
    ['fault', '12:\t    Incurred fault #6, FLTBOUNDS  %pc = 0x0', [{ kind: 'signal', line: 1, pid: 12, signal: 'FLTBOUNDS' }]],
    ['headings and -v dumps are ignored', '-dDE\nwithout:\n    d=0x00780000 i=4956  m=0100755\n\tat = Sep 21 23:52:23 EDT 2013', []],
    [
      'raw string attaches by address',
      'open(0xD0FE772F, 0)\t\tErr#2 ENOENT\n     0xD0FE772F: "/var/ld/ld.config"',
      [{ line: 1, pid: 0, name: 'open', args: ['0xD0FE772F', '0'], ret: 'Err#2 ENOENT', ok: false, errno: 'ENOENT', path: '/var/ld/ld.config' }],
    ],
    [
      'raw string after a -v dump line',
      'stat64(0x08046A00, 0x08046B10)\t= 0\n    d=0x0 i=1\n     0x08046A00: "/lib/libc.so.1"',
      [{ line: 1, pid: 0, name: 'stat64', args: ['0x08046A00', '0x08046B10'], ret: '0', ok: true, path: '/lib/libc.so.1' }],
    ],
    [
      'raw string of another pid is not attached',
      '1:\topen(0x10, 0)\t= 3\n2:\t     0x10: "/x"',
      [{ line: 1, pid: 1, name: 'open', args: ['0x10', '0'], ret: '3', ok: true }],
    ],
    [
      'AF_UNIX continuation',
      'connect(4, 0x08047B10, 110, SOV_DEFAULT)\t= 0\n\tAF_UNIX  name = /var/run/x',
      [{ line: 1, pid: 0, name: 'connect', args: ['4', '0x08047B10', '110', 'SOV_DEFAULT'], ret: '0', ok: true, sunPath: '/var/run/x' }],
    ],
    [
      'openat on Solaris 11',
      'openat(AT_FDCWD, "/etc/passwd", O_RDONLY)\t= 3',
      [{ line: 1, pid: 0, name: 'openat', args: ['AT_FDCWD', '"/etc/passwd"', 'O_RDONLY'], ret: '3', ok: true, path: '/etc/passwd' }],
    ],
    [
      '64-bit -1 stays as printed',
      'mmap(0x0, 56, PROT_READ, MAP_ANON, 4294967295, 0) = 0xFFFFFD7FFF390000',
      [{ line: 1, pid: 0, name: 'mmap', args: ['0x0', '56', 'PROT_READ', 'MAP_ANON', '4294967295', '0'], ret: '0xFFFFFD7FFF390000', ok: true }],
    ],
    ['unclosed call warns', 'open("/a", O_RDONLY', [{ kind: 'warning', line: 1 }]],
    ['bad result warns', 'open("/a", O_RDONLY) gibberish', [{ kind: 'warning', line: 1 }]],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('want filter', () => {
  test('skips other calls, and their continuation lines do not attach to the previous call', () => {
    const evs = parseText(trussSolaris, 'open(0x10, 0)\t= 3\nstat(0x20, 0x0)\t= 0\n     0x10: "/wrong"', { want: (n) => n === 'open' });
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ name: 'open' });
    expect(evs[0].kind === 'syscall' && evs[0].extra).toBeFalsy();
  });
});

describe('fixtures (traces/solaris)', () => {
  test.each(fixtureCases('solaris', '.truss'))('$name', ({ input, expected }) => {
    expect(projectAll(parseText(trussSolaris, input), 'truss-solaris')).toEqual(expected);
  });
});
