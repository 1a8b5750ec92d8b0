/**
 * The process model: consumes trace events in order, keeps per-pid state (cwd, root, fd table, fork/exec
 * inheritance) and turns each file-related syscall into an Access with an absolute host path.
 * Dispatch is a table of handlers by syscall family (src/model/handlers.ts); every handler resolves paths through
 * `resolve` and reports through `record`, the one place an Access is built.
 */
import { decodeString, decodeStringLatin1, parseFdArg, parseNumber, splitArgs } from '../../parsers/strings.js';
import type { SyscallEvent, TraceEvent } from '../../parsers/types.js';
import { flagsTextFromNumber, type Op, type Platform, type SyscallRow, type SyscallTable } from '../syscalls.js';
import { capsOf, DEFAULT_LIMITS, LimitExceeded, type TraceLimits } from '../limits.js';
import { FdTable, type FdBudget } from './fds.js';
import { HANDLERS, UNKNOWN_CWD, type Env, type Resolved } from './handlers.js';
import { dirname, flat, fromBytes, insideRoot, join, normalize, underRoot, type BPath } from './path.js';
import { cloneShare, forkProc, type Proc } from './proc.js';

export interface Access {
  /** Absolute host path (normalized lexically). Relative only when it could not be resolved (see `unresolved`). */
  path: BPath;
  /** The path as the process saw it when it had chroot()ed (absolute inside its root). */
  jailPath?: BPath;
  op: Op;
  ok: boolean;
  errno?: string;
  pid: number;
  line: number;
  syscall: string;
  /** readlink/resolvepath output or symlink content. */
  target?: BPath;
  /** The directory fd or cwd was unknown: `path` is as printed. */
  unresolved?: boolean;
  /** This is the file another path resolves to, as the tracer printed it: that path (see Manifest `resolvedFrom`). */
  resolvedFrom?: BPath;
}

/** One place builds an Access, always with the same shape (fast property access downstream). */
function access(r: Resolved, op: Op, ev: SyscallEvent, pid: number, target?: BPath, resolvedFrom?: BPath): Access {
  return {
    path: r.path,
    jailPath: r.jailPath,
    op,
    ok: ev.ok,
    errno: ev.errno,
    pid,
    line: ev.line,
    syscall: ev.name,
    target,
    unresolved: r.unresolved,
    resolvedFrom,
  };
}

export interface ModelOptions {
  table: SyscallTable;
  platform: Platform;
  /** Starting cwd of the first process (host path). */
  cwd: BPath;
  /** Starting root (normally `/`). */
  root?: BPath;
  /** `maxPaths` caps the processes seen and the live fd-table entries too (default DEFAULT_LIMITS). */
  limits?: TraceLimits;
}

export type AccessSink = (a: Access) => void;
/** `severity` 'note': about the trace, not a line that could not be read (see Manifest.notes). */
export type WarnSink = (line: number, message: string, severity?: 'note') => void;

const AT_FDCWD = -100;

export class ProcessModel implements Env {
  /** Live processes by pid. */
  readonly procs = new Map<number, Proc>();
  /** Every process seen, in order of appearance (for `tree`). */
  readonly all: Proc[] = [];
  private readonly table: SyscallTable;
  private readonly platform: Platform;
  private readonly initial: { cwd: BPath; root: BPath };
  /** pid → the fork-family call it has in flight (strace prints the child's lines before the parent's result). */
  private readonly forking = new Map<number, { share: ReturnType<typeof cloneShare>; line: number }>();

  /** Live fd entries across every table, and their cap; processes seen are capped by the same number. */
  private readonly fdBudget: FdBudget = { live: 0 };
  private readonly max: number;
  /** Characters of argv and program paths taken from successful execs, and their cap. */
  private execChars = 0;
  private readonly maxExecChars: number;

