/**
 * Expansion against hostile host layouts (found in review): a secret behind a symlink with another name, /proc/self
 * and /dev/fd (which would resolve against jailtrace's own process), a path leading back into the jail, a NUL byte.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Expander } from '../../src/expand/expand.js';
import { linux } from '../../src/platforms/linux.js';
import { readManifest } from './read-manifest.js';

describe('expansion is not fooled', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-expand-sec-'));
    await mkdir(path.join(dir, 'keys'));
    await mkdir(path.join(dir, '.ssh'));
    await writeFile(path.join(dir, 'keys/host_ed25519'), 'PRIVATE KEY');
    await symlink('../keys/host_ed25519', path.join(dir, '.ssh/id_ed25519'));
    await mkdir(path.join(dir, 'jail/home/u'), { recursive: true });
    await writeFile(path.join(dir, 'jail/home/u/f'), 'user data');
    await symlink(path.join(dir, 'jail'), path.join(dir, 'into-jail'));
    await writeFile(path.join(dir, 'innocent'), 'x');
    await symlink('/etc/shadow', path.join(dir, 'innocent-name'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const expand = async (paths: string[], excludes: string[] = []) => {
    const ex = new Expander({ platform: linux, excludes, allowSecrets: new Set(), fullPasswd: false });
    await ex.addManifests([readManifest(paths)]);
    return { copied: [...ex.entries.values()].filter((e) => e.decision === 'copy').map((e) => e.path), ex };
  };

  test('a key reached through a symlink with a secret name is not copied', async () => {
    const { copied, ex } = await expand([path.join(dir, '.ssh/id_ed25519')]);
    expect(copied).not.toContain(path.join(dir, 'keys/host_ed25519'));
    expect(ex.entries.get(path.join(dir, 'keys/host_ed25519'))?.role).toBe('secret');
  });

  test('a secret reached through an innocent name is not copied', async () => {
    const { copied } = await expand([path.join(dir, 'innocent-name')]);
    expect(copied).not.toContain('/etc/shadow');
  });

  test('/proc/self/exe, /proc/self/cwd/x and /dev/fd/0 do not resolve against jailtrace itself', async () => {
    const { copied, ex } = await expand(['/proc/self/exe', '/proc/self/cwd/package.json', '/dev/fd/0', '/proc/filesystems']);
    expect(copied).toEqual([]);
    // nothing outside /proc and /dev: no node binary, no file of jailtrace's working directory
    expect([...ex.entries.keys()].filter((p) => !/^\/(proc|dev)(\/|$)/.test(p))).toEqual([]);
    expect(ex.entries.get('/proc/self/exe')).toMatchObject({ role: 'kernel', decision: 'skip' });
  });

  test('a path that leads back into the jail through a symlink stays excluded', async () => {
    const { copied } = await expand([path.join(dir, 'into-jail/home/u/f')], [path.join(dir, 'jail')]);
    expect(copied).toEqual([]);
  });

  test('a NUL byte in a path is a warning, not a crash', async () => {
    const { ex } = await expand(['/etc/x\0y']);
    expect(ex.warnings.join(' ')).toMatch(/NUL/);
  });
});
