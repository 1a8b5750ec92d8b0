/**
 * Root reading what a user controls (a workload's upload, its directory listing) without following the user's
 * symlinks or blocking on their FIFOs: the walk starts from the tree's top directory, checked to be the inode
 * jailtrace made, and goes one component at a time through `/proc/self/fd/N/NAME` opened O_NOFOLLOW; the last
 * component is opened O_NOFOLLOW|O_NONBLOCK, must be a regular file (fstat) and no larger than a cap.
 */
import { constants as FS } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import type { PrivateTree } from './private-tree.js';

/** What a workload check reads back is a payload of at most a few MiB; anything larger is not ours. */
export const READ_CAP = 64 * 1024 * 1024;

export type UserRead = { ok: true; data: Buffer } | { ok: false; why: string };

const fdPath = (fh: FileHandle, name: string): string => `/proc/self/fd/${fh.fd}/${name}`;

/** The directory `rel` (components joined by '/') of the tree, opened without following any symlink. */
async function openDir(tree: PrivateTree, rel: string): Promise<FileHandle | string> {
  let fh: FileHandle;
  try {
    fh = await open(tree.top, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
  } catch (e) {
    return `${tree.top}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  const st = await fh.stat();
  if (st.dev !== tree.dev || st.ino !== tree.ino) {
    await fh.close();
    return `${tree.top} is no longer the directory jailtrace made`;
  }
  for (const name of rel.split('/').filter(Boolean)) {
    try {
      const next = await open(fdPath(fh, name), FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
      await fh.close();
      fh = next;
    } catch (e) {
      await fh.close();
      const code = (e as NodeJS.ErrnoException).code;
      return `${name}: ${code === 'ELOOP' || code === 'ENOTDIR' ? 'not a directory (a symlink?)' : (code ?? String(e))}`;
    }
  }
  return fh;
}

/** The regular file `rel` of the tree, read whole if at most `cap` bytes. */
export async function readUserFile(tree: PrivateTree, rel: string, cap = READ_CAP): Promise<UserRead> {
  const parts = rel.split('/').filter(Boolean);
  const name = parts.pop();
  if (!name) return { ok: false, why: 'no file name' };
  const dir = await openDir(tree, parts.join('/'));
  if (typeof dir === 'string') return { ok: false, why: dir };
  let fh: FileHandle;
  try {
    fh = await open(fdPath(dir, name), FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, why: `${rel}: ${code === 'ELOOP' ? 'a symlink, not read' : (code ?? String(e))}` };
  } finally {
    await dir.close();
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, why: `${rel}: not a regular file, not read` };
    if (st.size > cap) return { ok: false, why: `${rel}: ${st.size} bytes, over the ${cap}-byte cap, not read` };
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { ok: true, data: buf.subarray(0, off) };
  } finally {
    await fh.close();
  }
}

/** The names in directory `rel` of the tree (sorted), or why they could not be listed. */
export async function listUserDir(tree: PrivateTree, rel: string): Promise<{ ok: true; names: string[] } | { ok: false; why: string }> {
  const dir = await openDir(tree, rel);
  if (typeof dir === 'string') return { ok: false, why: dir };
  try {
    return { ok: true, names: (await readdir(`/proc/self/fd/${dir.fd}`)).sort() };
  } finally {
    await dir.close();
  }
}
