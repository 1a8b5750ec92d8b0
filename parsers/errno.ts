/**
 * Errno and signal numbers for the dialects that print only numbers (FreeBSD truss `ERR#2`, dtruss `= -1 2`,
 * kdump `errno 2`). Only the common ones: anything else becomes `E#<n>` / `SIG#<n>`, as types.ts specifies.
 */

/** The 4.4BSD numbering FreeBSD and macOS share (1-40, 61-63). */
const BSD: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  8: 'ENOEXEC',
  9: 'EBADF',
  10: 'ECHILD',
  11: 'EDEADLK',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  18: 'EXDEV',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  25: 'ENOTTY',
  26: 'ETXTBSY',
  27: 'EFBIG',
  28: 'ENOSPC',
  29: 'ESPIPE',
  30: 'EROFS',
  31: 'EMLINK',
  32: 'EPIPE',
  35: 'EAGAIN',
  36: 'EINPROGRESS',
  37: 'EALREADY',
  38: 'ENOTSOCK',
  48: 'EADDRINUSE',
  49: 'EADDRNOTAVAIL',
  54: 'ECONNRESET',
  60: 'ETIMEDOUT',
  61: 'ECONNREFUSED',
  62: 'ELOOP',
  63: 'ENAMETOOLONG',
  66: 'ENOTEMPTY',
};

const FREEBSD: Record<number, string> = { ...BSD, 45: 'EOPNOTSUPP', 78: 'ENOSYS', 87: 'ENOATTR', 93: 'ENOTCAPABLE', 94: 'ECAPMODE' };
const MACOS: Record<number, string> = { ...BSD, 45: 'ENOTSUP', 78: 'ENOSYS', 93: 'ENOATTR', 102: 'EOPNOTSUPP' };

export const freebsdErrno = (n: number): string => FREEBSD[n] ?? `E#${n}`;
export const macosErrno = (n: number): string => MACOS[n] ?? `E#${n}`;

/** FreeBSD signal numbers (truss `SIGNAL 11`). */
const FREEBSD_SIGNALS = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGEMT',
  'SIGFPE',
  'SIGKILL',
  'SIGBUS',
  'SIGSEGV',
  'SIGSYS',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGURG',
  'SIGSTOP',
  'SIGTSTP',
  'SIGCONT',
  'SIGCHLD',
  'SIGTTIN',
  'SIGTTOU',
  'SIGIO',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGINFO',
  'SIGUSR1',
  'SIGUSR2',
];
export const freebsdSignal = (n: number): string => FREEBSD_SIGNALS[n] || `SIG#${n}`;
