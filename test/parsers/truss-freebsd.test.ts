import { describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { freebsdResult, splitFreebsd, trussFreebsd } from '../../parsers/truss-freebsd.js';
import { splitVisArgs } from '../../parsers/vis-args.js';
import { fixtureCases, projectAll } from './helpers.js';

const parse = (text: string | Buffer) => projectAll(parseText(trussFreebsd, text), 'truss-freebsd');
const IDEO = '\u3000\u3000'; // becomes E3 80 80 E3 80 80 in the bytes, read back as latin1

describe('prefixes and time columns', () => {
  test.each([
    ['none', 'open("/a",O_RDONLY,00) = 3 (0x3)', 0],
    ['%5d: ', ' 8561: open("/a",O_RDONLY,00) = 3 (0x3)', 8561],
    ['PID TID: ', '12345 100234: open("/a",O_RDONLY,00) = 3 (0x3)', 12345],
    ['-d', '735: 0.000021511 open("/a",O_RDONLY,00) = 3 (0x3)', 735],
    ['-d -D', '735: 1.000000001 0.000021511 open("/a",O_RDONLY,00) = 3 (0x3)', 735],
    ['U+3000 as latin1 bytes', Buffer.from(IDEO + '735: 0.1 open("/a",O_RDONLY,00) = 3 (0x3)', 'utf8').toString('latin1'), 735],
  ])('%s', (_n, line, pid) => {
    expect(splitFreebsd(line, 0)).toMatchObject({ pid, body: 'open("/a",O_RDONLY,00) = 3 (0x3)' });
  });
});

describe('results', () => {
  test.each([
    ['= N (0xN)', '\t = 672288768 (0x28125000)', { ret: '672288768', retval: 672288768, ok: true }],
    ['ERR#2', "\t ERR#2 'No such file or directory'", { retval: -1, ok: false, errno: 'ENOENT' }],
    ['ERR#61', " ERR#61 'Connection refused'", { ok: false, errno: 'ECONNREFUSED' }],
    ['ERR#36', " ERR#36 'Operation now in progress'", { ok: false, errno: 'EINPROGRESS' }],
    ['ERR#25', " ERR#25 'Inappropriate ioctl for device'", { ok: false, errno: 'ENOTTY' }],
    ['unknown errno', " ERR#200 'Who knows'", { ok: false, errno: 'E#200' }],
    ['EJUSTRETURN', ' EJUSTRETURN', { ok: true, ret: 'EJUSTRETURN' }],
    ['nothing', '\t\t\t\t\t', { ret: '', ok: true }],
  ])('%s', (_n, rest, want) => {
    expect(freebsdResult(rest)).toMatchObject(want);
  });
});

describe('vis strings with bare quotes', () => {
  test.each([
    ['escape ending in a quote', 'read(3,"\\^A\\0)\\M-"\\0"...,4096)', ['3', '"\\^A\\0)\\M-"\\0"...', '4096']],
    ['bare quotes inside', 'read(8,"" compare="less">\\n"...,1024)', ['8', '"" compare="less">\\n"...', '1024']],
    ['sockaddr', 'connect(3,{ AF_UNIX "/tmp/.X11-unix/X0" },106)', ['3', '{ AF_UNIX "/tmp/.X11-unix/X0" }', '106']],
    ['struct', 'fstat(3,{ mode=-rw-r--r-- ,inode=378923,size=323,blksize=32768 })', ['3', '{ mode=-rw-r--r-- ,inode=378923,size=323,blksize=32768 }']],
    ['empty trailing argument', 'fcntl(6,F_GETFL,)', ['6', 'F_GETFL', '']],
  ])('%s', (_n, body, args) => {
    const open = body.indexOf('(');
    expect(splitVisArgs(body, open + 1)).toEqual({ args, end: body.length - 1 });
  });
});

describe('records', () => {
  test.each([
    ['process exit', ' 8561: process exit, rval = 0', [{ kind: 'exit', line: 1, pid: 8561, code: 0 }]],
    ['old SIGNAL', ' 8561: SIGNAL 11', [{ kind: 'signal', line: 1, pid: 8561, signal: 'SIGSEGV' }]],
    ['new SIGNAL', ' 8561: SIGNAL 20 (SIGCHLD) code=CLD_EXITED', [{ kind: 'signal', line: 1, pid: 8561, signal: 'SIGCHLD' }]],
    [
      "truss's own error is a warning",
      'truss: truss: can not attach to target process: No such process\ncan not attach to target process: No such process',
      [{ kind: 'warning', line: 1 }],
    ],
    ['program output is ignored', 'Виклик malloc(0) повернув 0x0\nProcess stopped because of: 16', []],
    ['fork child emits nothing', ' 9: fork() = 0 (0x0)', []],
    [
      'vfork parent',
      ' 8561: vfork(0x2b,0xbfbfe738) = 8562 (0x2172)',
      [{ line: 1, pid: 8561, name: 'vfork', args: ['0x2b', '0xbfbfe738'], ret: '8562', ok: true }],
    ],
    [
      'raw newline inside a string is joined',
      ' 1: getpeername(3,{ AF_UNIX "/tmp/a\nb" },0xbf) = 0 (0x0)',
      [{ line: 1, pid: 1, name: 'getpeername', args: ['3', '{ AF_UNIX "/tmp/a\nb" }', '0xbf'], ret: '0', ok: true, sunPath: '/tmp/a\nb' }],
    ],
    [
      'an unclosed call followed by a new call warns',
      ' 1: open("/a,O_RDONLY\n 1: close(3) = 0 (0x0)',
      [
        { kind: 'warning', line: 1 },
        { line: 2, pid: 1, name: 'close', args: ['3'], ret: '0', ok: true },
      ],
    ],
    [
      'U+3000 indentation',
      IDEO + "735: 0.000203657 connect(0x4,{ AF_INET 10.57.18.27:6000 },16) ERR#61 'Connection refused'",
      [
        {
          line: 1,
          pid: 735,
          name: 'connect',
          args: ['0x4', '{ AF_INET 10.57.18.27:6000 }', '16'],
          ret: "ERR#61 'Connection refused'",
          ok: false,
          errno: 'ECONNREFUSED',
        },
      ],
    ],
    [
      'eaccess and getdirentries rows',
      'eaccess("/bin/sh",X_OK) = 0 (0x0)',
      [{ line: 1, pid: 0, name: 'eaccess', args: ['"/bin/sh"', 'X_OK'], ret: '0', ok: true, path: '/bin/sh' }],
    ],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('fixtures (traces/freebsd)', () => {
  test.each(fixtureCases('freebsd', '.truss'))('$name', ({ input, expected }) => {
    expect(projectAll(parseText(trussFreebsd, input), 'truss-freebsd')).toEqual(expected);
  });
});
