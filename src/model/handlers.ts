/**
 * The model's dispatch table: one handler per syscall family (src/syscalls.ts `Family`), as strace's sysent or
 * ReproZip's handler table. A handler reads the call's arguments through the row's indexes, changes the process's
 * state (cwd, root, fd table, lineage) and reports accesses through `Env.record`, the one place an Access is built.
 * Adding a family without a handler does not compile (`Record<Family, Handler>`).
 */
import { decodeString, isTruncated, parseFdArg, parseNumber } from '../../parsers/strings.js';
import type { SyscallEvent } from '../../parsers/types.js';
import { opFromFlags, type Family, type Op, type SyscallRow } from '../syscalls.js';
import { flat, fromBytes, normalize, underRoot, type BPath } from './path.js';
import type { Proc } from './proc.js';

/** A path as the model resolved it for one process. */
export interface Resolved {
  path: BPath;
  jailPath?: BPath;
  unresolved?: boolean;
}

/** What a handler may ask of the model (implemented by ProcessModel). */
export interface Env {
  /** A string argument as a byte path (undefined when absent or corrupt). */
  str(ev: SyscallEvent, idx: number | undefined): BPath | undefined;
  /** Open flags as text (numeric flags of dtruss/kdump turned into names). */
  flagsText(ev: SyscallEvent, idx: number | undefined): string;
  resolve(p: Proc, ev: SyscallEvent, dirfdIdx: number | undefined, path: BPath): Resolved;
  jailPathOf(p: Proc, host: BPath): BPath | undefined;
  /** Report one access (the one place an Access is built). */
  record(p: Proc, ev: SyscallEvent, r: Resolved, op: Op, target?: BPath, resolvedFrom?: BPath): void;
  /** Resolve `path` and report it; an unresolved relative path gets a note. */
  emit(p: Proc, ev: SyscallEvent, row: Readonly<SyscallRow>, path: BPath | undefined, op: Op, target?: BPath): void;
  note(line: number, message: string): void;
  /**
   * The tracer printed what `path` really is (readlink/resolvepath output, an -y decoration): record that file too, so
   * a jail gets the real file as well as the name used. `target` is as printed: relative to the link's directory, or
   * absolute inside the process's root; `hostPath` when the tracer printed a host path (strace -y reads /proc).
   */
  resolvedTo(p: Proc, ev: SyscallEvent, link: Resolved, target: BPath, op: Op, hostPath?: boolean): void;
  /** A successful exec: the process image changes. */
  execed(p: Proc, ev: SyscallEvent, row: Readonly<SyscallRow>, path: BPath): void;
  /** A fork-family call returned (in the parent). */
  forked(p: Proc, ev: SyscallEvent): void;
  /** The trace proves `child` is a child of `p` (a wait result). */
  reaped(p: Proc, child: number): void;
}

export type Handler = (m: Env, row: Readonly<SyscallRow>, ev: SyscallEvent, p: Proc) => void;

/** A cwd the trace lost track of (fchdir to an fd it never saw opened). */
export const UNKNOWN_CWD = '';

const fdArg = (ev: SyscallEvent, idx: number | undefined, dflt: number): ReturnType<typeof parseFdArg> => parseFdArg(ev.args[idx ?? dflt] ?? '');
const rowOp = (row: Readonly<SyscallRow>, dflt: Op): Op => (row.op as Op) ?? dflt;

/** An fd's path: the -y decoration when printed, else the fd table. */
/** chdir and chroot: record the path, and on success move the process's cwd or root there. */
function changeDir(op: 'chdir' | 'chroot', field: 'cwd' | 'root'): Handler {
  return (m, row, ev, p) => {
    const path = m.str(ev, row.path);
    if (path === undefined) return;
    const r = m.resolve(p, ev, undefined, path);
    m.record(p, ev, r, op);
    if (ev.ok && !r.unresolved) p.fs[field] = flat(r.path);
  };
}