  constructor(opts: ModelOptions) {
    const caps = capsOf(opts.limits ?? DEFAULT_LIMITS);
    this.max = caps.processes;
    this.maxExecChars = caps['bytes of command lines'];
    this.table = opts.table;
    this.platform = opts.platform;
    this.initial = { cwd: normalize(opts.cwd), root: opts.root ?? '/' };
  }

  /** Names the parser should fully parse (everything else is skipped cheaply). */
  wants = (name: string): boolean => this.table.has(name);

  /** State a process created elsewhere starts from (an `-ff` file whose parent is in another file). */
  seed(pid: number, from: Proc | undefined, line: number): Proc {
    const p: Proc = from ? forkProc(from, pid, { fs: false, files: false }, line) : { pid, fs: { ...this.initial }, fds: new FdTable(this.fdBudget), line };
    return this.adopt(p);
  }

  /** A new process enters the table (a pid reused without an exit seen frees the old one's fds). */
  private adopt(p: Proc): Proc {
    if (this.all.length >= this.max) throw new LimitExceeded('processes', this.max, p.line);
    const old = this.procs.get(p.pid);
    if (old && old !== p) old.fds.release();
    this.procs.set(p.pid, p);
    this.all.push(p);
    return p;
  }

  proc(pid: number, line: number): Proc {
    if (pid === 0 && !this.procs.has(0) && this.zeroIs !== undefined) pid = this.unprefixed();
    let p = this.procs.get(pid);
    if (p) return p;
    // A pid we have not seen created. A process with a fork in flight is its likely parent: it lends the child its
    // state, but the lineage stays unproven until the fork's result (or a wait, or a SIGCHLD) names the child.
    const parents = [...this.forking.keys()].filter((k) => this.procs.has(k));
    if (parents.length === 0 && this.zeroForked && this.zeroIs === undefined && this.procs.has(0)) {
      // The unprefixed process forked (so forks are traced, and strace prints a pid column from then on): a new pid
      // that no fork in flight explains is that process, now shown with its pid.
      this.alias(pid);
      return this.procs.get(pid)!;
    }
    if (parents.length >= 1) {
      const ppid = parents[parents.length - 1];
      p = forkProc(this.procs.get(ppid)!, pid, this.forking.get(ppid)!.share, line);
      p.early = true;
    } else if (this.all.length > 0 && pid !== 0) {
      // Unknown parent (a trace that starts mid-run, threads that existed before -p attached, a fork left out by
      // -e trace=, -ff files): a root, with the first process's cwd and root as the best guess for resolving paths.
      const first = this.procs.get(this.all[0].pid) ?? this.all[0];
      p = forkProc(first, pid, { fs: false, files: false }, line);
      p.parent = undefined;
      p.early = true;
    } else {
      p = { pid, fs: { ...this.initial }, fds: new FdTable(this.fdBudget), line };
    }
    return this.adopt(p);
  }

  /**
   * What pid 0 stands for once known. strace -f writing to stderr prints no pid column while it traces one process:
   * lines without one belong to the only tracee alive, which at the start is the first process (pid unknown: 0).
   */
  private zeroIs: number | undefined;

  /** The unprefixed process (0) made a traced fork-family call. */
  private zeroForked = false;

  /** Pids that printed lines of their own (a pid column): a child known only from a fork result is not one. */
  private readonly ownLines = new Set<number>();

  /** Pids renamed after the fact (0 → the first tracee's pid): the manifest applies them to earlier accesses. */
  readonly pidAliases = new Map<number, number>();

  /** The pid an unprefixed line stands for after the first tracee's pid is known: the only live process, if one. */
  private unprefixed(): number {
    if (this.procs.size === 1) return this.procs.keys().next().value!;
    return this.zeroIs!;
  }

