/**
 * Issue 20: data under /tmp and other world-writable places is workload data, never jail content, when a user could
 * have changed a name on the way (a name a user owns below the world-writable directory, or any name below one
 * without the sticky bit). Root then neither copies it nor follows its symlinks. Names root owns below a sticky
 * directory (a root mkdtemp in /tmp) stay jail content: nobody else can rename or replace them.
 */
import { chmod, chown, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Expander } from '../../src/expand/expand.js';
import { linux } from '../../src/platforms/linux.js';
import { readManifest } from './read-manifest.js';
import { lookupUser } from '../../src/profiles/workspace.js';
import { ensureUser, isRoot } from '../hardening/helpers.js';

describe.skipIf(!isRoot)('world-writable places (needs root: files owned by another user)', () => {
  let dir: string;
  let shared: string;
  let open: string;
  beforeAll(async () => {
    await ensureUser('jt-shared-tmp');
    const u = await lookupUser('jt-shared-tmp');
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-shared-'));
    shared = path.join(dir, 'shared'); // stands for /tmp: root's, 1777
    open = path.join(dir, 'open'); // world-writable without the sticky bit
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await mkdir(open);
    await chmod(open, 0o777);
    await mkdir(path.join(shared, 'users'));
    await writeFile(path.join(shared, 'users/data'), 'the user can swap this');
    await chown(path.join(shared, 'users'), u.uid, u.gid);
    await mkdir(path.join(shared, 'roots'));
    await writeFile(path.join(shared, 'roots/data'), 'root made it: nobody else can rename it');
    await symlink('/etc/hostname', path.join(shared, 'users-link'));
    await lchown(path.join(shared, 'users-link'), u.uid, u.gid);
    await writeFile(path.join(open, 'data'), 'root made it, but anyone can rename it');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const expand = async (paths: string[]) => {
    const ex = new Expander({ platform: linux, excludes: [], allowSecrets: new Set(), fullPasswd: false });
    await ex.addManifests([readManifest(paths)]);
    return ex.entries;
  };

  test('a file below a directory a user owns: skipped as shared-tmp, the directory too', async () => {
    const e = await expand([path.join(shared, 'users/data')]);
    for (const p of [path.join(shared, 'users'), path.join(shared, 'users/data')]) {
      expect(e.get(p)?.role, p).toBe('shared-tmp');
      expect(e.get(p)?.decision, p).toBe('skip');
      expect(e.get(p)?.sharedDir).toBe(shared);
    }
    expect(e.get(shared)?.decision).toBe('create'); // the world-writable dir itself is still made (root, 1777)
  });

  test("a user's symlink there is not followed: its target does not come in", async () => {
    const e = await expand([path.join(shared, 'users-link')]);
    expect(e.get(path.join(shared, 'users-link'))?.decision).toBe('skip');
    expect(e.has('/etc/hostname')).toBe(false);
  });

  test('names root owns below the sticky directory stay jail content', async () => {
    const e = await expand([path.join(shared, 'roots/data')]);
    expect(e.get(path.join(shared, 'roots/data'))?.decision).toBe('copy');
  });

  test('below a world-writable directory without the sticky bit, even a root-owned name is skipped', async () => {
    const e = await expand([path.join(open, 'data')]);
    expect(e.get(path.join(open, 'data'))?.role).toBe('shared-tmp');
    expect(e.get(path.join(open, 'data'))?.decision).toBe('skip');
  });
});

describe.skipIf(!isRoot)('directories a user can write, anywhere (needs root: files owned by another user)', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureUser('jt-shared-tmp');
    const u = await lookupUser('jt-shared-tmp');
    dir = await mkdtemp('/srv/jt-userdir-'); // not under /tmp: the world-writable rule would catch it first
    await mkdir(path.join(dir, 'users/bin'), { recursive: true });
    await writeFile(path.join(dir, 'users/bin/tool'), '#!/bin/sh\n');
    await chown(path.join(dir, 'users'), u.uid, u.gid); // the user can swap bin/ for a symlink to /dev
    await mkdir(path.join(dir, 'group'));
    await writeFile(path.join(dir, 'group/conf'), 'x');
    await chmod(path.join(dir, 'group'), 0o775);
    await chown(path.join(dir, 'group'), 0, u.gid);
    await mkdir(path.join(dir, 'roots'));
    await writeFile(path.join(dir, 'roots/conf'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const expand = async (paths: string[]) => {
    const ex = new Expander({ platform: linux, excludes: [], allowSecrets: new Set(), fullPasswd: false });
    await ex.addManifests([readManifest(paths)]);
    return ex.entries;
  };

  test("a name in a user's directory: user-controlled, skipped, not read (its #! interpreter does not come in)", async () => {
    const e = await expand([path.join(dir, 'users/bin/tool')]);
    expect(e.get(path.join(dir, 'users/bin'))?.role).toBe('user-controlled');
    expect(e.get(path.join(dir, 'users/bin/tool'))?.decision).toBe('skip');
    expect(e.get(path.join(dir, 'users/bin/tool'))?.sharedDir).toBe(path.join(dir, 'users'));
  });

  test('a name in a group-writable directory (group not root): user-controlled', async () => {
    const e = await expand([path.join(dir, 'group/conf')]);
    expect(e.get(path.join(dir, 'group/conf'))?.role).toBe('user-controlled');
  });

  test("root's own directories stay jail content", async () => {
    const e = await expand([path.join(dir, 'roots/conf')]);
    expect(e.get(path.join(dir, 'roots/conf'))?.decision).toBe('copy');
  });
});
