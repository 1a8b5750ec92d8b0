/**
 * Security findings of the review, pinned: a source swapped between planning and apply is refused (symlink or another
 * inode with the same size and mtime); verify reads jail files only as the jailed program sees them; verify will not
 * make its scratch dir in a jail root the user can write, and leaves none behind.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import type { Plan } from '../../src/plan/plan.js';
import { regularFileInJail } from '../../src/verify/analyze.js';
import { ensureUser, isRoot } from '../build/session.js';
import { CLI } from '../support/cli.js';

describe.skipIf(!isRoot)('review fixes (needs root)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-review-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function planCopy(name: string): Promise<{ plan: Plan; src: string; secret: string }> {
    const src = path.join(dir, `${name}-src`);
    const secret = path.join(dir, `${name}-secret`);
    await writeFile(src, 'harmless data');
    await writeFile(secret, 'TOP SECRET!!!'); // same size as the source
    const st = await stat(src);
    await utimes(secret, st.atime, st.mtime);
    const jail = path.join(dir, `${name}-jail`);
    await mkdir(jail);
    return {
      src,
      secret,
      plan: {
        jail,
        actions: [
          { kind: 'copy', path: '/data', source: src, mode: 0o644, uid: 0, gid: 0, mtimeMs: st.mtimeMs, size: st.size, dev: st.dev, ino: st.ino, reason: 't' },
        ],
      },
    };
  }

  test('a source swapped for a symlink after planning is refused', async () => {
    const { plan, src, secret } = await planCopy('link');
    await rm(src);
    await symlink(secret, src);
    const r = await applyPlan(plan);
    expect(r.results[0].result).toBe('refused');
    expect(existsSync(path.join(plan.jail, 'data'))).toBe(false);
  });

  test('a source swapped for another file with the same size and mtime, in a directory a user can write, is refused (inode check)', async () => {
    const { plan, src, secret } = await planCopy('inode');
    await rename(secret, src);
    // a user could have done that swap only through a directory of theirs: only root's renames are upgrades (apply.ts)
    await chown(path.dirname(src), 65534, 65534);
    try {
      const r = await applyPlan(plan);
      expect(r.results[0]).toMatchObject({ result: 'refused' });
      expect(r.results[0].detail).toMatch(/another file.*could swap/);
      expect(existsSync(path.join(plan.jail, 'data'))).toBe(false);
    } finally {
      await chown(path.dirname(src), 0, 0);
    }
  });

  test('regularFileInJail: absolute symlinks resolve inside the jail; a FIFO or a host target is not read', async () => {
    const jail = path.join(dir, 'rj');
    await mkdir(path.join(jail, 'bin'), { recursive: true });
    await writeFile(path.join(jail, 'bin/real'), '#!/bin/sh\n');
    await symlink('/bin/real', path.join(jail, 'bin/abs'));
    await symlink('/etc/passwd', path.join(jail, 'bin/host'));
    await execa('mkfifo', [path.join(jail, 'bin/fifo')]);
    expect(await regularFileInJail(jail, '/bin/abs')).toBe(path.join(jail, 'bin/real'));
    expect(await regularFileInJail(jail, '/bin/host')).toBeUndefined(); // /etc/passwd is not in this jail
    expect(await regularFileInJail(jail, '/bin/fifo')).toBeUndefined();
  });

  test('verify refuses a jail root the user can write, and leaves no scratch dir behind', async () => {
    const user = 'jt-review-test';
    const u = await ensureUser(user);
    const jail = path.join(dir, 'vjail');
    await execa('node', [
      CLI,
      'build',
      jail,
      '--trace',
      path.resolve(import.meta.dirname, '../../traces/linux/sftp-server/f.strace'),
      '--cwd',
      '/tmp/jt-sftp-work',
      '--exclude',
      '/tmp/jt-sftp-work',
      '--user',
      user,
      '-q',
    ]);
    await chown(jail, u.uid, u.gid);
    const bad = await execa('node', [CLI, 'verify', jail, '--user', user, '--profile', 'sftp', '--output-dir', dir], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/not root-owned/);
    await chown(jail, 0, 0);
    await execa('node', [CLI, 'verify', jail, '--user', user, '--profile', 'sftp', '--output-dir', dir], { reject: false });
    const left = [...(await readdir(jail)), ...(await readdir(path.join(jail, u.home)))].filter((n) => n.startsWith('.jailtrace-verify-'));
    expect(left).toEqual([]);
  });
});