  /** The process without a pid column (0) is `pid`: rename it, and merge a record `pid` already had. */
  private alias(pid: number): void {
    const zero = this.procs.get(0);
    if (!zero || pid === 0) return;
    const other = this.procs.get(pid);
    if (other && other !== zero) {
      // `pid` showed up with a prefix before we knew it was the unprefixed process: its later state wins.
      zero.fs = other.fs;
      zero.fds.release();
      zero.fds = other.fds;
      if (other.exe !== undefined) (zero.exe = other.exe), (zero.argv = other.argv);
      const at = this.all.indexOf(other);
      if (at >= 0) this.all.splice(at, 1);
    }
    this.procs.delete(0);
    zero.pid = pid;
    this.procs.set(pid, zero);
    for (const q of this.all) if (q.parent === 0 || (q.parent === pid && q !== zero)) q.parent = pid;
    const f = this.forking.get(0);
    if (f) this.forking.delete(0), this.forking.set(pid, f);
    this.zeroIs = pid;
    this.pidAliases.set(0, pid);
  }

  /** The latest process record with this pid (live, or exited). */
  private byPid(pid: number): Proc | undefined {
    const live = this.procs.get(pid);
    if (live) return live;
    for (let i = this.all.length - 1; i >= 0; i--) if (this.all[i].pid === pid) return this.all[i];
    return undefined;
  }

  /** Is `p` below `ancestor` in the lineage known so far? */
  private descends(p: Proc, ancestor: Proc): boolean {
    for (let x: Proc | undefined = p, n = 0; x && n < 4096; x = x.parent === undefined ? undefined : this.byPid(x.parent), n++) {
      if (x === ancestor) return true;
    }
    return false;
  }

  /** The trace proves `parent` made `child` (fork result, wait result, SIGCHLD). A thread stands for its group's leader. */
  private proveParent(parent: Proc, child: number): void {
    let leader = parent;
    for (let n = 0; leader.thread && leader.parentProven && leader.parent !== undefined && n < 64; n++) {
      const up = this.byPid(leader.parent);
      if (!up) break;
      leader = up;
    }
    const c = this.byPid(child);
    if (!c || c === leader || c.parentProven) return;
    if (this.descends(leader, c)) return; // a loop (pid reuse): not proof of anything
    c.parent = leader.pid;
    c.parentProven = true;
  }

  onEvent(ev: TraceEvent, out: AccessSink, warn: WarnSink): void {
    if (ev.kind === 'warning') return;
    if (ev.pid !== 0) this.ownLines.add(ev.pid);
    else if (this.procs.has(0) && this.zeroIs === undefined && this.ownLines.size > 0) {
      // An unprefixed line after prefixed ones: strace prints no pid column only while one tracee is left, so if
      // exactly one other process that printed lines of its own is alive, the unprefixed process is that one.
      const others = [...this.ownLines].filter((k) => this.procs.has(k));
      if (others.length === 1 && !this.descends(this.procs.get(others[0])!, this.procs.get(0)!)) this.alias(others[0]);
    }
    switch (ev.kind) {
      case 'syscall': {
        if (ev.startedAs === 0 && ev.pid !== 0 && this.procs.has(0)) this.alias(ev.pid); // its unprefixed start
        const row = this.table.get(ev.name);
        if (row) this.syscall(row, ev, out, warn);
        if (this.fdBudget.live > this.max) throw new LimitExceeded('open file descriptors', this.max, ev.line);
        if (this.nulPath) {
          this.nulPath = false;
          warn(ev.line, `${ev.name}: a path argument holds a NUL byte (no kernel path can): a corrupt line, path ignored`);
        }
        return;
      }
      case 'pending': {
        const row = this.table.get(ev.name);
        if (row?.family === 'fork') {
          const p = this.proc(ev.pid, ev.line);
          this.forking.set(p.pid, { share: cloneShare(ev.args.join(',')), line: ev.line });
        }
        return;
      }
      case 'exit': {
        const p = this.proc(ev.pid, ev.line);
        p.exit = { code: ev.code, signal: ev.signal, line: ev.line };
        if (this.procs.get(p.pid) === p) p.fds.release(); // an exited process keeps its record, not its fds
        this.procs.delete(p.pid);
        this.forking.delete(p.pid);
        return;
      }
      case 'signal': {
        // SIGCHLD with si_code=CLD_*: the kernel tells the parent which child changed state
        if (ev.child !== undefined && ev.child > 0) this.proveParent(this.proc(ev.pid, ev.line), ev.child);
        return;
      }
      default:
        return;
    }
  }

