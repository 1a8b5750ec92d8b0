/**
 * Manifest → jail entries: what a trace shows plus what it cannot show (ELF interpreters, `#!` interpreters,
 * every symlink on the way to every path, parent directories with the host's modes, devices (the platform's safe
 * list, others only by --allow-device), generated accounts). Which parents are made is make-plan's call.
 * Reads the host (lstat, readlink, ELF headers); writes nothing.
 */
import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { closureOf } from './static-deps.js';
import { displayPath } from '../display-path.js';
import { readElfInfo } from '../elf/elf.js';
import { envCommand, readShebang, resolveOnPath } from '../elf/shebang.js';
import { entryBytes, type Manifest } from '../manifest/manifest.js';
import { normalize } from '../model/path.js';
import type { PlatformInfo } from '../platforms/types.js';
import type { Op } from '../syscalls.js';
import { decide, isSecret, type Decision, type Facts, type HostType, type Role } from './classify.js';

export interface HostInfo {
  type: HostType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  rdev: number;
  /** Symlink target. */
  target?: string;
  /** Content hash of a copied file when the jail was built (for check/sync/diff). */
  sha256?: string;
  /** Device and inode on the host when planned (apply refuses a file swapped in since). */
  dev?: number;
  ino?: number;
}

export type Via = Facts['via'];

export interface JailEntry {
  /** Host path; the jail path is the same path inside the jail. */
  path: string;
  role: Role;
  decision: Decision;
  reason: string;
  via: Via;
  /** The path this one was added for (the executable of a PT_INTERP, the path a symlink leads to...). */
  from?: string;
  /** Trace provenance: first successful (or failed) access. */
  first?: { op: Op; ok: boolean; errno?: string; pid: number; line: number; syscall: string; file?: string };
  ops: Op[];
  host?: HostInfo;
  /** A secret's name that led here through a symlink (the file is a secret whatever its own name). */
  secretName?: string;
  /** The world-writable directory below which a user controls a name on the way here (role `shared-tmp`), or (with
   * `userDir`) the directory a user can write that holds such a name (role `user-controlled`). */
  sharedDir?: string;
  userDir?: boolean;
}

interface AddHow {
  via: Via;
  ops: Op[];
  from?: string;
  first?: JailEntry['first'];
  secretName?: string;
}

export interface ExpandOptions {
  platform: PlatformInfo;
  /** Host path prefixes that are workload data (scratch dirs): never jail content. */
  excludes: readonly string[];
  allowSecrets: ReadonlySet<string>;
  /** Device nodes made beyond the platform's safe list (--allow-device); none when absent. */
  allowDevices?: ReadonlySet<string>;
  fullPasswd: boolean;
  /** Add the static DT_NEEDED closure of every copied ELF (`--with-static-deps`). */
  withStaticDeps?: boolean;
}

const MAX_SYMLINKS = 40;

function hostType(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  isFIFO(): boolean;
}): HostType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'fifo';
  return 'missing';
}

async function hostInfo(p: string): Promise<HostInfo | undefined> {
  try {
    const st = await lstat(p);
    const type = hostType(st);
    // A directory's size and mtime change whenever its entries do and are not part of what a jail copies.
    const dir = type === 'dir';
    const info: HostInfo = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: dir ? 0 : st.size, mtimeMs: dir ? 0 : st.mtimeMs, rdev: st.rdev };
    if (type === 'file') Object.assign(info, { dev: st.dev, ino: st.ino });
    if (type === 'symlink') info.target = await readlink(p);
    return info;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Can someone other than root rename or replace `child` in directory `dir`? Its owner can; so can its group or
 * everyone when it is writable by them, unless the sticky bit keeps them to their own names.
 */
function swappableIn(dir: HostInfo, child: HostInfo): boolean {
  if (dir.uid !== 0) return true;
  const open = (dir.mode & 0o002) !== 0 || ((dir.mode & 0o020) !== 0 && dir.gid !== 0);
  return open && ((dir.mode & 0o1000) === 0 || child.uid !== 0);
}

const underAny = (p: string, prefixes: readonly string[]): boolean => prefixes.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : x + '/'));

export class Expander {
  readonly entries = new Map<string, JailEntry>();
  readonly warnings: string[] = [];
  private readonly infos = new Map<string, Promise<HostInfo | undefined>>();

  constructor(private readonly opts: ExpandOptions) {}

  private info(p: string): Promise<HostInfo | undefined> {
    let i = this.infos.get(p);
    if (!i) {
      i = hostInfo(p);
      this.infos.set(p, i);
    }
    return i;
  }

