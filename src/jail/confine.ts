/**
 * Confinement: turning a jail path into a place on disk without ever leaving the jail.
 *
 * Node has no openat2(), so resolution is done by hand, one component at a time, the way RESOLVE_IN_ROOT would:
 *
 * - The jail root is lstat'ed and opened with O_NOFOLLOW|O_DIRECTORY; a symlink (or non-directory) there is refused.
 * - Each directory component is lstat'ed (never followed) under the directory handle reached so far.
 *   - a directory: descend (on Linux: open it O_NOFOLLOW|O_DIRECTORY and keep the fd, see below);
 *   - a symlink: read its target and resolve it *inside the jail*, component by component, by the same rules:
 *       - relative target: followed, but a `..` that would climb above the jail root is refused (`symlink-escape`);
 *       - absolute target: refused (`symlink-absolute`),
 *     unless the plan itself creates exactly that symlink (the `trusted` map), in which case it is followed with
 *     chroot semantics: an absolute target is re-rooted at the jail and `..` stops at the jail root;
 *   - anything else (file, device, FIFO, socket): refused (`not-a-directory` / `special-file`).
 * - The final component is never followed: callers lstat it and replace it by rename.
 *
 * Race hardening: on Linux with /proc mounted, every directory reached is held open as an fd and all later operations
 * go through `/proc/<pid>/fd/<n>/<name>`, which the kernel resolves from the open directory, not by path. Swapping a
 * directory for a symlink after it was checked therefore cannot redirect a write (it is openat() in all but name).
 * Elsewhere ('path' mode) the chain of directories is re-checked (lstat: still a directory, same dev/inode) right
 * before each change; a window of a few system calls remains there. See docs/security.md.
 */
