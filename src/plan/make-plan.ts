/**
 * Jail entries → Plan (pure): mkdir / copy / symlink / mknod / write actions with their reasons, plus the generated
 * account files, the users' homes and the jail's own record (`/.jailtrace/manifest.json`, see docs/jail-record.md).
 */
import { createHash } from 'node:crypto';
import type { Action, Plan } from './plan.js';
import { sortPlan } from './plan.js';
import type { Accounts } from '../expand/accounts.js';
import type { JailEntry } from '../expand/expand.js';
import type { RecordInputs } from './inputs.js';
import { devMajor, devMinor } from '../jail/on-disk.js';

export const RECORD_DIR = '/.jailtrace';
export const RECORD_FILE = '/.jailtrace/manifest.json';
export const JAIL_SCHEMA = 'jailtrace.jail/1';

export interface JailRecord {
  schema: typeof JAIL_SCHEMA;
  /** jailtrace version that built it. No timestamp: a rebuild with nothing new must not rewrite the record. */
  version: string;
  jail: string;
  users: string[];
  profiles: string[];
  commands: string[][];
  traces: string[];
  entries: JailEntry[];
  warnings: string[];
  /**
   * Every file jailtrace wrote rather than copied (the generated passwd and group), with its content hash, mode and
   * owner: `check` reports any other byte as tampered, `sync` writes it again. Absent in records before issue 18.
   */
  generated?: GeneratedFile[];
  /**
   * What the build read from the host (identity of each input, the paths looked for and not found) and the request's
   * key: a rebuild with all of them unchanged is up to date (src/app/up-to-date.ts). Absent before issue 14, and
   * when an input is a path a user could swap.
   */
  inputs?: RecordInputs;
}

export interface GeneratedFile {
  path: string;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
}

export const sha256Of = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex');

