/**
 * Crafted jail records (issue 20, reproduction 4): a real small jail built from a recorded trace of `cat FILE`, whose
 * record `JAIL/.jailtrace/manifest.json` the tests then edit the way a jail restored from a backup could arrive.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { snapshot } from '../jail/helpers.js';

export { build, fixture, isRoot, jailtrace, type Fixture } from '../check/helpers.js';

export const RECORD = '.jailtrace/manifest.json';
export const ROOT_SKIP = 'needs root (builds real jails, reads /etc/shadow, chown)';

export interface RecordEntry {
  path: string;
  role: string;
  decision: string;
  reason: string;
  via: string;
  ops: string[];
  host?: { type: string; mode: number; uid: number; gid: number; size: number; mtimeMs: number; rdev: number; target?: string; sha256?: string };
  [k: string]: unknown;
}

export interface Record {
  jail: string;
  users: string[];
  entries: RecordEntry[];
  [k: string]: unknown;
}

/** Reads the jail's record, lets `edit` change it, writes it back in place (root's 0600 file, as build leaves it). */
export async function craft(jail: string, edit: (r: Record) => void): Promise<void> {
  const file = path.join(jail, RECORD);
  const r = JSON.parse(await fs.readFile(file, 'utf8')) as Record;
  edit(r);
  await fs.writeFile(file, JSON.stringify(r, null, 1) + '\n');
}

/** An entry asking to copy `p`, with true lstat facts of `p` on the host (what an attacker can read off any host). */
export async function copyEntry(p: string, over: Partial<RecordEntry> = {}): Promise<RecordEntry> {
  const st = await fs.stat(p);
  return {
    path: p,
    role: 'config',
    decision: 'copy',
    reason: 'configuration read',
    via: 'trace',
    ops: ['read'],
    host: { type: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs, rdev: 0 },
    ...over,
  };
}

export const sha256 = async (p: string): Promise<string> =>
  createHash('sha256')
    .update(await fs.readFile(p))
    .digest('hex');

/** Jail paths of regular files whose content is the host file `secret`'s (the record dir left out). */
export async function copiesOf(jail: string, secret: string): Promise<string[]> {
  const want = await sha256(secret);
  return (await snapshot(jail)).filter((e) => e.type === 'f' && e.sha256 === want && !e.path.startsWith('.jailtrace')).map((e) => e.path);
}

export interface CheckJson {
  code: number;
  suspicious?: number;
  findings: Array<{ kind: string; path: string; severity: string; detail: string }>;
}