  /** Sinks of the event being handled (set by onEvent for the handlers' record/note). */
  private out: AccessSink = () => undefined;
  private warnSink: WarnSink = () => undefined;

  private syscall(row: Readonly<SyscallRow>, ev: SyscallEvent, out: AccessSink, warn: WarnSink): void {
    const p = this.proc(ev.pid, ev.line);
    this.out = out;
    this.warnSink = warn;
    HANDLERS[row.family](this, row, ev, p);
  }

  // ---- Env: what the handlers (src/model/handlers.ts) may ask of the model ----

  record(p: Proc, ev: SyscallEvent, r: Resolved, op: Op, target?: BPath, resolvedFrom?: BPath): void {
    this.out(access(r, op, ev, p.pid, target, resolvedFrom));
  }

  emit(p: Proc, ev: SyscallEvent, row: Readonly<SyscallRow>, path: BPath | undefined, op: Op, target?: BPath): void {
    if (path === undefined) return;
    const r = this.resolve(p, ev, row.dirfd, path);
    this.record(p, ev, r, op, target);
    if (r.unresolved)
      this.note(
        ev.line,
        `${ev.name}: relative path ${JSON.stringify(path)} under a directory the trace never saw opened (normal in strace -p and -Z traces): listed as printed, left out of jails`,
      );
  }

  resolvedTo(p: Proc, ev: SyscallEvent, link: Resolved, target: BPath, op: Op, hostPath = false): void {
    if (target.endsWith(' (deleted)')) return;
    let r: Resolved;
    if (hostPath) {
      // an -y decoration: strace read it from /proc/PID/fd, so it is a host path whatever the process's root
      r = { path: normalize(target), jailPath: this.jailPathOf(p, normalize(target)) };
    } else if (target.charCodeAt(0) === 47) {
      r = this.resolve(p, ev, undefined, target);
    } else {
      // relative link content: from the link's directory. /proc's magic links (`socket:[42]`, `pipe:[7]`) name no file.
      const seen = link.jailPath ?? link.path;
      if (link.unresolved || seen.startsWith('/proc/')) return;
      r = this.resolve(p, ev, undefined, join(dirname(seen), target));
    }
    if (r.path === link.path || r.unresolved) return;
    this.record(p, ev, r, op, undefined, link.unresolved ? undefined : link.path);
  }

  note(line: number, message: string): void {
    this.warnSink(line, message, 'note');
  }

  execed(p: Proc, ev: SyscallEvent, row: Readonly<SyscallRow>, path: BPath): void {
    const r = path === '' ? undefined : this.resolve(p, ev, row.dirfd, path);
    p.exe = r ? flat(r.path) : p.exe;
    p.argv = parseArgv(ev.args[(row.path ?? 0) + 1], ev);
    this.execChars += (p.exe?.length ?? 0) + (p.argv ?? []).reduce((n, a) => n + a.length, 0);
    if (this.execChars > this.maxExecChars) throw new LimitExceeded('bytes of command lines', this.maxExecChars, ev.line);
    p.fds = p.fds.afterExec(); // (a CLONE_FS share survives exec, as in the kernel: p.fs is kept)
  }

  forked(p: Proc, ev: SyscallEvent): void {
    this.forking.delete(p.pid);
    if (p.pid === 0 && ev.ok) this.zeroForked = true;
    if (!ev.ok || !(ev.retval > 0)) return;
    const share = cloneShare(ev.args.join(','));
    const existing = this.procs.get(ev.retval);
    if (existing?.early) {
      // Its lines came before this result (vfork, -z): keep what it did since, fix the lineage.
      existing.parent = p.pid;
      existing.parentProven = true;
      if (share.thread) existing.thread = true;
      existing.early = false;
      return;
    }
    // A fresh process: an older one with this pid (a thread that vanished in an exec) must not lend it its state.
    const child = forkProc(p, ev.retval, share, ev.line);
    child.parentProven = true;
    this.adopt(child);
  }