import { constants as FS, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { jailPathComponents, validateJailPath } from '../plan/plan.js';
import { systemJailProblem } from './system-dirs.js';

export type ConfineReason =
  | 'root-symlink'
  | 'root-not-directory'
  | 'root-missing'
  | 'root-is-host-root'
  | 'root-system-dir'
  | 'symlink-absolute'
  | 'symlink-escape'
  | 'symlink-loop'
  | 'not-a-directory'
  | 'special-file'
  | 'missing'
  | 'changed';

const WHY: Record<ConfineReason, string> = {
  'root-symlink': 'the jail root is a symlink; refusing to build through it',
  'root-not-directory': 'the jail root is not a directory',
  'root-missing': 'the jail root does not exist',
  'root-is-host-root': "the jail root is the host's / ; refusing to build a jail over the running system",
  'root-system-dir': "the jail root is one of the running system's directories",
  'symlink-absolute': 'is a symlink with an absolute target the plan did not create; it would lead out of the jail',
  'symlink-escape': 'is a symlink whose target climbs above the jail root',
  'symlink-loop': 'too many levels of symlinks',
  'not-a-directory': 'is not a directory',
  'special-file': 'is a device, FIFO or socket where a directory should be',
  missing: 'does not exist (the plan should create it first)',
  changed: 'changed while it was being resolved (swapped for something else?)',
};

/** A jail path that cannot be reached without leaving the jail or breaking a rule above. */
export class ConfineError extends Error {
  constructor(
    /** Host path of the jail root. */
    readonly jail: string,
    /** The jail path being resolved. */
    readonly path: string,
    /** The jail path of the component that was refused (e.g. `/usr` for `/usr/bin/true`). */
    readonly component: string,
    readonly reason: ConfineReason,
    /** Extra context, e.g. the symlink's target. */
    readonly detail?: string,
  ) {
    super(`${jail}: ${path}: ${component} ${WHY[reason]}${detail ? ` (${detail})` : ''}`);
    this.name = 'ConfineError';
  }
}

/** A directory inside the jail, reached by confined resolution. */
export interface DirHandle {
  /** Resolved jail path (no symlinks in it). */
  jailPath: string;
  /** Host path, for messages and for 'path' mode. */
  hostPath: string;
  /** What to prefix names with for file operations: `/proc/<pid>/fd/<n>` ('procfd' mode) or the host path. */
  opPath: string;
  fd?: FileHandle;
  dev: number;
  ino: number;
}

export type ConfineMode = 'procfd' | 'path';

export interface JailRoot {
  host: string;
  mode: ConfineMode;
  root: DirHandle;
  /** Symlinks the plan creates (jail path → target): followed even when absolute. */
  trusted: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

export interface OpenJailOptions {
  trusted?: ReadonlyMap<string, string>;
  /** Force a mode (tests); default 'procfd' on Linux when /proc/self/fd works, else 'path'. */
  mode?: ConfineMode;
}

const DIR_FLAGS = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW;
const MAX_SYMLINKS = 40;

let procFdWorks: boolean | undefined;
async function detectMode(): Promise<ConfineMode> {
  if (procFdWorks === undefined) {
    procFdWorks = false;
    if (process.platform === 'linux') {
      try {
        const fh = await fs.open('/', DIR_FLAGS);
        try {
          const a = await fs.stat(`/proc/${process.pid}/fd/${fh.fd}/.`);
          const b = await fh.stat();
          procFdWorks = a.ino === b.ino && a.dev === b.dev;
        } finally {
          await fh.close();
        }
      } catch {
        procFdWorks = false; // no /proc: fall back to path mode, which re-checks the chain before each change
      }
    }
  }
  return procFdWorks ? 'procfd' : 'path';
}

const joinJail = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const hostOf = (host: string, jailPath: string): string => (jailPath === '/' ? host : path.join(host, jailPath));

/** Opens the jail root. Refuses a root that is a symlink or not a directory. */
export async function openJail(host: string, opts: OpenJailOptions = {}): Promise<JailRoot> {
  const abs = path.resolve(host);
  const mode = opts.mode ?? (await detectMode());
  let st: Stats;
  try {
    st = await fs.lstat(abs);
  } catch (e) {
    if (isCode(e, 'ENOENT')) throw new ConfineError(abs, '/', '/', 'root-missing');
    throw e;
  }
  if (st.isSymbolicLink()) throw new ConfineError(abs, '/', '/', 'root-symlink', `-> ${await fs.readlink(abs).catch(() => '?')}`);
  if (!st.isDirectory()) throw new ConfineError(abs, '/', '/', 'root-not-directory');
  if ((await fs.realpath(abs)) === '/') throw new ConfineError(abs, '/', '/', 'root-is-host-root');
  const system = await systemJailProblem(abs);
  if (system) throw new ConfineError(abs, '/', '/', 'root-system-dir', system);
  let root: DirHandle;
  if (mode === 'procfd') {
    let fd: FileHandle;
    try {
      fd = await fs.open(abs, DIR_FLAGS);
    } catch (e) {
      if (isCode(e, 'ELOOP') || isCode(e, 'ENOTDIR')) throw new ConfineError(abs, '/', '/', 'changed');
      throw e;
    }
    const fst = await fd.stat();
    if (fst.ino !== st.ino || fst.dev !== st.dev) {
      await fd.close();
      throw new ConfineError(abs, '/', '/', 'changed');
    }
    root = { jailPath: '/', hostPath: abs, opPath: `/proc/${process.pid}/fd/${fd.fd}`, fd, dev: fst.dev, ino: fst.ino };
  } else {
    root = { jailPath: '/', hostPath: abs, opPath: abs, dev: st.dev, ino: st.ino };
  }
  return {
    host: abs,
    mode,
    root,
    trusted: opts.trusted ?? new Map(),
    close: async () => {
      await root.fd?.close();
    },
  };
}

/** Where a jail path's final component lives: its (resolved) parent directory and its name. */
export interface Resolved {
  status: 'ok';
  /** The jail path asked for. */
  path: string;
  /** Same path with directory symlinks resolved in-root. */
  resolvedPath: string;
  dir: DirHandle;
  name: string;
  /** Host path of the final component (messages). */
  hostPath: string;
  /** Path to use for operations on the final component (never followed by callers: lstat/rename/unlink only). */
  opPath: string;
  /** Path for an operation on another name in the same directory (temp files). */
  sibling(name: string): string;
  /** 'path' mode: re-checks that every directory in the chain is still the one resolved. No-op in 'procfd' mode. */
  verify(): Promise<void>;
  release(): Promise<void>;
}

/** A parent component is missing (only returned with `allowMissing`, e.g. for dry runs). */
export interface Missing {
  status: 'missing';
  path: string;
  /** Jail path of the first missing component. */
  missing: string;
  release(): Promise<void>;
}

interface Pending {
  name: string;
  /** The symlink whose target this component came from. */
  via?: { link: string; target: string; trusted: boolean };
}

/**
 * Resolves everything but the final component of `jailPath` inside the jail (rules in the header comment). Callers
 * must `release()` the result. Throws ConfineError when a component is refused or (without `allowMissing`) missing.
 */
export async function resolveParent(jail: JailRoot, jailPath: string, opts: { allowMissing?: boolean } = {}): Promise<Resolved | Missing> {
  validateJailPath(jailPath);
  const comps = jailPathComponents(jailPath);
  if (comps.length === 0) throw new ConfineError(jail.host, jailPath, '/', 'not-a-directory', 'the jail root has no parent inside the jail');
  const name = comps[comps.length - 1];
  const queue: Pending[] = comps.slice(0, -1).map((c) => ({ name: c }));
  const stack: DirHandle[] = [jail.root];
  const opened: FileHandle[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(opened.splice(0).map((f) => f.close().catch(() => undefined)));
  };
  const refuse = (component: string, reason: ConfineReason, detail?: string): never => {
    throw new ConfineError(jail.host, jailPath, component, reason, detail);
  };
  let links = 0;
  try {
    while (queue.length > 0) {
      const item = queue.shift()!;
      const cur = stack[stack.length - 1];
      if (item.name === '' || item.name === '.') continue;
      if (item.name === '..') {
        if (stack.length > 1) stack.pop();
        else if (!item.via?.trusted) refuse(item.via?.link ?? '/', 'symlink-escape', `-> ${item.via?.target ?? '..'}`);
        continue; // a trusted symlink's `..` stops at the jail root, as in a chroot
      }
      const childJail = joinJail(cur.jailPath, item.name);
      let st: Stats;
      try {
        st = await fs.lstat(`${cur.opPath}/${item.name}`);
      } catch (e) {
        if (isCode(e, 'ENOENT')) {
          if (opts.allowMissing) return { status: 'missing', path: jailPath, missing: childJail, release };
          refuse(childJail, 'missing');
        }
        throw e;
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) refuse(childJail, 'symlink-loop');
        const target = await fs.readlink(`${cur.opPath}/${item.name}`);
        const trusted = jail.trusted.get(childJail) === target;
        if (target.startsWith('/')) {
          if (!trusted) refuse(childJail, 'symlink-absolute', `-> ${target}`);
          stack.length = 1; // re-rooted at the jail
        }
        const via = { link: childJail, target, trusted };
        queue.unshift(...target.split('/').map((n) => ({ name: n, via })));
        continue;
      }
      if (!st.isDirectory()) {
        const special = st.isFIFO() || st.isSocket() || st.isCharacterDevice() || st.isBlockDevice();
        refuse(childJail, special ? 'special-file' : 'not-a-directory');
      }
      stack.push(await descend(jail, cur, item.name, childJail, st, opened, jailPath));
    }
  } catch (e) {
    await release();
    throw e;
  }
  const dir = stack[stack.length - 1];
  const chain = [...stack];
  const resolvedPath = joinJail(dir.jailPath, name);
  return {
    status: 'ok',
    path: jailPath,
    resolvedPath,
    dir,
    name,
    hostPath: hostOf(jail.host, resolvedPath),
    opPath: `${dir.opPath}/${name}`,
    sibling: (n: string) => `${dir.opPath}/${n}`,
    verify: async () => {
      if (jail.mode === 'procfd') return;
      for (const d of chain) {
        const st = await fs.lstat(d.hostPath).catch(() => undefined);
        if (!st?.isDirectory() || st.ino !== d.ino || st.dev !== d.dev) {
          throw new ConfineError(jail.host, jailPath, d.jailPath, 'changed');
        }
      }
    },
    release,
  };
}

async function descend(jail: JailRoot, cur: DirHandle, name: string, jailPath: string, st: Stats, opened: FileHandle[], asked: string): Promise<DirHandle> {
  const hostPath = hostOf(jail.host, jailPath);
  if (jail.mode === 'path') return { jailPath, hostPath, opPath: hostPath, dev: st.dev, ino: st.ino };
  let fd: FileHandle;
  try {
    fd = await fs.open(`${cur.opPath}/${name}`, DIR_FLAGS);
  } catch (e) {
    if (isCode(e, 'ELOOP') || isCode(e, 'ENOTDIR') || isCode(e, 'ENOENT')) throw new ConfineError(jail.host, asked, jailPath, 'changed');
    throw e;
  }
  opened.push(fd);
  const fst = await fd.stat();
  if (fst.ino !== st.ino || fst.dev !== st.dev) throw new ConfineError(jail.host, asked, jailPath, 'changed');
  return { jailPath, hostPath, opPath: `/proc/${process.pid}/fd/${fd.fd}`, fd, dev: fst.dev, ino: fst.ino };
}

export function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
