/**
 * Syscall knowledge as rows (after strace's syscallent tables): for each syscall which argument is a path, which a
 * dirfd, what the result is, and what kind of access it is. Platform overlays (src/platforms/*) add their names
 * (`kopen`, `xstat`, `statx`...) as alias rows with argument-position overrides. The merged table is frozen once.
 *
 * Handlers are chosen by `family` (like ReproZip's syscall_fileopening / syscall_filestat / syscall_forking); the
 * dispatcher is src/model/model.ts.
 */

/** What the manifest records for an access. */
export type Op = 'exec' | 'read' | 'write' | 'create' | 'stat' | 'access' | 'readlink' | 'connect' | 'chdir' | 'chroot' | 'list' | 'other';

export type Family =
  | 'open' // path (+dirfd) opened; result is a new fd; op from flags
  | 'path' // a path is used (stat, access, unlink, mkdir...)
  | 'path2' // two paths (rename, link): both recorded
  | 'symlink' // arg `target` is link content (not resolved), `path` the new link
  | 'readlink' // path read as a link; `target` argument is what it points to
  | 'exec' // execve: path, then the process image changes (CLOEXEC fds dropped)
  | 'connect' // fd + sockaddr: AF_UNIX sun_path is a file
  | 'chdir'
  | 'fchdir'
  | 'chroot'
  | 'getcwd' // path argument is the process's cwd (output)
  | 'fork' // result is a child pid; flags argument says what is shared
  | 'wait' // result (or the siginfo's si_pid) is a child: proof of lineage
  | 'close'
  | 'closeRange' // close_range(first, last, flags)
  | 'dup' // result is a copy of fd
  | 'dup2' // `newfd` argument becomes a copy of fd
  | 'fcntl' // F_DUPFD* duplicates, F_SETFD sets close-on-exec
  | 'fdop' // an operation on an open fd (getdents: listing of the fd's directory)
  | 'spawn'; // posix_spawn (macOS): exec + fork in one

export interface SyscallRow {
  name: string;
  family: Family;
  /** Access kind; 'byFlags' for opens (flags decide read/write/create/directory/O_PATH). */
  op?: Op | 'byFlags';
  /** Index of the path argument. */
  path?: number;
  /** Index of the directory-fd argument the path is relative to (`*at` calls). */
  dirfd?: number;
  /** Index of the flags argument (open flags, clone flags, `AT_EMPTY_PATH`). */
  flags?: number;
  /** Index of an fd argument (close, dup, fchdir, getdents, connect, fcntl). */
  fd?: number;
  /** Second path and its dirfd (rename, link). */
  path2?: number;
  dirfd2?: number;
  /** readlink/resolvepath output, symlink content. */
  target?: number;
  /** dup2/dup3 target fd. */
  newfd?: number;
  /** fcntl command argument. */
  cmd?: number;
  /** waitid's siginfo argument (its `si_pid` names the child). */
  info?: number;
  /** Flags implied by the call itself (`creat` = O_CREAT|O_WRONLY|O_TRUNC). */
  impliedFlags?: string;
  /** Reuse another row's semantics; fields given here override (argument order differs on some ABIs). */
  alias?: string;
}

