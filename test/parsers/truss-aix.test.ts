import { describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { aixResult, splitAix, trussAix } from '../../parsers/truss-aix.js';
import { fixtureCases, projectAll } from './helpers.js';

const parse = (text: string) => projectAll(parseText(trussAix, text), 'truss-aix');

describe('prefixes', () => {
  test.each([
    ['none', 'kopen("/a", O_RDONLY)   = 3', 0, 'kopen("/a", O_RDONLY)   = 3'],
    ['PID: ', '311420: kopen("/a", O_RDONLY)   = 3', 311420, 'kopen("/a", O_RDONLY)   = 3'],
    ['PID: TID: ', '56361298: 83624347: close(19)                           = 0', 56361298, 'close(19)                           = 0'],
  ])('%s', (_n, line, pid, body) => {
    expect(splitAix(line, 0)).toEqual({ pid, body });
  });
});

describe('results', () => {
  test.each([
    ['= V', '                                = 0x20002CE8', { ret: '0x20002CE8', retval: 0x20002ce8, ok: true }],
    ['= nothing', ' =', { ret: '', ok: true }],
    ['Err#N  ENAME', ' Err#2  ENOENT', { ret: 'Err#2  ENOENT', retval: -1, ok: false, errno: 'ENOENT' }],
    ['Err#NNN ENAME', '                 Err#109 ENOSYS', { ok: false, errno: 'ENOSYS' }],
    ['argc: N', '    argc: 1', { ret: '', ok: true }],
    ['no result', '', { ret: '', ok: true }],
  ])('%s', (_n, rest, want) => {
    expect(aixResult(rest)).toMatchObject(want);
  });
  test('garbage', () => expect(aixResult(' ?? ')).toBeUndefined());
});

describe('records', () => {
  test.each([
    [
      'statx path is argument 0 (not Linux statx)',
      'statx("/etc/passwd", 0x2FF21E50, 176, 0)   = 0',
      [{ line: 1, pid: 0, name: 'statx', args: ['"/etc/passwd"', '0x2FF21E50', '176', '0'], ret: '0', ok: true, path: '/etc/passwd' }],
    ],
    [
      'kload',
      'kload("/opt/freeware/lib/collectd/memory.so", 16843392, "") = 0xD0179000',
      [
        {
          line: 1,
          pid: 0,
          name: 'kload',
          args: ['"/opt/freeware/lib/collectd/memory.so"', '16843392', '""'],
          ret: '0xD0179000',
          ok: true,
          path: '/opt/freeware/lib/collectd/memory.so',
        },
      ],
    ],
    [
      'openx and accessx',
      'openx("/a", O_RDONLY, 0, 0)  = 3\naccessx("/b", 1, 0)  Err#13 EACCES',
      [
        { line: 1, pid: 0, name: 'openx', args: ['"/a"', 'O_RDONLY', '0', '0'], ret: '3', ok: true, path: '/a' },
        { line: 2, pid: 0, name: 'accessx', args: ['"/b"', '1', '0'], ret: 'Err#13 EACCES', ok: false, errno: 'EACCES', path: '/b' },
      ],
    ],
    [
      'a new thread keeps the process id',
      '7: 100: thread_create() = 200\n7: 200: sem_post(0x0) = 0',
      [
        { line: 1, pid: 7, name: 'thread_create', args: [], ret: '200', ok: true },
        { line: 2, pid: 7, name: 'sem_post', args: ['0x0'], ret: '0', ok: true },
      ],
    ],
    ['_exit', '7: 100: _exit(2)', [{ kind: 'exit', line: 1, pid: 7, code: 2 }]],
    ['signal', '    Received signal #20, SIGCHLD [caught]', [{ kind: 'signal', line: 1, pid: 0, signal: 'SIGCHLD' }]],
    [
      'argv continuation ignored',
      'execve("./x", 0x1, 0x2)  argc: 1\n argv: ./x',
      [{ line: 1, pid: 0, name: 'execve', args: ['"./x"', '0x1', '0x2'], ret: '', ok: true, path: './x' }],
    ],
    ['unclosed call warns', 'kopen("/etc/x", O_RDONLY', [{ kind: 'warning', line: 1 }]],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('fixtures (traces/aix)', () => {
  test.each(fixtureCases('aix', '.truss'))('$name', ({ input, expected }) => {
    expect(projectAll(parseText(trussAix, input), 'truss-aix')).toEqual(expected);
  });
});
