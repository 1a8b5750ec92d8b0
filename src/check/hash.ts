/** Content hashes of host and jail files (sha256, hex). The lead's build stores them in the jail record. */
import { createHash } from 'node:crypto';
import { constants as FS } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { openHostRegular } from '../host-chain.js';

/** sha256 of an open file, read from offset 0 in 1 MiB chunks. */
export async function hashHandle(fh: FileHandle): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/**
 * sha256 by inode for one run over many jails (`check JAIL...`): a file hard-linked into N jails, or a host file
 * every jail copied, is read once. Keyed by device, inode, size, mtime and ctime of the open handle, so a file written
 * since (its ctime moves, whoever wrote it) is read again.
 */
export class InodeHashes {
  private readonly known = new Map<string, string>();
  /** Files really read (for the bench and the tests: N hard-linked jails read each inode once). */
  reads = 0;

  async of(fh: FileHandle, st?: { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }): Promise<string> {
    const s = st ?? (await fh.stat());
    const key = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    const had = this.known.get(key);
    if (had !== undefined) return had;
    this.reads++;
    const h = await hashHandle(fh);
    this.known.set(key, h);
    return h;
  }
}

/**
 * sha256 of a regular file (symlinks on the way are followed, as build's copy follows them). O_NONBLOCK so a FIFO
 * swapped in does not block; anything but a regular file is an error.
 */
export async function hashFile(path: string): Promise<string> {
  const fh = await openHostRegular(path).catch((e: unknown) => {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { code: 'EINVAL' });
  });
  try {
    return await hashHandle(fh);
  } finally {
    await fh.close();
  }
}

/**
 * sha256 of the host file a plan or a check looked at: opened O_NOFOLLOW|O_NONBLOCK, and only when it is still a
 * regular file with the same device and inode (a path swapped for a symlink since gives undefined, not its target).
 */
export async function hashSameFile(path: string, want: { dev?: number; ino?: number }, cache?: InodeHashes): Promise<string | undefined> {
  const fh = await fs.open(path, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK).catch(() => undefined);
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.dev !== want.dev || st.ino !== want.ino) return undefined;
    return cache ? await cache.of(fh, st) : await hashHandle(fh);
  } finally {
    await fh.close();
  }
}
