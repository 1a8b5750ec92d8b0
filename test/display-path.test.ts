import { expect, test } from 'vitest';
import { displayPath } from '../src/display-path.js';

test.each([
  ['a newline, a tab and a CR stay on one line', '/a\nb\tc\rd', {}, '/a\\nb\\tc\\rd'],
  ['a backslash is escaped, so an escape in the output is never ambiguous', '/a\\b', {}, '/a\\\\b'],
  ['other control characters as \\xNN', '/\x01\x1f\x7f', {}, '/\\x01\\x1f\\x7f'],
  ["a manifest path's own \\xNN escapes are kept; its control characters are not", '/etc/\\xff\n', { escaped: true }, '/etc/\\xff\\n'],
  ['plain text is left alone', '/usr/lib/é', {}, '/usr/lib/é'],
] as const)('%s', (_t, input, opts, want) => {
  expect(displayPath(input, opts)).toBe(want);
});
