/** `--json` is written in pieces: the pieces join to exactly JSON.stringify(value, null, 2), whatever the value. */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { jsonPieces, writeJson } from '../../src/json-stream.js';
import { ROOT } from '../support/cli.js';

test.each([
  [
    'nested, with undefined, functions, Date, toJSON, empty containers',
    {
      a: 1,
      b: [1, { c: [], d: {}, e: undefined, f: [undefined, () => 1, 'x\ny'] }],
      g: null,
      h: new Date(0),
      i: { j: { k: { l: [1, 2] } } },
      s: { toJSON: () => 5 },
    },
  ],
  ['an empty array', []],
  ['an empty object', {}],
  ['a string', 'x'],
  [
    'long arrays stringified in batches: holes, undefined, functions, toJSON, nested lines',
    {
      list: Array.from({ length: 200 }, (_, i) =>
        i % 7 === 0 ? undefined : i % 11 === 0 ? () => 1 : i % 13 === 0 ? { toJSON: () => [i] } : { i, s: `a\n${i}`, deep: [{ x: [i] }] },
      ),
      top: [Array.from({ length: 130 }, (_, i) => [i, { k: i }])],
    },
  ],
  ['a long top-level array', Array.from({ length: 300 }, (_, i) => ({ i, a: [i, [i]] }))],
  ['deep arrays', [[[[1]]]]],
  ['a recorded manifest', JSON.parse(fs.readFileSync(path.join(ROOT, 'traces/linux/probe/expected.json'), 'utf8'))],
])('%s', (_name, value) => {
  expect([...jsonPieces(value)].join('')).toBe(JSON.stringify(value, null, 2));
});

test('any JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => [...jsonPieces(v)].join('') === JSON.stringify(v, null, 2)));
});

test('writeJson: chunks of about 1 MiB, ending with a newline', () => {
  const value = { entries: Array.from({ length: 20_000 }, (_, i) => ({ path: `/x/${i}`, accesses: [{ op: 'read', ok: false, line: i }] })) };
  const chunks: string[] = [];
  writeJson((c) => chunks.push(c), value);
  expect(chunks.length).toBeGreaterThan(1);
  expect(chunks.join('')).toBe(JSON.stringify(value, null, 2) + '\n');
});
