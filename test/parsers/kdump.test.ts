import { describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { kdump, kdumpResult, splitRecord } from '../../parsers/kdump.js';
import { fixtureCases, projectAll } from './helpers.js';

const parse = (text: string) => projectAll(parseText(kdump, text), 'kdump');

describe('record lines', () => {
  test.each([
    ['plain', ' 85045 echo     CALL  writev(0x1,0x804b030,0x2)', { pid: 85045, key: '85045', op: 'CALL', data: 'writev(0x1,0x804b030,0x2)' }],
    ['-H thread id', '  577 100123 ktrace   NAMI  "/etc/x"', { pid: 577, key: '577:100123', op: 'NAMI', data: '"/etc/x"' }],
    ['-T timestamp', '  577 ktrace   1700000000.123456 RET   open 3', { pid: 577, op: 'RET', data: 'open 3' }],
    ['comm with a space', '  577 Web Content CALL  close(0x3)', { pid: 577, op: 'CALL', data: 'close(0x3)' }],
  ])('%s', (_n, line, want) => {
    expect(splitRecord(line)).toMatchObject(want);
  });
  test.each([
    ['GIO data', '       "ktrace'],
    ['blank', ''],
    ['heading', 'kdump output'],
  ])('%s is not a record', (_n, line) => {
    expect(splitRecord(line)).toBeUndefined();
  });
});

describe('RET values', () => {
  test.each([
    ['decimal', '7', { ret: '7', retval: 7, ok: true }],
    ['dec/hex', '34366169088/0x800606000', { retval: 34366169088, ok: true }],
    ['errno', '-1 errno 2 No such file or directory', { retval: -1, ok: false, errno: 'ENOENT' }],
    ['errno 13', '-1 errno 13 Permission denied', { ok: false, errno: 'EACCES' }],
    ['JUSTRETURN', 'JUSTRETURN', { ok: true }],
    ['RESTART', 'RESTART', { ok: false, errno: 'ERESTART' }],
  ])('%s', (_n, rest, want) => {
    expect(kdumpResult(rest)).toMatchObject(want);
  });
});

describe('records', () => {
  test.each([
    [
      'GIO data lines are skipped',
      ' 85045 echo     CALL  writev(0x1,0x804b030,0x2)\n 85045 echo     GIO   fd 1 wrote 7 bytes\n       "ktrace\n       "\n 85045 echo     RET   writev 7',
      [{ line: 5, pid: 85045, name: 'writev', args: ['0x1', '0x804b030', '0x2'], ret: '7', ok: true }],
    ],
    [
      'NAMI goes to the row path index (stat: 0)',
      ' 1 a CALL  stat(0x1,0x2)\n 1 a NAMI  "/etc/x"\n 1 a RET   stat 0',
      [{ line: 3, pid: 1, name: 'stat', args: ['0x1', '0x2'], ret: '0', ok: true, path: '/etc/x' }],
    ],
    [
      'NAMI without CALL',
      ' 1 a NAMI  "/etc/x"\n 1 a RET   openat -1 errno 2 No such file or directory',
      [{ line: 2, pid: 1, name: 'openat', args: [], ret: '-1 errno 2 No such file or directory', ok: false, errno: 'ENOENT', path: '/etc/x' }],
    ],
    [
      'vis escapes in NAMI',
      ' 1 a CALL  open(0x1,0x0)\n 1 a NAMI  "/tmp/caf\\M-C\\M-)"\n 1 a RET   open 3',
      [{ line: 3, pid: 1, name: 'open', args: ['0x1', '0x0'], ret: '3', ok: true, path: '/tmp/café' }],
    ],
    [
      'interleaved pids pair by pid',
      ' 1 a CALL  open(0x1,0x0)\n 2 b CALL  open(0x9,0x0)\n 2 b NAMI  "/two"\n 1 a NAMI  "/one"\n 1 a RET   open 3\n 2 b RET   open 4',
      [
        { line: 5, pid: 1, name: 'open', args: ['0x1', '0x0'], ret: '3', ok: true, path: '/one' },
        { line: 6, pid: 2, name: 'open', args: ['0x9', '0x0'], ret: '4', ok: true, path: '/two' },
      ],
    ],
    ['PSIG', ' 1 a PSIG  SIGINT SIG_DFL code=SI_NOINFO', [{ kind: 'signal', line: 1, pid: 1, signal: 'SIGINT' }]],
    ['exit never returns', ' 1 a CALL  exit(0x2)', [{ kind: 'exit', line: 1, pid: 1, code: 2 }]],
    ['a call left without RET at the end warns', ' 1 a CALL  read(0x3,0x1,0x2)', [{ kind: 'warning', line: 1 }]],
    ['other record types are ignored', ' 1 a STRU  struct stat {dev=1}\n 1 a SCTL  "vm.overcommit"\n 1 a CSW   stop kernel', []],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('fixtures (traces/kdump)', () => {
  test.each(fixtureCases('kdump', '.kdump'))('$name', ({ input, expected }) => {
    expect(projectAll(parseText(kdump, input), 'kdump')).toEqual(expected);
  });
});
