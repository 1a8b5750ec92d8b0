/**
 * What a side of a diff needs: one row per path with its role and, when known, what the file is (type, size, mode,
 * content hash, symlink target). Built from a manifest (paths with a successful access) or from a jail record (what
 * the jail copied or created). Pure.
 */
import { roleOf, type HostType, type Role } from '../expand/classify.js';
import type { JailEntry } from '../expand/expand.js';
import type { JailRecord } from '../plan/make-plan.js';
import type { Manifest } from '../manifest/manifest.js';
import type { PlatformInfo } from '../platforms/types.js';
import type { Op } from '../syscalls.js';

export interface Need {
  path: string;
  role: Role;
  type?: HostType;
  size?: number;
  mode?: number;
  sha256?: string;
  target?: string;
}

/** The facts a manifest alone gives about a path's type: rows, first match wins. */
const TYPE_HINTS: ReadonlyArray<{ type: HostType; test: (path: string, ops: ReadonlySet<Op>) => boolean }> = [
  { type: 'dir', test: (p) => p === '/' },
  { type: 'socket', test: (_, ops) => ops.has('connect') },
  { type: 'dir', test: (_, ops) => ops.has('list') || ops.has('chdir') || ops.has('chroot') },
  { type: 'char', test: (p) => p.startsWith('/dev/') && !p.startsWith('/dev/shm/') },
  { type: 'symlink', test: (_, ops) => ops.size === 1 && ops.has('readlink') },
];

const typeHint = (path: string, ops: ReadonlySet<Op>): HostType => TYPE_HINTS.find((h) => h.test(path, ops))?.type ?? 'file';

/**
 * Places whose contents are runtime data, never what a jail holds: shared temp dirs, the caller's terminals, kernel
 * filesystems, per-user runtime dirs. The place itself (`/tmp`) is a directory a jail may have; what is under it is
 * left out of a default diff (`diff --all` shows it).
 */
export const RUNTIME_PLACES: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm', '/dev/pts', '/dev/fd', '/run/user', '/proc', '/sys'];

/** Roles that are never jail content (build skips them whatever they are). */
const RUNTIME_ROLES: ReadonlySet<Role> = new Set<Role>(['kernel', 'shared-tmp', 'user-controlled']);

/** Ops that only make or change a file: a path the program only created is its output, not a need. */
const WRITE_OPS: ReadonlySet<Op> = new Set<Op>(['create', 'other']);

const under = (p: string, places: readonly string[]): boolean => places.some((x) => p.startsWith(x.endsWith('/') ? x : x + '/'));

/** What a jail would hold of what a program touched: needs outside the runtime places and roles. Pure. */
export const jailContent = (needs: readonly Need[]): Need[] => needs.filter((n) => !RUNTIME_ROLES.has(n.role) && !under(n.path, RUNTIME_PLACES));

/** Ops that only look a path up (realpath, a search along a library path): on the way to something, not a need. */
const LOOKUP_OPS: ReadonlySet<Op> = new Set<Op>(['stat', 'access']);

export interface NeedsOptions {
  /**
   * Every path with a successful access (default). `false`: what a jail needs of them: not the files the program
   * only created or changed (its output), nor directories it only looked up on the way to another need (the jail
   * makes those as parents).
   */
  all?: boolean;
}

/** Paths with at least one successful access, classified as build would classify a traced path. */
export function needsFromManifest(m: Manifest, platform: PlatformInfo, opts: NeedsOptions = {}): Need[] {
  const out: Need[] = [];
  const all = opts.all ?? true;
  const used = all ? [] : m.entries.filter((e) => e.accesses.some((a) => a.ok && !LOOKUP_OPS.has(a.op))).map((e) => e.path);
  const onTheWay = (p: string): boolean => used.some((u) => u.startsWith(p === '/' ? '/' : p + '/'));
  for (const e of m.entries) {
    if (!e.path.startsWith('/')) continue; // unresolved relative path: parse notes it
    // A file known only as what a name resolves to (strace -y, readlink, resolvepath) is reached through that name,
    // and only some tracer flags show it: left out, so one workload diffs equal under any flags.
    const ops = new Set(e.accesses.filter((a) => a.ok && a.resolvedFrom === undefined).map((a) => a.op));
    if (ops.size === 0) continue;
    if (!all && [...ops].every((o) => WRITE_OPS.has(o))) continue;
    if (!all && e.path !== '/' && [...ops].every((o) => LOOKUP_OPS.has(o)) && onTheWay(e.path)) continue;
    const type = typeHint(e.path, ops);
    out.push({ path: e.path, role: roleOf({ path: e.path, ops, failedOnly: false, type, via: 'trace' }, platform) });
  }
  return out;
}

/** Decisions that put something in the jail. */
const IN_JAIL = new Set<JailEntry['decision']>(['copy', 'create', 'generate']);

/** What a jail holds, from its record; `files` adds what the jail's own files are (size, mode, sha256). */
export function needsFromRecord(r: JailRecord, files?: ReadonlyMap<string, { size: number; mode: number; sha256?: string }>): Need[] {
  const out: Need[] = [];
  for (const e of r.entries) {
    if (!IN_JAIL.has(e.decision) || !e.host) continue;
    const h = e.host as JailEntry['host'] & { sha256?: string };
    const n: Need = { path: e.path, role: e.role, type: h.type };
    if (e.decision === 'generate') {
      out.push(n); // generated content (accounts) is the jail's own, not the host's
      continue;
    }
    if (h.type === 'file') {
      const f = files?.get(e.path);
      n.size = f?.size ?? h.size;
      n.mode = (f?.mode ?? h.mode) & 0o7777;
      const sha = f ? f.sha256 : h.sha256;
      if (sha !== undefined) n.sha256 = sha;
    } else if (h.type === 'dir' || h.type === 'char' || h.type === 'block') n.mode = h.mode & 0o7777;
    if (h.target !== undefined) n.target = h.target;
    out.push(n);
  }
  return out;
}