/** The Linux/common table. Names here are also what the other platforms share (open, stat, access, execve...). */
export const COMMON: readonly SyscallRow[] = [
  // opening
  { name: 'open', family: 'open', op: 'byFlags', path: 0, flags: 1 },
  { name: 'openat', family: 'open', op: 'byFlags', dirfd: 0, path: 1, flags: 2 },
  { name: 'openat2', family: 'open', op: 'byFlags', dirfd: 0, path: 1, flags: 2 },
  { name: 'open64', alias: 'open', family: 'open' },
  { name: 'openat64', alias: 'openat', family: 'open' },
  { name: 'creat', family: 'open', op: 'byFlags', path: 0, impliedFlags: 'O_CREAT|O_WRONLY|O_TRUNC' },
  { name: 'creat64', alias: 'creat', family: 'open' },
  { name: 'uselib', family: 'path', op: 'read', path: 0 },
  { name: 'truncate', family: 'path', op: 'write', path: 0 },
  { name: 'truncate64', alias: 'truncate', family: 'path' },
  // exec
  { name: 'execve', family: 'exec', op: 'exec', path: 0 },
  { name: 'execveat', family: 'exec', op: 'exec', dirfd: 0, path: 1, flags: 4 },
  // stat family
  { name: 'stat', family: 'path', op: 'stat', path: 0 },
  { name: 'lstat', family: 'path', op: 'stat', path: 0 },
  { name: 'stat64', alias: 'stat', family: 'path' },
  { name: 'lstat64', alias: 'lstat', family: 'path' },
  { name: 'newfstatat', family: 'path', op: 'stat', dirfd: 0, path: 1, flags: 3 },
  { name: 'fstatat', alias: 'newfstatat', family: 'path' },
  { name: 'fstatat64', alias: 'newfstatat', family: 'path' },
  { name: 'statx', family: 'path', op: 'stat', dirfd: 0, path: 1, flags: 2 },
  { name: 'statfs', family: 'path', op: 'stat', path: 0 },
  { name: 'statfs64', alias: 'statfs', family: 'path' },
  { name: 'access', family: 'path', op: 'access', path: 0 },
  { name: 'faccessat', family: 'path', op: 'access', dirfd: 0, path: 1 },
  { name: 'faccessat2', alias: 'faccessat', family: 'path' },
  { name: 'readlink', family: 'readlink', op: 'readlink', path: 0, target: 1 },
  { name: 'readlinkat', family: 'readlink', op: 'readlink', dirfd: 0, path: 1, target: 2 },
  { name: 'getxattr', family: 'path', op: 'stat', path: 0 },
  { name: 'lgetxattr', family: 'path', op: 'stat', path: 0 },
  // other path operations (the program changes the tree: recorded, not copied)
  { name: 'mkdir', family: 'path', op: 'create', path: 0 },
  { name: 'mkdirat', family: 'path', op: 'create', dirfd: 0, path: 1 },
  { name: 'mknod', family: 'path', op: 'create', path: 0 },
  { name: 'mknodat', family: 'path', op: 'create', dirfd: 0, path: 1 },
  { name: 'unlink', family: 'path', op: 'other', path: 0 },
  { name: 'unlinkat', family: 'path', op: 'other', dirfd: 0, path: 1 },
  { name: 'rmdir', family: 'path', op: 'other', path: 0 },
  { name: 'rename', family: 'path2', op: 'other', path: 0, path2: 1 },
  { name: 'renameat', family: 'path2', op: 'other', dirfd: 0, path: 1, dirfd2: 2, path2: 3 },
  { name: 'renameat2', alias: 'renameat', family: 'path2' },
  { name: 'link', family: 'path2', op: 'other', path: 0, path2: 1 },
  { name: 'linkat', family: 'path2', op: 'other', dirfd: 0, path: 1, dirfd2: 2, path2: 3 },
  { name: 'symlink', family: 'symlink', op: 'create', target: 0, path: 1 },
  { name: 'symlinkat', family: 'symlink', op: 'create', target: 0, dirfd: 1, path: 2 },
  { name: 'chmod', family: 'path', op: 'other', path: 0 },
  { name: 'fchmodat', family: 'path', op: 'other', dirfd: 0, path: 1 },
  { name: 'chown', family: 'path', op: 'other', path: 0 },
  { name: 'lchown', family: 'path', op: 'other', path: 0 },
  { name: 'fchownat', family: 'path', op: 'other', dirfd: 0, path: 1 },
  { name: 'utimes', family: 'path', op: 'other', path: 0 },
  { name: 'utimensat', family: 'path', op: 'other', dirfd: 0, path: 1 },
  { name: 'setxattr', family: 'path', op: 'other', path: 0 },
  // process state
  { name: 'chdir', family: 'chdir', op: 'chdir', path: 0 },
  { name: 'fchdir', family: 'fchdir', op: 'chdir', fd: 0 },
  { name: 'chroot', family: 'chroot', op: 'chroot', path: 0 },
  { name: 'getcwd', family: 'getcwd', path: 0 },
  { name: 'clone', family: 'fork', flags: 0 },
  { name: 'clone3', family: 'fork', flags: 0 },
  { name: 'fork', family: 'fork' },
  { name: 'vfork', family: 'fork' },
  { name: 'wait4', family: 'wait' },
  { name: 'waitpid', family: 'wait' },
  { name: 'waitid', family: 'wait', info: 2 },
  // fd table
  { name: 'close', family: 'close', fd: 0 },
  { name: 'close_range', family: 'closeRange', fd: 0, newfd: 1, flags: 2 },
  { name: 'dup', family: 'dup', fd: 0 },
  { name: 'dup2', family: 'dup2', fd: 0, newfd: 1 },
  { name: 'dup3', family: 'dup2', fd: 0, newfd: 1, flags: 2 },
  { name: 'fcntl', family: 'fcntl', fd: 0, cmd: 1 },
  { name: 'fcntl64', alias: 'fcntl', family: 'fcntl' },
  { name: 'getdents', family: 'fdop', op: 'list', fd: 0 },
  { name: 'getdents64', alias: 'getdents', family: 'fdop' },
  // sockets
  { name: 'connect', family: 'connect', op: 'connect', fd: 0, path: 1 },
  { name: 'bind', family: 'connect', op: 'create', fd: 0, path: 1 },
];

