/** No dialect parser throws on garbage: random bytes and mangled corpus-like lines only ever give events or warnings. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { dtraceFreebsd, dtraceMacos } from '../../parsers/dtrace.js';
import { dtruss } from '../../parsers/dtruss.js';
import { parseText } from '../../parsers/feed.js';
import { kdump } from '../../parsers/kdump.js';
import { trussAix } from '../../parsers/truss-aix.js';
import { trussFreebsd } from '../../parsers/truss-freebsd.js';
import { trussSolaris } from '../../parsers/truss-solaris.js';

const PIECES = [
  '2430:\t',
  '/1:\t',
  '56361298: 83624347: ',
  ' 8561: ',
  '71023/0x3f1a2:  ',
  ' 85045 echo     ',
  'CALL  ',
  'NAMI  ',
  'RET   ',
  'open(',
  'execve(',
  '"/etc/x',
  '"',
  '\\',
  '\\M-',
  ')',
  ',',
  '{ AF_UNIX "',
  ' }',
  '\t\t= 3',
  ' Err#2 ENOENT',
  ' Err#2  ENOENT',
  " ERR#2 'x'",
  ' = 3 (0x3)',
  ' = -1 2',
  ' argc = 3',
  ' argc: 1',
  ' (sleeping...)',
  '(returning as child ...)',
  '\n',
  '     0xD0FE772F: "/x"',
  '0 jailtrace-dtrace 1 freebsd',
  '7000000001 4242/100001: ',
  ' resumed = 0 0',
  ' ...',
  ' = -1 2',
  'AT_FDCWD, ',
  '\\303\\0"',
  'AF_UNIX  name = /p',
  'process exit, rval = ',
  'SIGNAL ',
  'Received signal #1, SIGHUP',
  '-1 errno 2 x',
];

describe.each([trussSolaris, trussAix, trussFreebsd, dtruss, kdump, dtraceFreebsd, dtraceMacos])('$name', (dialect) => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const evs = parseText(dialect, Buffer.from(bytes));
        expect(evs.every((e) => Number.isInteger(e.line) && e.line >= 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  test('shuffled grammar pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        expect(() => parseText(dialect, parts.join(''))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
