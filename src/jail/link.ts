/**
 * Identical files across jails on one filesystem → one inode (the rssh docs warn per-user jails cost disk).
 *
 * Only files a jail's record says were copied from the host are candidates, and only when they are root-owned and not
 * group/other-writable (so no jail user can write through the shared inode), have the same sha256, mode and owner and
 * sit on the same filesystem. Each replacement is atomic and confined, and made by apply (`replaceWithLink`): the jail
 * path is resolved by confine.ts, a link to the kept inode is made under a temp name in the same directory, checked,
 * and renamed over the file. Since apply
 * (build, sync) replaces files by rename too, a later sync of one jail gives it a new inode and leaves the others be.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from '../check/hash.js';
import { openRecordedJail, readJailRecord } from '../check/jail-read.js';
import { replaceWithLink } from './apply.js';
import { resolveParent, type JailRoot } from './confine.js';

interface Candidate {
  jail: number;
  path: string;
  dev: number;
  ino: number;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  sha256: string;
}

export interface LinkReport {
  linked: number;
  savedBytes: number;
}

/** Files of one jail that may be shared (see header). */
async function candidates(root: JailRoot, index: number, paths: string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const p of paths) {
    const r = await resolveParent(root, p, { allowMissing: true }).catch(() => undefined);
    if (!r || r.status === 'missing') continue;
    try {
      const st = await fs.lstat(r.opPath).catch(() => undefined);
      if (!st?.isFile() || st.size === 0 || st.uid !== 0 || (st.mode & 0o022) !== 0) continue;
      const sha256 = await hashFile(r.opPath);
      const again = await fs.lstat(r.opPath);
      if (again.ino !== st.ino || again.dev !== st.dev || !again.isFile()) continue; // swapped while hashing
      out.push({ jail: index, path: p, dev: st.dev, ino: st.ino, size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, nlink: st.nlink, sha256 });
    } finally {
      await r.release();
    }
  }
  return out;
}

/** Replaces `c` (in `root`) by a hard link to `keep` (a path that names the kept inode), through apply's own write. */
async function linkOver(root: JailRoot, c: Candidate, keepPath: string, keep: Candidate): Promise<boolean> {
  const r = await resolveParent(root, c.path);
  if (r.status !== 'ok') return false;
  try {
    return await replaceWithLink(r, keepPath, async (tmp) => {
      const [t, cur] = await Promise.all([fs.lstat(tmp), fs.lstat(r.opPath)]);
      return t.ino === keep.ino && t.dev === keep.dev && cur.ino === c.ino && cur.dev === c.dev && cur.isFile();
    });
  } finally {
    await r.release();
  }
}

export async function hardlinkIdentical(jails: string[]): Promise<LinkReport> {
  const roots: JailRoot[] = [];
  const report: LinkReport = { linked: 0, savedBytes: 0 };
  try {
    const all: Candidate[] = [];
    for (const [i, j] of jails.entries()) {
      const jail = path.resolve(j);
      const record = await readJailRecord(jail);
      const root = await openRecordedJail(jail, record);
      roots.push(root);
      const paths = record.entries.filter((e) => e.decision === 'copy' && e.host?.type === 'file').map((e) => e.path);
      all.push(...(await candidates(root, i, paths)));
    }
    const groups = new Map<string, Candidate[]>();
    for (const c of all) {
      const k = `${c.dev}:${c.sha256}:${c.size}:${c.mode}:${c.uid}:${c.gid}`;
      groups.set(k, [...(groups.get(k) ?? []), c]);
    }
    for (const g of groups.values()) {
      const keep = g[0];
      const keepRoot = roots[keep.jail];
      const kr = await resolveParent(keepRoot, keep.path);
      if (kr.status !== 'ok') continue;
      try {
        const freed = new Map<number, number>(); // inode → links removed
        for (const c of g.slice(1)) {
          if (c.ino === keep.ino) continue;
          if (await linkOver(roots[c.jail], c, kr.opPath, keep)) {
            report.linked++;
            const n = (freed.get(c.ino) ?? 0) + 1;
            freed.set(c.ino, n);
            if (n === c.nlink) report.savedBytes += c.size; // its last link went: the space is freed
          }
        }
      } finally {
        await kr.release();
      }
    }
  } finally {
    await Promise.all(roots.map((r) => r.close()));
  }
  return report;
}
