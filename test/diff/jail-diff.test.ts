/** diff with jails as sides: a jail against its own record, and against a copy whose file changed. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, fixture, isRoot, jailtrace, ROOT_SKIP, type Fixture } from '../check/helpers.js';

describe.skipIf(!isRoot)(`diff of jails (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let a: string;
  let b: string;
  beforeAll(async () => {
    f = await fixture('diff');
    a = await build(f, 'a');
    b = await build(f, 'b');
  });
  afterAll(async () => f?.cleanup());

  test('a jail and its record: no difference; two builds of one trace: none either', async () => {
    expect((await jailtrace('diff', a, path.join(a, '.jailtrace/manifest.json'))).exitCode).toBe(0);
    expect((await jailtrace('diff', a, b)).exitCode).toBe(0);
  });

  test('a changed jail file shows size and sha256', async () => {
    await fs.appendFile(path.join(b, f.file), 'more\n');
    const r = await jailtrace('diff', '--json', a, b);
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.diff.changed).toEqual([expect.objectContaining({ path: f.file, fields: ['size', 'sha256'] })]);
  });
});
