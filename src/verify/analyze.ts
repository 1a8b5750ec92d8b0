/**
 * What a workload run inside a jail lacked: every access made after chroot() that failed in the jail but would
 * succeed on the host (the jail mirrors the host's layout), and execs that failed with ENOENT although the program is
 * in the jail (then its ELF or #! interpreter is what is missing).
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { readElfInfo } from '../elf/elf.js';
import { readShebang } from '../elf/shebang.js';
import type { Manifest } from '../manifest/manifest.js';
import { fallbackPids, onlyLogging } from './fallbacks.js';
import { failedExecIndex, type FailedExec } from './failure-path.js';

export interface MissingFile {
  /** The path as the jailed program used it (absolute inside the jail); also the host path to copy from. */
  path: string;
  /** `record`: not seen in the trace, but the jail's record lists it and the jail does not have it (record-missing.ts). */
  kind: 'missing' | 'interpreter' | 'permission' | 'record';
  errno: string;
  syscall: string;
  pid: number;
  line: number;
  /** The trace file `line` is in (kept in the jail's record dir by default: explain cites it). */
  file?: string;
  /** For an interpreter: the program whose exec failed because of it. */
  for?: string;
  /** For a `record` file: what the record says of it. */
  detail?: string;
  /**
   * Every failed access to it came after an exec that failed in the same process (and before any exec that worked):
   * the process was on its way out (an error message, a syslog() fallback), so it is not a need (see failure-path.ts).
   */
  after?: FailedExec;
}

const existsFollow = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Does `p` exist as the jailed program would see it? Symlinks resolve inside the jail (an absolute target restarts
 * at the jail root, `..` stops at it), as the kernel does after chroot(). Read-only.
 */
export async function existsInJail(jail: string, p: string, depth = 0): Promise<boolean> {
  if (depth > 40) return false;
  const parts = p.split('/').filter(Boolean);
  let cur: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const host = path.join(jail, ...cur, part);
    const st = await lstat(host).catch(() => undefined);
    if (!st) return false;
    if (st.isSymbolicLink()) {
      const t = await readlink(host);
      const rest = parts.slice(i + 1);
      const next = t.startsWith('/') ? t : '/' + [...cur, t].join('/');
      return existsInJail(jail, [next, ...rest].join('/'), depth + 1);
    }
    cur = [...cur, part];
  }
  return true;
}

/** Excludes are jail paths of workload data (scratch dirs). */
export async function findMissing(m: Manifest, jail: string, excludes: readonly string[] = []): Promise<MissingFile[]> {
  const found = new Map<string, MissingFile>();
  const excluded = (p: string): boolean => excludes.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : x + '/'));
  const fallbacks = fallbackPids(m);
  const afterFailedExec = failedExecIndex(m);
  const fileOf = (a: { file?: number }): string | undefined => m.source.files[a.file ?? 0];
  // a failure-path sighting never hides a sighting on the way to success
  const note = (f: MissingFile): void => {
    const old = found.get(f.path);
    if (!old || (old.after && !f.after)) found.set(f.path, f);
  };
  for (const e of m.entries) {
    const jailAccesses = e.accesses.filter((a) => a.jailPath !== undefined);
    if (jailAccesses.length === 0) continue;
    const jp = jailAccesses[0].jailPath!;
    if (excluded(jp) || /^\/(proc|sys)(\/|$)/.test(jp)) continue;
    if (jailAccesses.some((a) => a.ok && a.op !== 'create')) continue; // it worked at least once in the jail
    for (const a of jailAccesses) {
      if (a.ok || onlyLogging(fallbacks, jp, a)) continue;
      if (a.errno === 'ENOENT' || a.errno === 'ENOTDIR') {
        if (a.op === 'exec' && (await existsInJail(jail, jp))) {
          // The program is there: its interpreter is not.
          for (const interp of await interpretersOf(await regularFileInJail(jail, jp))) {
            if (!(await existsInJail(jail, interp)) && (await existsFollow(interp))) {
              found.set(interp, { path: interp, kind: 'interpreter', errno: a.errno, syscall: a.syscall, pid: a.pid, line: a.line, file: fileOf(a), for: jp });
            }
          }
          continue;
        }
        if (a.op === 'create' || a.op === 'other') continue; // the program makes or removes it itself
        // A directory only looked at (O_PATH walks, stat): a program that needs what is inside fails on the file
        // inside, which is reported; the walk itself is often a probe of a path missing on the host too.
        if ((a.op === 'stat' || a.op === 'access') && (await isDir(jp))) continue;
        if (await existsFollow(jp))
          note({ path: jp, kind: 'missing', errno: a.errno, syscall: a.syscall, pid: a.pid, line: a.line, file: fileOf(a), ...withAfter(afterFailedExec(a)) });
      } else if (a.errno === 'EACCES' && (await existsFollow(jp))) {
        if (!found.has(jp) || found.get(jp)?.after)
          note({
            path: jp,
            kind: 'permission',
            errno: a.errno,
            syscall: a.syscall,
            pid: a.pid,
            line: a.line,
            file: fileOf(a),
            ...withAfter(afterFailedExec(a)),
          });
      }
    }
  }
  // One file reached by two spellings (/lib/... and /usr/lib/... through the /lib symlink) is one missing file.
  const byReal = new Map<string, MissingFile>();
  for (const f of [...found.values()].sort((x, y) => x.path.length - y.path.length || (x.path < y.path ? -1 : 1))) {
    const r = await realpath(f.path).catch(() => f.path);
    if (!byReal.has(r)) byReal.set(r, f);
  }
  return [...byReal.values()].sort((x, y) => (x.path < y.path ? -1 : 1));
}

const withAfter = (after: FailedExec | undefined): { after?: FailedExec } => (after ? { after } : {});

const isDir = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The host path of `p` as the jailed program sees it (symlinks resolved inside the jail), when it is a regular file:
 * verify reads it as root, so it never follows a jailed user's symlink to a host file, and never opens a FIFO.
 */
export async function regularFileInJail(jail: string, p: string, depth = 0): Promise<string | undefined> {
  if (depth > 40) return undefined;
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  const cur: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '..') {
      cur.pop();
      continue;
    }
    const host = path.join(jail, ...cur, parts[i]);
    const st = await lstat(host).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) {
      const t = await readlink(host);
      const next = t.startsWith('/') ? t : '/' + [...cur, t].join('/');
      return regularFileInJail(jail, [next, ...parts.slice(i + 1)].join('/'), depth + 1);
    }
    cur.push(parts[i]);
    if (i === parts.length - 1) return st.isFile() ? host : undefined;
  }
  return undefined;
}

/** The ELF interpreter, or the #! interpreter, of a program file (a host path inside the jail, already resolved). */
async function interpretersOf(file: string | undefined): Promise<string[]> {
  if (file === undefined) return [];
  const sb = await readShebang(file).catch(() => undefined);
  if (sb) return [sb.interpreter];
  const elf = await readElfInfo(file).catch(() => undefined);
  return elf?.interp ? [elf.interp] : [];
}
