/**
 * Files jailtrace writes for the admin (raw traces, scripts) where the admin said, or in the current directory: as
 * root in /tmp, a local user can plant `sftp-server.strace -> /etc/passwd` (or a hard link, or a FIFO) first. The
 * name is never written through: src/output-file.ts opens it O_NOFOLLOW|O_NONBLOCK without truncating, and writes
 * only to a regular file of ours with one link.
 */
import { execa } from 'execa';
import { chown, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openOutputFile } from '../../src/output-file.js';
import { ensureUser, isRoot, jt } from '../hardening/helpers.js';
import { lookupUser } from '../../src/profiles/workspace.js';

describe('output files are never written through a planted name', () => {
  let dir: string;
  let victim: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-outfile-'));
    victim = path.join(dir, 'victim');
    await writeFile(victim, 'must not change\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('a new file, and an existing one of ours, are written from the start', async () => {
    const f = path.join(dir, 'ours');
    await writeFile(f, 'old content that is longer\n');
    const fh = await openOutputFile(f);
    await fh.writeFile('new\n');
    await fh.close();
    expect(await readFile(f, 'utf8')).toBe('new\n');
  });

  test.each([
    ['a symlink', async (p: string) => symlink(victim, p), /is a symlink/],
    ['a hard link', async (p: string) => link(victim, p), /2 hard links/],
    ['a FIFO', async (p: string) => void (await execa('mkfifo', [p])), /is a FIFO with no reader/],
    ['a directory', async (p: string) => mkdir(p), /cannot open it for writing \(EISDIR\)/],
  ])('%s at the name: refused, the target untouched', async (_what, plant, why) => {
    const p = path.join(dir, `planted-${_what.replace(/\W/g, '')}`);
    await plant(p);
    await expect(openOutputFile(p)).rejects.toThrow(why);
    expect(await readFile(victim, 'utf8')).toBe('must not change\n');
  });

  test.skipIf(!isRoot)("another user's file at the name: refused, not truncated (needs root)", async () => {
    await ensureUser('jt-outfile');
    const u = await lookupUser('jt-outfile');
    const p = path.join(dir, 'theirs');
    await writeFile(p, 'their data\n');
    await chown(p, u.uid, u.gid);
    await expect(openOutputFile(p)).rejects.toThrow(/belongs to uid \d+, not to us/);
    expect(await readFile(p, 'utf8')).toBe('their data\n');
  });

  test.skipIf(!isRoot)('capture into a directory where sftp-server.strace -> victim was planted: exit 2, victim intact (needs root)', async () => {
    const out = path.join(dir, 'capture-out');
    await mkdir(out);
    await symlink(victim, path.join(out, 'true.strace'));
    const r = await jt(['capture', '--output', path.join(out, 'true.strace'), '--', '/bin/true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot save the trace: .*true\.strace: is a symlink/);
    expect(await readFile(victim, 'utf8')).toBe('must not change\n');
    expect((await stat(victim)).size).toBe(16);
  });

  test.skipIf(!isRoot)('an output directory a user could swap: the dir a user symlinked, or one below a user-owned dir, is refused (needs root)', async () => {
    await ensureUser('jt-outfile');
    const u = await lookupUser('jt-outfile');
    const victimDir = path.join(dir, 'victim-dir');
    await mkdir(victimDir);
    // a user's directory and, inside it, a name they point wherever they like
    const users = path.join(dir, 'users-dir');
    await mkdir(users);
    await chown(users, u.uid, u.gid);
    await symlink(victimDir, path.join(users, 'out'));
    const viaLink = await jt(['capture', '--output', path.join(users, 'out', 'true.strace'), '--', '/bin/true']);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toMatch(/a user could swap a directory on the way to it/);
    const below = await jt(['build', path.join(dir, 'j'), '--profile', 'scp', '--output-dir', path.join(users, 'traces')]);
    expect(below.code).toBe(2);
    expect(below.stderr).toMatch(
      /--output-dir: .*a user could swap a directory on the way to it \(.*users-dir\/traces: .*users-dir can be written by its owner \(uid \d+\)/,
    );
    expect(await readdir(victimDir)).toEqual([]);
  });

  test('jailtrace script --output through a planted symlink: refused, victim intact', async () => {
    const p = path.join(dir, 'build.sh');
    await symlink(victim, p);
    const r = await jt(['script', path.resolve('traces/linux/sftp-server/f.strace'), '--jail', '/srv/jail', '--output', p]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is a symlink/);
    expect(await readFile(victim, 'utf8')).toBe('must not change\n');
  });
});
