/**
 * Issue 14 (parse closer to the machine): the hot path may change, the manifest may not. `parse --json --cwd /` of
 * every real Linux capture and of three rounds of the bench trace's sources must give, byte for byte, what main's
 * build gave before that work (digests in test/fixtures/parse-golden.json; bench/parse-golden.ts says how to remake it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { goldenDigests } from '../../bench/parse-golden.js';
import { writeJson } from '../../src/json-stream.js';
import { parseTraces } from '../../src/trace.js';

const repo = path.resolve(import.meta.dirname, '../..');

test('parse --json gives the same manifest, byte for byte, as before the hot-path work', async () => {
  const golden = JSON.parse(readFileSync(path.join(repo, 'test/fixtures/parse-golden.json'), 'utf8')) as Record<string, string>;
  expect(Object.keys(golden).length).toBeGreaterThan(25);
  expect(await goldenDigests(repo, parseTraces, writeJson)).toEqual(golden);
}, 60_000);
