/**
 * Reading a jail without leaving it: every path is resolved by confine.ts (symlinks inside the jail only, the final
 * component never followed), then lstat'ed and, for regular files, hashed through an O_NOFOLLOW handle. Read-only.
 */
import { constants as FS, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JailRecord } from '../plan/make-plan.js';
import { RECORD_FILE, JAIL_SCHEMA } from '../plan/make-plan.js';
import { ConfineError, isCode, openJail, resolveParent, type JailRoot } from '../jail/confine.js';
import { UsageError } from '../errors.js';
import { hashHandle, type InodeHashes } from './hash.js';

export interface JailFile {
  st: Stats;
  sha256?: string;
  target?: string;
}

/** What kind of file a jail path is, in the record's words (`host.type`). */
export const typeOf = (f: JailFile): string =>
  f.st.isFile()
    ? 'file'
    : f.st.isDirectory()
      ? 'dir'
      : f.st.isSymbolicLink()
        ? 'symlink'
        : f.st.isCharacterDevice()
          ? 'char'
          : f.st.isBlockDevice()
            ? 'block'
            : f.st.isFIFO()
              ? 'fifo'
              : 'socket';

/** The plan's symlinks, from the record: the absolute ones confine.ts may follow (see confine.ts). */
export function recordSymlinks(r: JailRecord): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of r.entries)
    if (e.decision !== 'report-only' && e.decision !== 'skip' && e.host?.type === 'symlink' && e.host.target !== undefined) m.set(e.path, e.host.target);
  return m;
}

export async function openRecordedJail(jail: string, r: JailRecord): Promise<JailRoot> {
  return openJail(jail, { trusted: recordSymlinks(r) });
}

/** lstat (and hash, for a regular file; readlink for a symlink) a jail path; undefined when it is not there. */
export async function readJailPath(root: JailRoot, jailPath: string, opts: { hash: boolean; cache?: InodeHashes }): Promise<JailFile | undefined> {
  if (jailPath === '/') return { st: await fs.lstat(root.host) };
  let r;
  try {
    r = await resolveParent(root, jailPath, { allowMissing: true });
  } catch (e) {
    if (e instanceof ConfineError && (e.reason === 'missing' || e.reason === 'not-a-directory')) return undefined;
    throw e;
  }
  try {
    if (r.status === 'missing') return undefined;
    const st = await fs.lstat(r.opPath).catch((e: unknown) => (isCode(e, 'ENOENT') ? undefined : Promise.reject(e)));
    if (!st) return undefined;
    const out: JailFile = { st };
    if (st.isSymbolicLink()) out.target = await fs.readlink(r.opPath);
    if (st.isFile() && opts.hash) {
      const fh = await fs.open(r.opPath, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
      try {
        const fst = await fh.stat();
        if (fst.ino === st.ino && fst.dev === st.dev) out.sha256 = opts.cache ? await opts.cache.of(fh, fst) : await hashHandle(fh);
      } finally {
        await fh.close();
      }
    }
    return out;
  } finally {
    await r.release();
  }
}

/** A jail's record, or the typed answer that it has none (the jail, `.jailtrace` or the file is not there). */
export type RecordLookup = { found: true; record: JailRecord; file: string } | { found: false; file: string };

const denied = (file: string, e: unknown): UsageError | undefined =>
  isCode(e, 'EACCES') || isCode(e, 'EPERM')
    ? new UsageError(`${file}: cannot read the jail's record (${(e as NodeJS.ErrnoException).code}): it is root's alone`, 'run the command as root')
    : undefined;

/**
 * The one reader of a jail's record (`JAIL/.jailtrace/manifest.json`): resolved inside the jail by confine.ts (a
 * symlink on the way is followed only inside the jail, never out of it), opened `O_NOFOLLOW|O_NONBLOCK` (a symlink or
 * FIFO planted as the record is refused, never followed or blocked on), checked to be a regular file, then parsed
 * and checked to be a record. No record at all is `{ found: false }`, not an error.
 */
export async function findJailRecord(jail: string): Promise<RecordLookup> {
  const host = path.resolve(jail);
  const file = path.join(host, RECORD_FILE);
  const none: RecordLookup = { found: false, file };
  const refused = (e: unknown): Error =>
    denied(file, e) ??
    (e instanceof ConfineError
      ? new UsageError(`${file}: not reading the jail's record: ${e.message}`, 'remove what is in the way, or rebuild the jail')
      : (e as Error));
  let root: JailRoot;
  try {
    root = await openJail(host);
  } catch (e) {
    if (e instanceof ConfineError && (e.reason === 'root-missing' || e.reason === 'root-not-directory')) return none;
    throw refused(e);
  }
  let text: string;
  try {
    let r;
    try {
      r = await resolveParent(root, RECORD_FILE);
    } catch (e) {
      if (e instanceof ConfineError && (e.reason === 'missing' || e.reason === 'not-a-directory')) return none;
      throw refused(e);
    }
    try {
      if (r.status === 'missing') return none;
      const fh = await fs.open(r.opPath, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK).catch((e: unknown) => {
        if (isCode(e, 'ENOENT')) return undefined;
        if (isCode(e, 'ELOOP')) throw new UsageError(`${file}: the jail's record is a symlink: not following it`, 'remove it and rebuild the jail');
        throw refused(e);
      });
      if (!fh) return none;
      try {
        if (!(await fh.stat()).isFile()) throw new UsageError(`${file}: the jail's record is not a regular file`, 'remove it and rebuild the jail');
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } finally {
      await r.release();
    }
  } finally {
    await root.close();
  }
  return { found: true, record: parseRecord(text, file), file };
}

/** A jail's record; a jail without one is an error that says so. */
export async function readJailRecord(jail: string): Promise<JailRecord> {
  const r = await findJailRecord(jail);
  if (!r.found) throw new UsageError(`${jail} has no jailtrace record (${RECORD_FILE})`, 'give a jail built by jailtrace build');
  return r.record;
}

export function parseRecord(text: string, file: string): JailRecord {
  let r: JailRecord;
  try {
    r = JSON.parse(text) as JailRecord;
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${(e as Error).message}`, 'the record is damaged; rebuild the jail');
  }
  if (r?.schema !== JAIL_SCHEMA || !Array.isArray(r.entries))
    throw new UsageError(`${file}: not a ${JAIL_SCHEMA} record`, 'rebuild the jail with this jailtrace');
  const bad = r.entries.findIndex((e) => typeof e !== 'object' || e === null || typeof e.path !== 'string' || typeof e.decision !== 'string');
  if (bad >= 0) throw new UsageError(`${file}: entry ${bad} is not an entry (an object with a path and a decision)`, 'the record is damaged; rebuild the jail');
  if (r.users !== undefined && (!Array.isArray(r.users) || r.users.some((u) => typeof u !== 'string')))
    throw new UsageError(`${file}: users is not a list of names`, 'the record is damaged; rebuild the jail');
  return r;
}
