/**
 * strace command lines. The syscall set is what the process model reads (src/syscalls.ts): the three classes plus the
 * fd and cwd calls that are not in them. `?name` marks calls that some architectures lack (strace skips them there).
 */
export const TRACE_SET = [
  '%file',
  '%process',
  '%network',
  'fchdir',
  'close',
  'dup',
  '?dup2',
  'dup3',
  'fcntl',
  '?fcntl64',
  '?getdents',
  'getdents64',
  'getcwd',
  'chroot',
] as const;

export interface StraceArgsOptions {
  /** Trace file (or FIFO) for `-o`. */
  output: string;
  /** Run the program as this user (`strace -u`: uid, gid and supplementary groups of the user). */
  user?: string;
  seccomp: boolean;
}

/**
 * Options only (no program). `-q`, not `-qq`: `-q` already drops the attach/detach notices, while `-qq` would also
 * drop the `+++ exited with N +++` lines the manifest reads process exits from.
 */
export function straceArgs(opts: StraceArgsOptions): string[] {
  return [
    '-f',
    '-q',
    '-o',
    opts.output,
    '-e',
    `trace=${TRACE_SET.join(',')}`,
    ...(opts.seccomp ? ['--seccomp-bpf'] : []),
    ...(opts.user ? ['-u', opts.user] : []),
  ];
}

/** The whole traced command line, for when another program spawns the tracer (`sftp -D`). */
export function tracedCommandLine(opts: { argv: string[]; fifo: string; user?: string; seccomp: boolean; strace?: string }): string[] {
  return [opts.strace ?? 'strace', ...straceArgs({ output: opts.fifo, user: opts.user, seccomp: opts.seccomp }), '--', ...opts.argv];
}
