/**
 * Could someone other than root (and us) change what a host path leads to? A name can be swapped (renamed, replaced
 * by a symlink) by whoever can write the directory holding it: its owner, or anyone when it is group/other-writable,
 * except that in a sticky directory (/tmp) only the name's own owner may rename or remove it. Root-owned symlinks in
 * such safe places are followed and their targets checked the same way. The rule of docs/security.md, for paths
 * root is about to act on by name: the output directory, a workload's working directory, a jail's ancestors.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const MAX_LINKS = 40;

const trusted = (uid: number): boolean => uid === 0 || uid === (process.geteuid?.() ?? 0);

/** Who else can write `dir`, or undefined when only root (and we) can. */
function otherWriters(dir: Stats): string | undefined {
  if (!trusted(dir.uid)) return `its owner (uid ${dir.uid})`;
  if (dir.mode & 0o002) return 'everyone';
  if (dir.mode & 0o020 && dir.gid !== 0) return `group ${dir.gid}`;
  return undefined;
}

/**
 * Why a user could change where `p` (absolute) leads, or undefined when no one but root could. Names that do not
 * exist yet end the walk: whoever makes them later is the question of the directory they go in, already checked.
 */
export async function swappableBy(p: string, depth = 0): Promise<string | undefined> {
  if (depth > MAX_LINKS) return `${p}: too many symlinks`;
  const parts = path.posix.normalize(p).split('/').filter(Boolean);
  let cur = '/';
  let curSt = await lstat('/');
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(cur, parts[i]);
    const st = await lstat(next).catch(() => undefined);
    const writers = otherWriters(curSt);
    if (writers) {
      const sticky = (curSt.mode & 0o1000) !== 0;
      if (!sticky) return `${next}: ${cur} can be written by ${writers}, who could swap it`;
      if (st && !trusted(st.uid)) return `${next}: owned by uid ${st.uid} in the sticky ${cur}, who could swap it`;
    }
    if (!st) return undefined;
    if (st.isSymbolicLink()) {
      const target = await readlink(next);
      const rest = parts.slice(i + 1).join('/');
      const resolved = path.posix.resolve(cur, target, rest);
      return swappableBy(resolved, depth + 1);
    }
    if (!st.isDirectory()) return i === parts.length - 1 ? undefined : `${next}: not a directory`;
    cur = next;
    curSt = st;
  }
  return undefined;
}

export class HostChainError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'HostChainError';
  }
}

/**
 * Open a host file root is about to read (an ELF header, a `#!` line, its bytes to hash) only when no user could have
 * changed the way to it (swappableBy: every directory on the way, and every symlink followed, the final one
 * included, is root's to change), without blocking, and only a regular file: a user's directory swapped for a
 * symlink cannot make root open a device (a watchdog, a tape) or read another file through it. Root's own symlinks
 * (libz.so.1 -> libz.so.1.2.13) are followed.
 */
export async function openHostRegular(file: string): Promise<FileHandle> {
  const why = await swappableBy(file);
  if (why) throw new HostChainError(file, `a user could swap a directory on the way to it (${why}): not read as root`);
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) throw new HostChainError(file, 'not a regular file');
  } catch (e) {
    await fh.close();
    throw e;
  }
  return fh;
}