function fdPath(p: Proc, ev: SyscallEvent, idx: number | undefined): { fd: number; path?: BPath } {
  const { fd, path } = fdArg(ev, idx, 0);
  return { fd, path: path ? fromBytes(path) : p.fds.get(fd)?.path };
}

export const HANDLERS: Readonly<Record<Family, Handler>> = Object.freeze({
  open(m, row, ev, p) {
    const path = m.str(ev, row.path);
    if (path === undefined || path === '') return;
    const flags = row.impliedFlags ?? m.flagsText(ev, row.flags);
    const r = m.resolve(p, ev, row.dirfd, path);
    m.record(p, ev, r, opFromFlags(flags));
    if (r.unresolved)
      m.note(
        ev.line,
        `${ev.name}: relative path under a directory the trace never saw opened (normal in strace -p and -Z traces): listed as printed, left out of jails`,
      );
    if (ev.ok && ev.retval >= 0) p.fds.set(ev.retval, { path: r.path, cloexec: flags.includes('O_CLOEXEC') });
    // strace -y: `= 3</usr/share/zoneinfo/UTC>` names the file the kernel opened (a host path)
    if (ev.ok && ev.retPath) m.resolvedTo(p, ev, r, fromBytes(ev.retPath), opFromFlags(flags), true);
  },
  exec(m, row, ev, p) {
    const path = m.str(ev, row.path);
    if (path === undefined) return;
    if (path === '' && row.dirfd !== undefined) {
      // execveat(fd, "", ..., AT_EMPTY_PATH): the fd is the program
      const { path: prog } = fdPath(p, ev, row.dirfd);
      if (prog !== undefined) m.record(p, ev, { path: prog }, 'exec');
      if (ev.ok && prog !== undefined) p.exe = prog;
    } else m.emit(p, ev, row, path, 'exec');
    if (ev.ok) m.execed(p, ev, row, path);
  },
  path(m, row, ev, p) {
    const path = m.str(ev, row.path);
    if (path === undefined || path === '') return; // '' is AT_EMPTY_PATH: an fstat of an fd already recorded
    m.emit(p, ev, row, path, rowOp(row, 'other'));
  },
  path2(m, row, ev, p) {
    m.emit(p, ev, row, m.str(ev, row.path), rowOp(row, 'other'));
    const p2 = m.str(ev, row.path2);
    if (p2 !== undefined) m.record(p, ev, m.resolve(p, ev, row.dirfd2, p2), rowOp(row, 'other'));
  },
  symlink(m, row, ev, p) {
    m.emit(p, ev, row, m.str(ev, row.path), 'create', m.str(ev, row.target));
  },
  readlink(m, row, ev, p) {
    const path = m.str(ev, row.path);
    const target = ev.ok ? m.str(ev, row.target) : undefined;
    m.emit(p, ev, row, path, 'readlink', target);
    // readlink's content, Solaris resolvepath's and FreeBSD __realpathat's output: the file behind the name
    if (path !== undefined && path !== '' && target && !isTruncated(ev.args[row.target!] ?? ''))
      m.resolvedTo(p, ev, m.resolve(p, ev, row.dirfd, path), target, 'stat');
  },
  connect(m, row, ev, p) {
    const sun = ev.sunPath ? fromBytes(ev.sunPath) : sunPath(ev.args[row.path ?? 1] ?? '', ev);
    if (sun !== undefined) m.emit(p, ev, row, sun, rowOp(row, 'connect'));
  },
  chdir: changeDir('chdir', 'cwd'),
  fchdir(m, row, ev, p) {
    const { fd, path: target } = fdPath(p, ev, row.fd);
    if (target === undefined) {
      m.note(ev.line, `fchdir(${fd}): a directory fd opened before the trace began: the cwd of pid ${ev.pid} is unknown from here`);
      if (ev.ok) p.fs.cwd = UNKNOWN_CWD; // later relative paths are reported unresolved, not resolved wrongly
      return;
    }
    m.record(p, ev, { path: target, jailPath: m.jailPathOf(p, target) }, 'chdir');
    if (ev.ok) p.fs.cwd = flat(target);
  },
  chroot: changeDir('chroot', 'root'),
  getcwd(m, row, ev, p) {
    const path = m.str(ev, row.path);
    if (ev.ok && path && path.charCodeAt(0) === 47) p.fs.cwd = flat(underRoot(p.fs.root, normalize(path)));
  },
  fork(m, _row, ev, p) {
    m.forked(p, ev);
  },
  wait(m, row, ev, p) {
    // wait4/waitpid return the child's pid; waitid names it in the siginfo (`si_pid=N`)
    if (!ev.ok) return;
    const info = row.info === undefined ? undefined : /\bsi_pid=(\d+)/.exec(ev.args[row.info] ?? '');
    const child = info ? Number(info[1]) : ev.retval;
    if (child > 0) m.reaped(p, child);
  },
  close(_m, row, ev, p) {
    if (ev.ok) p.fds.close(fdArg(ev, row.fd, 0).fd);
  },
  closeRange(_m, row, ev, p) {
    // close_range(first, last, flags): CLOSE_RANGE_CLOEXEC marks them instead of closing
    if (!ev.ok) return;
    const lo = fdArg(ev, row.fd, 0).fd;
    const hiText = ev.args[row.newfd ?? 1] ?? '';
    const hi = /^(~0U?|-1|4294967295|0xffffffff)$/i.test(hiText) ? Infinity : parseNumber(hiText);
    p.fds.closeRange(lo, hi, (ev.args[row.flags ?? 2] ?? '').includes('CLOSE_RANGE_CLOEXEC'));
  },
  dup(_m, row, ev, p) {
    if (ev.ok && ev.retval >= 0) p.fds.dup(fdArg(ev, row.fd, 0).fd, ev.retval);
  },
  dup2(_m, row, ev, p) {
    if (!ev.ok) return;
    const from = fdArg(ev, row.fd, 0).fd;
    const to = fdArg(ev, row.newfd, 1).fd;
    if (from !== to) p.fds.dup(from, to, (ev.args[row.flags ?? -1] ?? '').includes('O_CLOEXEC')); // dup2(fd, fd) changes nothing
  },
  fcntl(_m, row, ev, p) {
    if (!ev.ok) return;
    const fd = fdArg(ev, row.fd, 0).fd;
    const cmd = ev.args[row.cmd ?? 1] ?? '';
    if (cmd.startsWith('F_DUPFD') && ev.retval >= 0) p.fds.dup(fd, ev.retval, cmd === 'F_DUPFD_CLOEXEC');
    else if (cmd === 'F_SETFD') p.fds.setCloexec(fd, (ev.args[2] ?? '').includes('FD_CLOEXEC') || ev.args[2] === '1');
  },
  fdop(m, row, ev, p) {
    const { path: target } = fdPath(p, ev, row.fd);
    if (target !== undefined) m.record(p, ev, { path: target, jailPath: m.jailPathOf(p, target) }, rowOp(row, 'other'));
  },
  spawn(m, row, ev, p) {
    m.emit(p, ev, row, m.str(ev, row.path), 'exec');
  },
} satisfies Record<Family, Handler>);

/** The AF_UNIX path in a sockaddr: strace `{sa_family=AF_UNIX, sun_path="/dev/log"}`, FreeBSD `{ AF_UNIX "/p" }`. */
function sunPath(raw: string, ev: SyscallEvent): BPath | undefined {
  if (!/AF_(UNIX|LOCAL|FILE)/.test(raw)) return undefined;
  const at = raw.indexOf('sun_path=');
  const from = at >= 0 ? at + 9 : raw.indexOf('"');
  if (from < 0 || raw[from] === '@') return undefined; // abstract socket: not a file
  const q = raw.indexOf('"', from);
  if (q < 0) return undefined;
  const b = decodeString(raw.slice(q), ev.enc);
  return b && b.length > 0 ? fromBytes(b) : undefined;
}
