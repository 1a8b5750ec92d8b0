/**
 * What a jailed user (or a restored backup) can leave in a jail, and the OUTSIDE it aims at: the hostile layouts the
 * writer tests (apply, build, sync, verify --fix, the sh script) are run against, in one place.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { snapshot, type Entry } from '../jail/helpers.js';

/**
 * An OUTSIDE directory worth attacking: the directories a jail has (bin, lib, lib64, usr/bin, etc), a target file,
 * a passwd, a `true`, and a copy of the host's libc (same size, mtime and mode: it passes a quick check).
 */
export async function makeOutside(dir: string): Promise<void> {
  for (const d of ['bin', 'lib', 'lib64', 'lib/x86_64-linux-gnu', 'usr/bin', 'etc']) await fs.mkdir(path.join(dir, d), { recursive: true });
  await fs.writeFile(path.join(dir, 'target'), 'outside target: must not change\n');
  await fs.writeFile(path.join(dir, 'etc/passwd'), 'outside passwd: must not change\n');
  await fs.writeFile(path.join(dir, 'bin/true'), 'outside true: must not change\n');
  await execa('cp', ['-p', '/usr/lib/x86_64-linux-gnu/libc.so.6', path.join(dir, 'libc.so.6')]);
}

/**
 * What must never change: OUTSIDE in full (listing, modes, owners, inodes, sha256 of contents), plus the host places
 * a write through `lib64 -> /` would land in (the names at /, the host loader and libc, by hash).
 */
export async function outsideState(outside: string): Promise<{ outside: Entry[]; host: Record<string, string> }> {
  const sha = async (p: string): Promise<string> =>
    createHash('sha256')
      .update(await fs.readFile(p))
      .digest('hex');
  const host: Record<string, string> = {
    '/': (await fs.readdir('/')).sort().join(' '),
    '/lib64': (await fs.readdir('/lib64')).sort().join(' '),
    '/usr/lib/x86_64-linux-gnu/libc.so.6': await sha('/usr/lib/x86_64-linux-gnu/libc.so.6'),
    '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': await sha('/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
    '/usr/lib/openssh/sftp-server': await sha('/usr/lib/openssh/sftp-server'),
  };
  return { outside: await snapshot(outside), host };
}

/** What a hostile layout puts at a jail path: a symlink, a hard link to a file, or a FIFO. */
export type Planted = { symlink: string } | { hardlink: string } | 'fifo';

/** Puts `what` at JAIL/rel, replacing whatever is there (its parents are made). */
export async function plant(jail: string, rel: string, what: Planted): Promise<void> {
  const at = path.join(jail, rel);
  await fs.rm(at, { recursive: true, force: true });
  await fs.mkdir(path.dirname(at), { recursive: true });
  if (what === 'fifo') await execa('mkfifo', [at]);
  else if ('symlink' in what) await fs.symlink(what.symlink, at);
  else await fs.link(what.hardlink, at);
}

/** The layouts every jail writer meets, by name: each takes the jail and OUTSIDE (made by makeOutside). */
export const HOSTILE = {
  /** JAIL/usr -> /OUTSIDE: an absolute symlink where a directory goes. */
  usrToOutside: (jail: string, outside: string) => plant(jail, 'usr', { symlink: outside }),
  /** JAIL/etc -> ../outside: a relative symlink that climbs above the jail root. */
  etcEscapes: (jail: string) => plant(jail, 'etc', { symlink: '../outside' }),
  /** JAIL/lib64 -> /: the host root, where the loader goes. */
  lib64ToHostRoot: (jail: string) => plant(jail, 'lib64', { symlink: '/' }),
  /** JAIL/etc/passwd -> /OUTSIDE/target: a symlink at a file the writer replaces. */
  passwdToOutside: (jail: string, outside: string) => plant(jail, 'etc/passwd', { symlink: path.join(outside, 'target') }),
  /** JAIL/etc/passwd a hard link to OUTSIDE/etc/passwd: writing in place would change OUTSIDE. */
  passwdHardLink: (jail: string, outside: string) => plant(jail, 'etc/passwd', { hardlink: path.join(outside, 'etc/passwd') }),
} as const;