  /** Everything a set of manifests needs. */
  async addManifests(manifests: readonly Manifest[]): Promise<void> {
    for (const m of manifests) {
      for (const e of m.entries) {
        const bytes = entryBytes(e);
        const p = bytes.toString('utf8');
        if (underAny(p, this.opts.excludes)) continue; // workload scratch data
        if (!Buffer.from(p, 'utf8').equals(bytes)) {
          this.warnings.push(`${displayPath(e.path, { escaped: true })}: not valid UTF-8, left out of the jail`);
          continue;
        }
        if (!p.startsWith('/')) continue; // unresolved relative path: parse notes it
        const ok = e.accesses.filter((a) => a.ok);
        const ops = [...new Set(ok.map((a) => a.op))];
        const firstAcc = ok[0] ?? e.accesses[0];
        const first = {
          op: firstAcc.op,
          ok: firstAcc.ok,
          errno: firstAcc.errno,
          pid: firstAcc.pid,
          line: firstAcc.line,
          syscall: firstAcc.syscall,
          file: m.source.files[firstAcc.file ?? 0],
        };
        // An ancestor of a scratch dir that was only looked at (realpath/cd on the way to it) is not jail content.
        if (p !== '/' && this.opts.excludes.some((x) => x.startsWith(p + '/')) && ops.every((o) => o === 'stat' || o === 'chdir' || o === 'access')) continue;
        if (ok.length === 0) {
          // the failed ops still say what it is (a connect: a socket whose server is not running)
          this.note(p, { via: 'trace', ops: [...new Set(e.accesses.map((a) => a.op))], failedOnly: true, first });
          continue;
        }
        // chdir/chroot into a directory and stat-only of / are about the tree, not content: still mkdir them.
        await this.addPath(p, { via: 'trace', ops, first });
      }
    }
  }

  /** A path the jail needs: every component is walked on the host so symlinks are kept and parents created. */
  async addPath(p: string, how: AddHow, depth = 0): Promise<string | undefined> {
    if (depth > MAX_SYMLINKS) {
      this.warnings.push(`${displayPath(p)}: too many levels of symbolic links`);
      return undefined;
    }
    if (p.includes('\0')) {
      this.warnings.push(`${displayPath(p)}: a NUL byte in a path: left out`);
      return undefined;
    }
    // A path reached through a symlink is still excluded when it lands in scratch data or in the jail itself.
    if (depth > 0 && underAny(normalize(p), this.opts.excludes)) return undefined;
    // A secret stays a secret when it is reached through a symlink with another name (or the other way round).
    if (isSecret(normalize(p))) how = { ...how, secretName: how.secretName ?? normalize(p) };
    const parts = normalize(p).split('/').filter(Boolean);
    let cur = '';
    /** The last world-writable directory on the way, and whether it is sticky. */
    let shared: { dir: string; sticky: boolean } | undefined;
    /** The directory holding the current name: who may rename or replace that name. */
    let parent: HostInfo | undefined = await this.info('/');
    for (let i = 0; i < parts.length; i++) {
      const next = `${cur}/${parts[i]}`;
      const last = i === parts.length - 1;
      // /proc and /sys are the kernel's: never walked (following /proc/self would resolve against jailtrace itself)
      if (/^\/(proc|sys)$/.test(next)) {
        this.note(
          p,
          { via: how.via, ops: how.ops, failedOnly: false, from: how.from, first: how.first },
          { type: 'missing', mode: 0, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 0 },
        );
        return undefined;
      }
      const info = await this.info(next);
      if (!info) {
        // Not on the host (any more): recorded as missing, reported, never copied.
        const missing: HostInfo = { type: 'missing', mode: 0, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 0 };
        if (last) this.note(next, { via: how.via, ops: how.ops, failedOnly: false, from: how.from, first: how.first }, missing);
        else this.note(next, { via: 'parent', ops: [], failedOnly: false, from: p }, missing);
        return undefined;
      }
      // Below a world-writable directory, a name a user owns (or any name, without the sticky bit) is the user's to
      // change: it and everything reached through it is workload data. Elsewhere, a name in a directory a user can
      // write (theirs, or group-writable) is theirs to swap too. Root neither follows, reads nor copies it.
      const userDir =
        shared && (info.uid !== 0 || !shared.sticky)
          ? { dir: shared.dir, world: true }
          : parent && cur && swappableIn(parent, info)
            ? { dir: cur, world: false }
            : undefined;
      if (userDir) {
        const mark = { sharedDir: userDir.dir, ...(userDir.world ? {} : { userDir: true }) };
        this.note(
          next,
          {
            via: last ? how.via : 'parent',
            ops: last ? how.ops : [],
            failedOnly: false,
            from: last ? how.from : p,
            first: last ? how.first : undefined,
            ...mark,
          },
          info,
        );
        if (!last) this.note(p, { via: how.via, ops: how.ops, failedOnly: false, from: how.from, first: how.first, ...mark });
        return undefined;
      }
      if (info.type === 'dir' && info.mode & 0o002) shared = { dir: next, sticky: (info.mode & 0o1000) !== 0 };
      parent = info;
      if (info.type === 'symlink') {
        this.note(
          next,
          { via: last && how.via === 'trace' ? 'trace' : 'symlink', ops: [], failedOnly: false, from: p, first: last ? how.first : undefined },
          info,
        );
        const target = info.target!.startsWith('/') ? info.target! : `${cur || '/'}/${info.target}`;
        const rest = parts.slice(i + 1).join('/');
        return this.addPath(normalize(rest ? `${target}/${rest}` : target), { ...how, from: how.from ?? p }, depth + 1);
      }
      if (!last) {
        // a parent noted before (or kept out by a record as a parent with nothing below it) is decided again
        if ((this.entries.get(next)?.via ?? 'parent') === 'parent') this.note(next, { via: 'parent', ops: [], failedOnly: false, from: p }, info);
        cur = next;
        continue;
      }
      this.note(next, { via: how.via, ops: how.ops, failedOnly: false, from: how.from, first: how.first, secretName: how.secretName }, info);
      return next;
    }
    // p is "/"
    const root = await this.info('/');
    if (root) this.note('/', { via: how.via, ops: how.ops, failedOnly: false }, root);
    return '/';
  }

