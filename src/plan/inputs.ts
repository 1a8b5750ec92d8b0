/**
 * The jail record's dependency set (`inputs`, issue 14): what a build read from the host, so a rebuild can tell that
 * nothing it depends on changed (the idea of build tools that learn dependencies by tracing: memoize.py, fabricate,
 * tup). Pure: which entries are inputs, and how a recorded input compares with what the host has now. The host is
 * read in src/app/up-to-date.ts.
 */
import type { JailEntry } from '../expand/expand.js';

/** One host path the build depends on, as it was when the record was written. */
export interface InputFile {
  path: string;
  /** `file`, `dir`, `symlink`, `dev` (char/block: only type and rdev count), `other` (socket, FIFO: type only). */
  type: 'file' | 'dir' | 'symlink' | 'dev' | 'other';
  dev?: number;
  ino?: number;
  size?: number;
  mtimeMs?: number;
  /** ctime: a non-root owner can set mtime back (touch -d), not ctime. */
  ctimeMs?: number;
  /** Symlink target; device number for `dev`. */
  target?: string;
  rdev?: number;
  /** Content hash, stored only where the timestamps cannot be trusted (changed within RACY_MS of recording). */
  sha256?: string;
  /** A directory whose listing the workload read: its mtime counts (a name added or removed). */
  listed?: boolean;
}

export interface RecordInputs {
  /** sha256 of the request (version, profiles, users, commands, options, resolved workload binaries). */
  key: string;
  files: InputFile[];
  /** Paths the workload looked for and did not find (a later /etc/ld.so.preload changes everything). */
  missing: string[];
  /**
   * sha256 of the account lines the jail gets (root's, the users', their groups': what build generates), standing
   * for /etc/passwd and /etc/group, which change whenever any account on the host does. Absent with --full-passwd
   * (the files are then inputs like any other).
   */
  accounts?: string;
}

/** A file changed this close to recording may change again within the timestamp's granularity: hash it. */
export const RACY_MS = 2000;

/**
 * Entries that are inputs: every host path the trace touched or the expansion added, except what the workload's
 * users control (their data: `user-controlled`, `shared-tmp`) and the kernel's (/proc, /sys: they change by
 * themselves). `missing` are the paths the workload looked for and the host did not have.
 */
export function inputPaths(entries: Iterable<JailEntry>): { present: JailEntry[]; missing: string[] } {
  const present: JailEntry[] = [];
  const missing: string[] = [];
  for (const e of entries) {
    if (e.role === 'user-controlled' || e.role === 'shared-tmp' || e.role === 'kernel') continue;
    if (!e.host || e.host.type === 'missing') missing.push(e.path);
    else present.push(e);
  }
  return { present, missing };
}

/** Why `now` is not the input `was` (undefined: unchanged). `now` undefined: the path is gone. */
export function inputChange(was: InputFile, now: InputFile | undefined): string | undefined {
  if (!now) return `${was.path} is gone`;
  if (now.type !== was.type) return `${was.path} is now a ${now.type}, was a ${was.type}`;
  switch (was.type) {
    case 'symlink':
      return now.target === was.target ? undefined : `${was.path} now points to ${now.target}`;
    case 'dev':
      return now.rdev === was.rdev ? undefined : `${was.path} is another device`;
    case 'other':
      return undefined;
    case 'dir':
      if (now.dev !== was.dev || now.ino !== was.ino) return `${was.path} was replaced`;
      return was.listed && now.mtimeMs !== was.mtimeMs ? `${was.path} has other names in it` : undefined;
    case 'file':
      if (now.dev !== was.dev || now.ino !== was.ino) return `${was.path} was replaced`;
      if (now.size !== was.size || now.mtimeMs !== was.mtimeMs || now.ctimeMs !== was.ctimeMs) return `${was.path} changed`;
      return undefined;
  }
}
