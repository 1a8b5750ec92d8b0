/**
 * apply's replaceWithLink, the one way src/jail/link.ts changes a jail: a hard link made under a temp name beside the
 * target, checked, renamed over it. A check that says no leaves the target as it was; either way no temp name stays.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { replaceWithLink } from '../../src/jail/apply.js';
import { openJail, resolveParent, type JailRoot } from '../../src/jail/confine.js';
import { TEMP_PREFIX } from '../../src/jail/on-disk.js';
import { tempDir } from './helpers.js';

describe('replaceWithLink', () => {
  let dir: string;
  let root: JailRoot;
  let keep: string;
  const ino = async (p: string): Promise<number> => (await fs.lstat(p)).ino;
  const temps = async (): Promise<string[]> => (await fs.readdir(path.join(dir, 'etc'))).filter((n) => n.startsWith(TEMP_PREFIX));

  beforeEach(async () => {
    dir = await tempDir('relink');
    await fs.mkdir(path.join(dir, 'etc'));
    await fs.writeFile(path.join(dir, 'etc/a'), 'same\n');
    await fs.writeFile(path.join(dir, 'etc/b'), 'same\n');
    keep = path.join(dir, 'etc/a');
    root = await openJail(dir);
  });
  afterEach(async () => {
    await root.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function withTarget<T>(fn: (r: Extract<Awaited<ReturnType<typeof resolveParent>>, { status: 'ok' }>) => Promise<T>): Promise<T> {
    const r = await resolveParent(root, '/etc/b');
    if (r.status !== 'ok') throw new Error('/etc/b did not resolve');
    try {
      return await fn(r);
    } finally {
      await r.release();
    }
  }

  test('a check that holds: the target becomes a link to the kept inode, no temp name left', async () => {
    const seen: string[] = [];
    const ok = await withTarget((r) => replaceWithLink(r, keep, async (tmp) => (seen.push(path.basename(tmp)), true)));
    expect(ok).toBe(true);
    expect(seen[0].startsWith(TEMP_PREFIX)).toBe(true);
    expect(await ino(path.join(dir, 'etc/b'))).toBe(await ino(keep));
    expect((await fs.lstat(keep)).nlink).toBe(2);
    expect(await temps()).toEqual([]);
  });

  test('a check that says no: the target keeps its inode, the temp link is gone', async () => {
    const before = await ino(path.join(dir, 'etc/b'));
    const ok = await withTarget((r) => replaceWithLink(r, keep, async () => false));
    expect(ok).toBe(false);
    expect(await ino(path.join(dir, 'etc/b'))).toBe(before);
    expect((await fs.lstat(keep)).nlink).toBe(1);
    expect(await temps()).toEqual([]);
  });

  test('a check that throws: the error comes through, the target is untouched, no temp name left', async () => {
    const before = await ino(path.join(dir, 'etc/b'));
    await expect(withTarget((r) => replaceWithLink(r, keep, async () => Promise.reject(new Error('swapped'))))).rejects.toThrow('swapped');
    expect(await ino(path.join(dir, 'etc/b'))).toBe(before);
    expect(await temps()).toEqual([]);
  });
});