  private note(
    p: string,
    how: { via: Via; ops: Op[]; failedOnly: boolean; from?: string; first?: JailEntry['first']; secretName?: string; sharedDir?: string; userDir?: boolean },
    info?: HostInfo,
  ): void {
    const old = this.entries.get(p);
    const ops = [...new Set([...(old?.ops ?? []), ...how.ops])];
    const secretName = how.secretName ?? old?.secretName;
    const sharedDir = how.sharedDir ?? old?.sharedDir;
    const userDir = how.userDir ?? old?.userDir;
    const facts: Facts = {
      path: p,
      ops: new Set(ops),
      failedOnly: how.failedOnly && !old,
      type: info?.type ?? old?.host?.type ?? 'missing',
      via: old && old.via === 'trace' ? 'trace' : how.via,
      from: old?.from ?? how.from,
      secretName,
      sharedDir,
      userDir,
    };
    const d = decide(facts, this.opts.platform, {
      allowSecrets: this.opts.allowSecrets,
      allowDevices: this.opts.allowDevices,
      fullPasswd: this.opts.fullPasswd,
    });
    // A path first seen as a parent or symlink step keeps its first provenance, but takes the strongest facts.
    this.entries.set(p, {
      path: p,
      role: d.role,
      decision: d.decision,
      reason: d.reason,
      via: facts.via,
      from: old?.from ?? how.from,
      first: old?.first ?? how.first,
      ops,
      host: info ?? old?.host,
      ...(secretName ? { secretName } : {}),
      ...(sharedDir ? { sharedDir } : {}),
      ...(userDir ? { userDir } : {}),
    });
  }

  /** What a trace cannot show: the ELF interpreter and `#!` interpreters of every copied program and library. */
  async addInterpreters(): Promise<void> {
    const done = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const rank = (e: JailEntry): number => (e.role === 'executable' || e.role === 'shell' ? 0 : 1);
      const todo = [...this.entries.values()]
        .filter((e) => e.decision === 'copy' && e.host?.type === 'file' && !done.has(e.path))
        .sort((a, b) => rank(a) - rank(b));
      if (todo.length === 0) return;
      for (const e of todo) {
        done.add(e.path);
        if (!['executable', 'shell', 'library', 'nss-module', 'loader', 'data'].includes(e.role)) continue;
        const sb = await readShebang(e.path).catch(() => undefined);
        if (sb) {
          let interp = sb.interpreter;
          await this.addPath(interp, { via: 'shebang', ops: ['exec'], from: e.path });
          const cmd = path.basename(interp) === 'env' ? envCommand(sb.arg) : undefined;
          if (cmd) {
            const found = cmd.includes('/') ? cmd : await resolveOnPath(cmd, '/usr/local/bin:/usr/bin:/bin');
            if (found) interp = found;
            if (found) await this.addPath(found, { via: 'shebang', ops: ['exec'], from: e.path });
            else this.warnings.push(`${e.path}: #!/usr/bin/env ${cmd}: ${cmd} not found on PATH`);
          }
          continue;
        }
        const elf = await readElfInfo(e.path).catch(() => undefined);
        if (elf?.interp) await this.addPath(elf.interp, { via: 'interp', ops: ['read'], from: e.path });
      }
    }
  }

  /** `--with-static-deps`: the DT_NEEDED closure of every copied ELF, for code paths the workload did not run. */
  async addStaticDeps(): Promise<void> {
    const roots = [...this.entries.values()].filter((e) => e.decision === 'copy' && e.host?.type === 'file').map((e) => e.path);
    const r = await closureOf(roots);
    for (const f of r.files) if (!this.entries.has(f.path)) await this.addPath(f.path, { via: 'needed', ops: ['read'], from: f.from });
    for (const u of r.unresolved) this.warnings.push(`${u.from}: needs ${u.name}, not found by the static search`);
  }

  /** Final type of a path through symlinks (for devices and account files). */
  static async finalStat(p: string): Promise<HostInfo | undefined> {
    try {
      const st = await stat(p);
      return { type: hostType(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs, rdev: st.rdev };
    } catch {
      return undefined;
    }
  }
}
