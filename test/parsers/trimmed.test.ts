/** splitArgs' argument trim (issue 14: one string per argument, not two) is exactly String.prototype.trim. */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { splitArgs, trimmed } from '../../parsers/strings.js';

const ws = fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\ufeff', '\u2003', 'a', '"', '\u0085', 'é', ',', '(');

test('trimmed(s, i, j) is s.slice(i, j).trim() for any text and range (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(ws, fc.string({ maxLength: 3 })), { maxLength: 20 }), fc.nat(), fc.nat(), (parts, x, y) => {
      const s = parts.join('');
      const [i, j] = [x % (s.length + 1), y % (s.length + 1)].sort((a, b) => a - b);
      expect(trimmed(s, i, j)).toBe(s.slice(i, j).trim());
    }),
    { numRuns: 2000 },
  );
});

test('arguments keep their inner spaces and lose any whitespace around them', () => {
  expect(splitArgs('  3 , \u00a0"a b"\t,x  y ) = 0').args).toEqual(['3', '"a b"', 'x  y']);
});
