import { describe, expect, test } from 'vitest';
import { dtruss, dtrussResult, splitDtruss } from '../../parsers/dtruss.js';
import { parseText } from '../../parsers/feed.js';
import { fixtureCases, projectAll } from './helpers.js';

const parse = (text: string) => projectAll(parseText(dtruss, text), 'dtruss');

describe('prefixes and columns', () => {
  test.each([
    ['none', 'close(0x3)\t\t = 0 0', 0],
    ['PID/0xTID:', '71023/0x3f1a2:  close(0x3)\t\t = 0 0', 71023],
    ['PID/TID: with -d -e columns', '  512/0x1a:      1234      56 close(0x3)\t\t = 0 0', 512],
  ])('%s', (_n, line, pid) => {
    expect(splitDtruss(line, 0)).toEqual({ pid, body: 'close(0x3)\t\t = 0 0' });
  });
});

describe('results', () => {
  test.each([
    ['success', '\t\t = 3 0', { ret: '3', retval: 3, ok: true }],
    ['hex success', '\t\t = 0x1062B0000 0', { ret: '0x1062B0000', ok: true }],
    ['failure, bare errno', '\t\t = -1 2', { ret: '-1', retval: -1, ok: false, errno: 'ENOENT' }],
    ['failure, Err#', '\t\t = -1 Err#13', { ok: false, errno: 'EACCES' }],
    ['macOS-only errno', '\t\t = -1 93', { ok: false, errno: 'ENOATTR' }],
    ['unknown errno', '\t\t = -1 250', { ok: false, errno: 'E#250' }],
    ['stale errno with a real result is success', '\t\t = 5 4', { ok: true }],
  ])('%s', (_n, rest, want) => {
    expect(dtrussResult(rest)).toMatchObject(want);
  });
  test('no result', () => expect(dtrussResult('')).toBeUndefined());
});

describe('records', () => {
  test.each([
    ['header is skipped', 'SYSCALL(args) \t\t = return\n  PID/THRD  RELATIVE  ELAPSD SYSCALL(args) \t\t = return', []],
    [
      'trailing \\0 is dropped from paths',
      'open("/usr/lib/dtrace/libdtrace_dyld.dylib\\0", 0x0, 0x0)\t\t = 3 0',
      [
        {
          line: 1,
          pid: 0,
          name: 'open',
          args: ['"/usr/lib/dtrace/libdtrace_dyld.dylib\\0"', '0x0', '0x0'],
          ret: '3',
          ok: true,
          path: '/usr/lib/dtrace/libdtrace_dyld.dylib',
        },
      ],
    ],
    [
      'unquoted string argument',
      'sysctlbyname(kern.osproductversion, 0xB, 0x7FF, 0x7FE, 0x0)\t\t = 0 0',
      [{ line: 1, pid: 0, name: 'sysctlbyname', args: ['kern.osproductversion', '0xB', '0x7FF', '0x7FE', '0x0'], ret: '0', ok: true }],
    ],
    ['program output is ignored', 'connect to /tmp/kakoune/root/main failed\ndisconnecting', []],
    [
      'one dtrace warning, then a count at the end',
      'dtrace: error on enabled probe ID 1\ndtrace: error on enabled probe ID 1\nclose(0x3)\t\t = 0 0',
      [
        { kind: 'warning', line: 1 },
        { line: 3, pid: 0, name: 'close', args: ['0x3'], ret: '0', ok: true },
        { kind: 'warning', line: 3 },
      ],
    ],
    ['fork child emits nothing', '9/0x1:  vfork()\t\t = 0 0', []],
    [
      'open_nocancel row',
      'open_nocancel("/etc/hosts\\0", 0x0, 0x1B6)\t\t = -1 2',
      [{ line: 1, pid: 0, name: 'open_nocancel', args: ['"/etc/hosts\\0"', '0x0', '0x1B6'], ret: '-1', ok: false, errno: 'ENOENT', path: '/etc/hosts' }],
    ],
    ['a call line without a result warns', 'open("/x\\0", 0x0, 0x0)', [{ kind: 'warning', line: 1 }]],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('fixtures (traces/macos)', () => {
  test.each(fixtureCases('macos', '.dtruss'))('$name', ({ input, expected }) => {
    expect(projectAll(parseText(dtruss, input), 'dtruss')).toEqual(expected);
  });
});
