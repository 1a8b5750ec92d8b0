/** `--json` is written in pieces: the pieces join to exactly JSON.stringify(value, null, 2), whatever the value. */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { jsonPieces, writeJson } from '../../src/json-stream.js';
import { ROOT } from '../support/cli.js';


test.each([
  ['nested, with undefined, functions, Date, toJSON, empty containers', { a: 1, b: [1, { c: [], d: {}, e: undefined, f: [undefined, () => 1, 'x\ny'] }], g: null, h: new Date(0), i: { j: { k: { l: [1, 2] } } }, s: { toJSON: () => 5 } }],
  ['an empty array', []],
  ['an empty object', {}],
  ['a string', 'x'],
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