/** The generated files of a plan's write actions (the record itself excluded: it cannot hold its own hash). */
export function generatedFiles(actions: readonly Action[]): GeneratedFile[] {
  return actions
    .filter((a): a is Extract<Action, { kind: 'write' }> => a.kind === 'write' && a.path !== RECORD_FILE && !a.path.startsWith(RECORD_DIR + '/'))
    .map((a) => ({ path: a.path, sha256: sha256Of(a.content), mode: a.mode, uid: a.uid, gid: a.gid }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface PlanInput {
  jail: string;
  entries: Iterable<JailEntry>;
  accounts?: Accounts;
  /** Create each user's home inside the jail, owned by the user. */
  homes: boolean;
  /**
   * Where a user's home goes inside the jail (default: the passwd home as it is, as sshd's ChrootDirectory chdirs).
   * undefined: no home (rssh leaves the user in `/`). rssh jails: src/rssh/user.ts `extractRoot`.
   */
  homeInJail?: (u: { name: string; home: string }) => string | undefined;
  record: Omit<JailRecord, 'schema' | 'entries'>;
  /**
   * Keep every parent directory the entries create, with nothing below it or not (sync: it restores a subset of
   * the record and checks each path against the record, not a whole jail).
   */
  keepParents?: boolean;
}

function reasonOf(e: JailEntry): string {
  const src = e.first ? ` (${e.first.syscall} by pid ${e.first.pid}, ${e.first.file ? `${e.first.file}:` : 'line '}${e.first.line})` : '';
  switch (e.via) {
    case 'interp':
      return `${e.reason}: PT_INTERP of ${e.from}`;
    case 'shebang':
      return `#! interpreter of ${e.from}`;
    case 'needed':
      return `DT_NEEDED of ${e.from} (--with-static-deps)`;
    case 'symlink':
      return `symlink on the way to ${e.from}`;
    case 'parent':
      return `parent directory of ${e.from}`;
    default:
      return `${e.reason}${src}`;
  }
}

/** The record's reason for a directory that is planned only as a parent and has nothing made below it. */
export const PRUNED_REASON = 'not made: only on the way to paths the jail does not get (a directory is made on the way to something that is made)';

/**
 * "A directory is made only on the way to something that is made." A directory in the entries only as a parent
 * (`via: 'parent'`) — /etc/ssh for a host key that was not copied — is kept only when some other action (copy,
 * mknod, symlink, write, a home, a directory the program itself used) lies below it. A directory the trace shows the
 * program using (chdir, open, list, mkdir, even a stat: it saw the directory there) is made whatever lies below it.
 */
function pruneParents(actions: readonly Action[], ownSake: ReadonlySet<string>): { actions: Action[]; pruned: Set<string> } {
  const parentOnly = new Set(actions.filter((a) => a.kind === 'mkdir' && !ownSake.has(a.path)).map((a) => a.path));
  const holding = new Set<string>(); // every directory above an action that is made for its own sake
  for (const a of actions) {
    if (a.kind === 'mkdir' && parentOnly.has(a.path)) continue;
    for (let d = a.path.slice(0, a.path.lastIndexOf('/')); d !== ''; d = d.slice(0, d.lastIndexOf('/'))) holding.add(d);
  }
  const pruned = new Set(actions.filter((a) => a.kind === 'mkdir' && parentOnly.has(a.path) && !holding.has(a.path)).map((a) => a.path));
  return { actions: actions.filter((a) => !pruned.has(a.path)), pruned };
}

export function makePlan(input: PlanInput): Plan {
  const actions: Action[] = [];
  const taken = new Set<string>();
  /** Paths some action wants for its own sake (not only as a parent of a traced path): never pruned. */
  const ownSake = new Set<string>();
  const push = (a: Action, onlyParent = false): void => {
    if (!onlyParent) ownSake.add(a.path);
    if (taken.has(a.path)) return;
    taken.add(a.path);
    actions.push(a);
  };
  push({ kind: 'mkdir', path: '/', mode: 0o755, uid: 0, gid: 0, reason: 'jail root: root-owned, not group/other-writable (OpenSSH ChrootDirectory rule)' });
  const entries = [...input.entries];
  for (const e of entries) {
    if (e.path === '/' || !e.host) continue;
    const h = e.host;
    const reason = reasonOf(e);
    if (e.decision === 'copy' && h.type === 'file') {
      push({
        kind: 'copy',
        path: e.path,
        source: e.path,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        mtimeMs: h.mtimeMs,
        size: h.size,
        dev: h.dev,
        ino: h.ino,
        reason,
      });
    } else if (e.decision === 'create' || (e.decision === 'copy' && h.type !== 'file')) {
      if (h.type === 'dir') push({ kind: 'mkdir', path: e.path, mode: h.mode, uid: h.uid, gid: h.gid, reason }, e.via === 'parent');
      else if (h.type === 'symlink' && h.target !== undefined) push({ kind: 'symlink', path: e.path, target: h.target, reason });
      else if (h.type === 'char' || h.type === 'block')
        push({
          kind: 'mknod',
          path: e.path,
          type: h.type === 'char' ? 'c' : 'b',
          major: devMajor(h.rdev),
          minor: devMinor(h.rdev),
          mode: h.mode,
          uid: h.uid,
          gid: h.gid,
          reason,
        });
    }
  }
  if (input.accounts) {
    for (const f of ['/etc/passwd', '/etc/group'] as const) {
      const content = f === '/etc/passwd' ? input.accounts.passwd : input.accounts.group;
      const e = entries.find((x) => x.path === f);
      if (e?.decision === 'copy') continue; // --full-passwd
      push({
        kind: 'write',
        path: f,
        content,
        mode: 0o644,
        uid: 0,
        gid: 0,
        reason: `generated: root and ${input.record.users.join(', ') || 'no other users'} only`,
      });
    }
    if (!taken.has('/etc')) push({ kind: 'mkdir', path: '/etc', mode: 0o755, uid: 0, gid: 0, reason: 'holds the generated account files' });
    if (input.homes) {
      for (const user of input.accounts.users) {
        const home = input.homeInJail ? input.homeInJail(user) : user.home;
        if (home === undefined || !home.startsWith('/') || home === '/') continue;
        const u = { ...user, home };
        const parts = u.home.split('/').filter(Boolean);
        for (let i = 1; i < parts.length; i++) {
          const d = '/' + parts.slice(0, i).join('/');
          push({ kind: 'mkdir', path: d, mode: 0o755, uid: 0, gid: 0, reason: `parent of ${u.name}'s home` });
        }
        push({ kind: 'mkdir', path: u.home, mode: 0o755, uid: u.uid, gid: u.gid, reason: `${u.name}'s home inside the jail, owned by ${u.name}` });
      }
    }
  }
  const kept = input.keepParents ? { actions, pruned: new Set<string>() } : pruneParents(actions, ownSake);
  const recorded = entries.map((e) => (kept.pruned.has(e.path) ? { ...e, decision: 'report-only' as const, reason: PRUNED_REASON } : e));
  actions.splice(0, actions.length, ...kept.actions);
  const generated = generatedFiles(actions);
  const record: JailRecord = { schema: JAIL_SCHEMA, ...input.record, entries: recorded, ...(generated.length ? { generated } : {}) };
  push({ kind: 'mkdir', path: RECORD_DIR, mode: 0o700, uid: 0, gid: 0, reason: "jailtrace's record of what this jail should hold" });
  push({
    kind: 'write',
    path: RECORD_FILE,
    content: JSON.stringify(record, null, 1) + '\n',
    mode: 0o600,
    uid: 0,
    gid: 0,
    reason: 'manifest and decisions, for verify/check/sync/diff/explain',
  });
  return sortPlan({ jail: input.jail, actions });
}