export type Platform = 'linux' | 'solaris' | 'aix' | 'freebsd' | 'macos';
export const PLATFORMS: readonly Platform[] = ['linux', 'solaris', 'aix', 'freebsd', 'macos'];

export type SyscallTable = ReadonlyMap<string, Readonly<SyscallRow>>;

/** Merge the common rows with a platform overlay; resolve aliases; freeze. */
export function buildTable(...layers: ReadonlyArray<readonly SyscallRow[]>): SyscallTable {
  const byName = new Map<string, SyscallRow>();
  for (const layer of layers) for (const row of layer) byName.set(row.name, row);
  const resolved = new Map<string, Readonly<SyscallRow>>();
  const resolve = (name: string, seen: Set<string>): SyscallRow => {
    const row = byName.get(name);
    if (!row) throw new Error(`syscall table: alias target ${name} is not defined`);
    if (!row.alias) return row;
    if (seen.has(name)) throw new Error(`syscall table: alias loop at ${name}`);
    seen.add(name);
    const base = resolve(row.alias, seen);
    const { alias: _alias, ...own } = row;
    return { ...base, ...own, name: row.name };
  };
  for (const name of byName.keys()) resolved.set(name, Object.freeze(resolve(name, new Set())));
  return resolved;
}

/**
 * Classify open flags into an op. `O_PATH` opens and `O_DIRECTORY` opens are recorded as `stat` and `list` since
 * neither reads file content; write access or creation makes it `write` / `create`.
 */
export function opFromFlags(flags: string): Op {
  if (flags.includes('O_CREAT') || flags.includes('O_TMPFILE')) return 'create';
  if (flags.includes('O_WRONLY') || flags.includes('O_RDWR') || flags.includes('O_TRUNC')) return 'write';
  if (flags.includes('O_PATH')) return 'stat';
  if (flags.includes('O_DIRECTORY')) return 'list';
  return 'read';
}

/** Numeric open flags, as printed by dtruss/kdump (`0x0`, `0x601`): the Linux/BSD low bits, for classification. */
export function flagsTextFromNumber(n: number, platform: Platform): string {
  const acc = n & 3;
  const parts = [acc === 0 ? 'O_RDONLY' : acc === 1 ? 'O_WRONLY' : 'O_RDWR'];
  const creat = platform === 'linux' ? 0o100 : platform === 'solaris' || platform === 'aix' ? 0x100 : 0x200; // BSD/macOS O_CREAT = 0x200
  if (n & creat) parts.push('O_CREAT');
  return parts.join('|');
}
