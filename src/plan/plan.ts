/**
 * The plan vocabulary: what a jail should contain, as pure data.
 *
 * Every `path` is absolute *inside the jail* (`/usr/lib/x86_64-linux-gnu/libc.so.6`): it starts with `/`, has no `.` or
 * `..` components, no empty components (`//`), no trailing `/` and no NUL. `/` itself names the jail root and is only
 * valid for `mkdir` (to set the root's mode and owner). Nothing here touches the disk; src/jail/apply.ts writes.
 */

export type Action =
  | { kind: 'mkdir'; path: string; mode: number; uid: number; gid: number; reason: string }
  | {
      kind: 'copy';
      path: string;
      /** Host path to copy from (symlinks on the host side are followed). */
      source: string;
      mode: number;
      uid: number;
      gid: number;
      /** The source's mtime when the plan was made; apply checks it has not changed and gives it to the copy. */
      mtimeMs: number;
      size: number;
      /** The source's device and inode when the plan was made: apply refuses another file swapped in since. */
      dev?: number;
      ino?: number;
      reason: string;
    }
  | { kind: 'symlink'; path: string; target: string; reason: string }
  | { kind: 'mknod'; path: string; type: 'c' | 'b'; major: number; minor: number; mode: number; uid: number; gid: number; reason: string }
  | { kind: 'write'; path: string; content: string; mode: number; uid: number; gid: number; reason: string };

export type ActionKind = Action['kind'];

export interface Plan {
  /** Host directory of the jail root. */
  jail: string;
  actions: Action[];
}

export type JailPathProblem = 'not-absolute' | 'empty-component' | 'dot-component' | 'trailing-slash' | 'nul-byte' | 'root-not-allowed';

/** A jail path that breaks the rules above. */
export class JailPathError extends Error {
  constructor(
    readonly path: string,
    readonly problem: JailPathProblem,
    readonly kind?: ActionKind,
  ) {
    super(`invalid jail path ${JSON.stringify(path)}${kind ? ` (${kind})` : ''}: ${PROBLEM_TEXT[problem]}`);
    this.name = 'JailPathError';
  }
}

const PROBLEM_TEXT: Record<JailPathProblem, string> = {
  'not-absolute': 'must start with /',
  'empty-component': 'contains an empty component (//)',
  'dot-component': 'contains a . or .. component',
  'trailing-slash': 'ends with /',
  'nul-byte': 'contains a NUL byte',
  'root-not-allowed': 'the jail root itself can only be the target of mkdir',
};

/** Throws JailPathError unless `path` is a well-formed jail path; returns it unchanged. */
export function validateJailPath(path: string, kind?: ActionKind): string {
  const fail = (problem: JailPathProblem): never => {
    throw new JailPathError(path, problem, kind);
  };
  if (path.includes('\0')) fail('nul-byte');
  if (!path.startsWith('/')) fail('not-absolute');
  if (path === '/') return kind === undefined || kind === 'mkdir' ? path : fail('root-not-allowed');
  if (path.endsWith('/')) fail('trailing-slash');
  for (const c of path.slice(1).split('/')) {
    if (c === '') fail('empty-component');
    if (c === '.' || c === '..') fail('dot-component');
  }
  return path;
}

/** Components of a valid jail path: `/usr/lib` → `['usr', 'lib']`, `/` → `[]`. */
export function jailPathComponents(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/** Parent of a jail path (`/usr/lib` → `/usr`, `/usr` → `/`). */
export function jailParent(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Validates every action's path (and that no path appears twice). Throws JailPathError / PlanConflictError. */
export function validatePlan(plan: Plan): Plan {
  const seen = new Map<string, Action>();
  for (const a of plan.actions) {
    validateJailPath(a.path, a.kind);
    const prev = seen.get(a.path);
    if (prev) throw new PlanConflictError(a.path, prev, a);
    seen.set(a.path, a);
  }
  return plan;
}

/** Two actions for the same jail path. */
export class PlanConflictError extends Error {
  constructor(
    readonly path: string,
    readonly first: Action,
    readonly second: Action,
  ) {
    super(`plan has two actions for ${JSON.stringify(path)}: ${first.kind} (${first.reason}) and ${second.kind} (${second.reason})`);
    this.name = 'PlanConflictError';
  }
}

/** Which phase an action runs in: all directories first, then symlinks (which may lead through them), then files. */
const PHASE: Record<ActionKind, number> = { mkdir: 0, symlink: 1, copy: 2, mknod: 2, write: 2 };

const depth = (p: string): number => jailPathComponents(p).length;

/**
 * Orders actions so parents come before children: directories by depth, then symlinks by depth, then files, device
 * nodes and generated files by depth; ties broken by path (code-unit order) so the result is deterministic. Symlinks
 * after directories means `/lib -> usr/lib` exists before a file is written through it. (A plan whose `mkdir` goes
 * *through* one of its own symlinks is not supported: plan canonical directory paths.) Returns a new plan.
 */
export function sortPlan(plan: Plan): Plan {
  const actions = [...plan.actions].sort(
    (a, b) => PHASE[a.kind] - PHASE[b.kind] || depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  return { jail: plan.jail, actions };
}

/** The plan's own symlinks (jail path → target): the only absolute or `..` symlinks apply and the sh script follow. */
export function planSymlinks(plan: Plan): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of plan.actions) if (a.kind === 'symlink') m.set(a.path, a.target);
  return m;
}

export const SETID_BITS = 0o6000;

/** The mode a file-like action ends up with: permission bits + sticky, setuid/setgid only when `keepSetuid` is true. */
export function effectiveMode(a: Action, keepSetuid: boolean): number {
  if (a.kind === 'symlink') return 0o777;
  const mode = a.mode & 0o7777;
  return a.kind === 'mkdir' || keepSetuid ? mode : mode & ~SETID_BITS;
}

/** `0o755` → `'0755'`. */
export const octal = (mode: number, width = 4): string => (mode & 0o7777).toString(8).padStart(width, '0');
