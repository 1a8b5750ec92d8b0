import { describe, expect, test } from 'vitest';
import { headLines, parseText } from '../../parsers/feed.js';
import type { Dialect, LineParser } from '../../parsers/types.js';

/** A dialect that records what it is fed. */
function recorder(): { dialect: Dialect; lines: [string, number][]; ended: number[] } {
  const lines: [string, number][] = [];
  const ended: number[] = [];
  const parser: LineParser = { push: (l, n) => void lines.push([l, n]), end: (n) => void ended.push(n) };
  return { dialect: { name: 'strace', describe: '', create: () => parser, sniff: () => 0 }, lines, ended };
}

describe('parseText', () => {
  test.each([
    [
      'LF',
      'a\nb\n',
      [
        ['a', 1],
        ['b', 2],
      ],
      2,
    ],
    [
      'no final newline',
      'a\nb',
      [
        ['a', 1],
        ['b', 2],
      ],
      2,
    ],
    [
      'CRLF',
      'a\r\nb\r\n',
      [
        ['a', 1],
        ['b', 2],
      ],
      2,
    ],
    [
      'blank line kept',
      'a\n\nb\n',
      [
        ['a', 1],
        ['', 2],
        ['b', 3],
      ],
      3,
    ],
    ['empty', '', [], 0],
  ])('%s', (_n, text, want, last) => {
    const r = recorder();
    parseText(r.dialect, text);
    expect(r.lines).toEqual(want);
    expect(r.ended).toEqual([last]);
  });

  test('bytes arrive as latin1 (one char per byte)', () => {
    const r = recorder();
    parseText(r.dialect, Buffer.from([0x22, 0xc3, 0xa9, 0xff, 0x22]));
    expect(r.lines[0][0]).toBe('"\u00c3\u00a9\u00ff"');
  });

  test('a string is taken as UTF-8 text', () => {
    const r = recorder();
    parseText(r.dialect, 'é');
    expect(Buffer.from(r.lines[0][0], 'latin1')).toEqual(Buffer.from('é', 'utf8'));
  });
});

test('headLines returns at most max lines, without \\r', () => {
  expect(headLines('a\r\nb\nc\nd', 3)).toEqual(['a', 'b', 'c']);
});