  reaped(p: Proc, child: number): void {
    this.proveParent(p, child);
  }

  /** A string argument as a byte path; Solaris raw/kdump NAMI strings come in `extra`. */
  /** Set by `str` when it dropped a path with a NUL byte; onEvent turns it into a warning with the line. */
  private nulPath = false;

  str(ev: SyscallEvent, idx: number | undefined): BPath | undefined {
    if (idx === undefined) return undefined;
    const x = ev.extra?.get(idx);
    const raw = ev.args[idx];
    const s = x ? fromBytes(x) : raw === undefined ? undefined : ev.enc === 'vis' ? decodeStringMaybe(raw, ev) : decodeStringLatin1(raw, ev.enc);
    // The kernel reads a path up to its first NUL, so a NUL inside one is trace corruption: never a path to copy.
    if (s?.includes('\0')) {
      this.nulPath = true;
      return undefined;
    }
    return s;
  }

  flagsText(ev: SyscallEvent, idx: number | undefined): string {
    const raw = idx === undefined ? '' : (ev.args[idx] ?? '');
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(raw)) return flagsTextFromNumber(parseNumber(raw), this.platform);
    return raw;
  }

  jailPathOf(p: Proc, host: BPath): BPath | undefined {
    return p.fs.root === '/' ? undefined : insideRoot(p.fs.root, host);
  }

  /** Resolve `path` for process `p`: absolute under its root, relative against the dirfd or cwd. */
  resolve(p: Proc, ev: SyscallEvent, dirfdIdx: number | undefined, path: BPath): Resolved {
    const root = p.fs.root;
    if (path.charCodeAt(0) === 47) {
      const host = underRoot(root, normalize(path));
      return root === '/' ? { path: host } : { path: host, jailPath: normalize(path) };
    }
    let base: BPath | undefined = p.fs.cwd;
    if (dirfdIdx !== undefined) {
      const { fd, path: deco } = parseFdArg(ev.args[dirfdIdx] ?? '');
      if (deco) {
        base = fromBytes(deco);
        if (fd === AT_FDCWD) p.fs.cwd = base; // -y tells us the real cwd
      } else if (fd !== AT_FDCWD && !Number.isNaN(fd)) base = p.fds.get(fd)?.path;
    }
    if (base === undefined || base === UNKNOWN_CWD) return { path: normalize(path), unresolved: true };
    if (root === '/') return { path: join(base, path) };
    // Inside a chroot, `..` stops at the root, as the kernel's lookup does: resolve within the root, then map to the host.
    const inside = insideRoot(root, base);
    if (inside === undefined) {
      const host = join(base, path); // a cwd left outside the new root (chroot without chdir): the kernel allows it
      return { path: host, jailPath: insideRoot(root, host) };
    }
    const jp = join(inside, path);
    return { path: underRoot(root, jp), jailPath: jp };
  }
}

function decodeStringMaybe(raw: string, ev: SyscallEvent): BPath | undefined {
  const b = decodeString(raw, ev.enc);
  return b ? fromBytes(b) : undefined;
}

/** execve's argv: `["ls", "-l"]` → ['ls', '-l'] (display strings). */
function parseArgv(raw: string | undefined, ev: SyscallEvent): string[] | undefined {
  if (raw?.[0] !== '[') return undefined;
  const inner = splitArgs(raw.slice(1, raw.endsWith(']') ? -1 : undefined) + ')', 0).args;
  return inner.map((a) => {
    const b = decodeString(a, ev.enc);
    return b ? b.toString('utf8') : a;
  });
}
