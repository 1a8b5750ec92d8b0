/** Shared fixtures for the jail tests: temp dirs, a small real plan (/bin/true + libs), full-tree snapshots. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Action, Plan } from '../../src/plan/plan.js';

export { isRoot } from '../support/root.js';
export const ROOT_SKIP = 'needs root (chown, mknod, chroot)';

export async function tempDir(tag: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `jailtrace-${tag}-`));
}

export interface Entry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  ino: number;
  rdev: number;
  target?: string;
  sha256?: string;
}

/** Every entry under `root` (root itself included as '.'), never following symlinks, never opening FIFOs. */
export async function snapshot(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const p = rel === '.' ? root : path.join(root, rel);
    const st = await fs.lstat(p);
    const type = st.isSymbolicLink()
      ? 'l'
      : st.isDirectory()
        ? 'd'
        : st.isFile()
          ? 'f'
          : st.isFIFO()
            ? 'p'
            : st.isCharacterDevice()
              ? 'c'
              : st.isBlockDevice()
                ? 'b'
                : 's';
    const e: Entry = {
      path: rel,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'd' ? 0 : st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      rdev: st.rdev,
    };
    if (type === 'l') e.target = await fs.readlink(p);
    if (type === 'f')
      e.sha256 = createHash('sha256')
        .update(await fs.readFile(p))
        .digest('hex');
    out.push(e);
    if (type === 'd') for (const n of (await fs.readdir(p)).sort()) await walk(rel === '.' ? n : path.join(rel, n));
  };
  await walk('.');
  return out;
}

/** A snapshot without what legitimately differs between two builds of the same tree (inodes, dir/generated mtimes). */
export function shape(entries: Entry[], keepMtime: (e: Entry) => boolean = (e) => e.type === 'f' && !e.path.startsWith('etc/')): object[] {
  return entries.map(({ ino: _ino, mtimeMs, ...rest }) => (keepMtime({ ...rest, ino: 0, mtimeMs }) ? { ...rest, mtime: Math.floor(mtimeMs / 1000) } : rest));
}

const copyOf = (jailPath: string, source: string, reason: string): Action => {
  const st = statSync(source);
  return { kind: 'copy', path: jailPath, source, mode: st.mode & 0o7777, uid: 0, gid: 0, mtimeMs: st.mtimeMs, size: st.size, reason };
};
const dir = (p: string, mode = 0o755): Action => ({ kind: 'mkdir', path: p, mode, uid: 0, gid: 0, reason: 'parent directory' });

export const LIBC = realpathSync('/lib/x86_64-linux-gnu/libc.so.6');
export const LD = realpathSync('/lib64/ld-linux-x86-64.so.2');

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
export const GROUP = "root:x:0:\nnogroup:x:65534:\nweird name's:x:5:\n";

/** /bin/true with its libraries (listed by hand, as `ldd /bin/true` shows them on Debian 12 x86_64), plus the usual bits. */
export function smallPlan(jail: string): Plan {
  return {
    jail,
    actions: [
      dir('/'),
      dir('/usr'),
      dir('/usr/bin'),
      dir('/usr/lib'),
      dir('/usr/lib/x86_64-linux-gnu'),
      dir('/usr/lib64'),
      dir('/etc'),
      dir('/dev'),
      dir('/tmp', 0o1777),
      { kind: 'symlink', path: '/bin', target: 'usr/bin', reason: 'merged /usr' },
      { kind: 'symlink', path: '/lib', target: 'usr/lib', reason: 'merged /usr' },
      { kind: 'symlink', path: '/lib64', target: 'usr/lib64', reason: 'merged /usr' },
      copyOf('/usr/bin/true', realpathSync('/bin/true'), 'traced: execve'),
      copyOf('/usr/lib/x86_64-linux-gnu/libc.so.6', LIBC, 'DT_NEEDED of /usr/bin/true'),
      copyOf('/usr/lib64/ld-linux-x86-64.so.2', LD, 'PT_INTERP of /usr/bin/true'),
      { kind: 'mknod', path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0, reason: 'traced: openat' },
      { kind: 'write', path: '/etc/passwd', content: PASSWD, mode: 0o644, uid: 0, gid: 0, reason: 'generated: users seen' },
      { kind: 'write', path: '/etc/group', content: GROUP, mode: 0o644, uid: 0, gid: 0, reason: 'generated: groups seen' },
    ],
  };
}

/** A directory meant to stay untouched: a few files, subdirectories a misdirected write would land in, a target file. */

export async function findTemps(root: string): Promise<string[]> {
  return (await snapshot(root)).filter((e) => /^\.jailtrace-(tmp-|stage\.)/.test(path.basename(e.path))).map((e) => e.path);
}
