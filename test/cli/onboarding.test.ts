/**
 * Issue 15, item 10: what a newcomer reads first is true. The README puts jailtrace on PATH before its examples use
 * it, its exit-code list is docs/exit-codes.md's (generated from src/errors.ts), the guide has no "being written"
 * placeholders, and the demo says how to remove everything it made.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { exitRows } from '../../src/cli/docgen/exit-codes.js';
import { ROOT } from './helpers.js';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

test("the README's exit-code list has exactly the codes of docs/exit-codes.md, in order", () => {
  const readme = read('README.md');
  const at = readme.indexOf('Exit codes (`docs/exit-codes.md`):');
  expect(at).toBeGreaterThan(0);
  const para = readme.slice(at, readme.indexOf('\n\n', at)).split(':').slice(1).join(':');
  const listed = [...para.matchAll(/(?:^|,)\s*(\d+) /g)].map((m) => Number(m[1]));
  expect(listed).toEqual(exitRows().map((r) => r.code));
  // and docs/exit-codes.md has the same rows (it is generated; test/cli/man.test.ts checks it is current)
  const md = [...read('docs/exit-codes.md').matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
  expect(md).toEqual(listed);
});

test('the README says how to put jailtrace on PATH before its first example runs it', () => {
  const readme = read('README.md');
  const firstUse = readme.search(/^jailtrace /m);
  expect(firstUse).toBeGreaterThan(0);
  const before = readme.slice(0, firstUse);
  expect(before).toContain('npm install -g .');
  expect(before).toContain('npm install -g\n./jailtrace-*.tgz');
});

test('the guide has no "being written" placeholders', () => {
  expect(read('docs/guide.md')).not.toMatch(/being written|to be written|TODO|TBD/i);
});

test('the demo ends with one command that removes the jail, the traces and the user it created', () => {
  const demo = read('scripts/demo.sh');
  expect(demo).toMatch(/undo="rm -rf '\$JAIL' '\$traces'"/);
  expect(demo).toMatch(/if \$made_user; then undo="\$undo && userdel -r '\$DEMO_USER'"; fi/);
  expect(demo).toMatch(/echo "to remove everything the demo made: \$undo"/);
});
