/** Hard links across jails: shared inodes, and sync of one jail replaces by rename so the other keeps its content. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hardlinkIdentical } from '../../src/jail/link.js';
import { build, checkJson, fixture, isRoot, jailtrace, rewrite, ROOT_SKIP, type Fixture } from './helpers.js';

describe.skipIf(!isRoot)(`hardlinkIdentical (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let a: string;
  let b: string;

  beforeAll(async () => {
    f = await fixture('link');
    a = await build(f, 'a');
    b = await build(f, 'b');
  });
  afterAll(async () => f?.cleanup());

  test('identical files share one inode afterwards; a second run links nothing', async () => {
    const before = [(await fs.stat(path.join(a, f.file))).ino, (await fs.stat(path.join(b, f.file))).ino];
    expect(before[0]).not.toBe(before[1]);
    const r = await hardlinkIdentical([a, b]);
    expect(r.linked).toBeGreaterThan(0);
    expect(r.savedBytes).toBeGreaterThan(0);
    const sa = await fs.stat(path.join(a, f.file));
    const sb = await fs.stat(path.join(b, f.file));
    expect(sa.ino).toBe(sb.ino);
    expect(sa.nlink).toBe(2);
    expect(await hardlinkIdentical([a, b])).toEqual({ linked: 0, savedBytes: 0 });
    expect((await checkJson(a)).exitCode).toBe(0);
    expect((await checkJson(b)).exitCode).toBe(0);
  });

  test('sync of one jail gives it a new inode; the other jail keeps its content', async () => {
    await rewrite(f.file, 'new host content\n');
    expect((await jailtrace('sync', a)).exitCode).toBe(0);
    expect(await fs.readFile(path.join(a, f.file), 'utf8')).toBe('new host content\n');
    expect(await fs.readFile(path.join(b, f.file), 'utf8')).toBe('original content\n');
    const sa = await fs.stat(path.join(a, f.file));
    const sb = await fs.stat(path.join(b, f.file));
    expect(sa.ino).not.toBe(sb.ino);
    expect(sb.nlink).toBe(1);
    const rb = await checkJson(b);
    expect(rb.findings).toContainEqual(expect.objectContaining({ kind: 'stale', path: f.file }));
  });
});
