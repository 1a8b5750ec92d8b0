/**
 * The exact tracer command line per platform, for an admin to run by hand on a host where jailtrace does not run
 * (`jailtrace capture --platform P --print-command`). Pure: argv arrays, no printing.
 *
 * Syscall lists are given only where every name could be checked against the tracer's own name table, because an
 * unknown name makes truss refuse to start (illumos usr/src/cmd/truss/listopts.c, syslist(): "unrecognized
 * syscall", rc -1). Solaris: each name below is in both the Solaris 10-era table (systable.c 2006/2008: systable +
 * sysalias) and the current illumos one; `xstat`/`lxstat` (gone from current tables; on Solaris 10 `stat`/`lstat`
 * select them anyway), `faccessat` and `mmapobj` (not in Solaris 10's table) are left out — on Solaris 11 / illumos add
 * `,faccessat` to see access() (docs/platforms/solaris.md). AIX: only `kopen`, `execve`, `close`, `__loadx` (real
 * published output) and `statx`, `fstatx`, `accessx`, `kload`, `getdirent` (FORMATS.md samples) could be confirmed;
 * the fork, chdir, chroot and socket entry names could not, and leaving fork/chroot out of a `-t` list would break
 * the process model, so AIX truss traces every call (the parser skips what it does not know).
 */
import { UsageError } from '../errors.js';
import type { Platform } from '../syscalls.js';
import { straceArgs } from './args.js';

export type Profile = 'sftp' | 'scp';

export interface TracerCommandOptions {
  /** The trace file the tracer writes. */
  output: string;
  /** The command to trace; when absent, the profile's workload. */
  argv?: string[];
  profile?: Profile;
  /** Follow forked children (-f). */
  follow: boolean;
}

/** Solaris truss -t names checked against both name tables (see the header). */
export const SOLARIS_TRUSS_SYSCALLS = [
  'open',
  'open64',
  'openat',
  'openat64',
  'stat',
  'stat64',
  'lstat',
  'lstat64',
  'fstatat',
  'fstatat64',
  'access',
  'execve',
  'exec',
  'resolvepath',
  'readlink',
  'chdir',
  'fchdir',
  'chroot',
  'getcwd',
  'fork1',
  'forkx',
  'vfork',
  'so_socket',
  'connect',
  'door_call',
  'close',
] as const;

/** Where each platform's OpenSSH (or SunSSH) keeps the programs the profiles run. */
export const PROFILE_PROGRAMS: Record<Platform, { sftpServer: string; scp: string }> = {
  linux: { sftpServer: '/usr/lib/openssh/sftp-server', scp: '/usr/bin/scp' }, // Debian/Ubuntu; RHEL: /usr/libexec/openssh/sftp-server
  solaris: { sftpServer: '/usr/lib/ssh/sftp-server', scp: '/usr/bin/scp' },
  aix: { sftpServer: '/usr/sbin/sftp-server', scp: '/usr/bin/scp' },
  freebsd: { sftpServer: '/usr/libexec/sftp-server', scp: '/usr/bin/scp' },
  macos: { sftpServer: '/usr/libexec/sftp-server', scp: '/usr/bin/scp' },
};

/** Scratch directory the scp profile uploads into (`scp -t DIR`). */
export const SCP_PROFILE_DIR = '/tmp/jailtrace-scp';

/** The profile's workload: the server side of a session, driven by the client as profileHowTo() says. */
export function profileArgv(platform: Platform, profile: Profile): string[] {
  const p = PROFILE_PROGRAMS[platform];
  return profile === 'sftp' ? [p.sftpServer] : [p.scp, '-t', SCP_PROFILE_DIR];
}

/** The tracer's argv for `command`, per platform. */
export function tracerCommandLine(platform: Platform, opts: TracerCommandOptions): string[] {
  const command = opts.argv?.length ? opts.argv : opts.profile ? profileArgv(platform, opts.profile) : undefined;
  if (!command) throw new UsageError('nothing to trace', 'give a command after --, or --profile sftp / --profile scp');
  const f = opts.follow ? ['-f'] : [];
  switch (platform) {
    case 'linux': {
      const args = straceArgs({ output: opts.output, seccomp: false });
      return ['strace', ...(opts.follow ? args : args.filter((a) => a !== '-f')), '--', ...command];
    }
    case 'solaris':
      // -a: argv of each exec (the manifest records it)
      return ['truss', ...f, '-a', '-o', opts.output, '-t', SOLARIS_TRUSS_SYSCALLS.join(','), ...command];
    case 'aix':
      return ['truss', ...f, '-a', '-o', opts.output, ...command];
    case 'freebsd':
      return ['truss', ...f, '-o', opts.output, ...command];
    case 'macos':
      // dtruss has no output-file option (its -o means on-CPU time): it prints to stderr.
      return ['sh', '-c', `exec dtruss${opts.follow ? ' -f' : ''} "$@" 2>${shWord(opts.output)}`, 'dtruss', ...command];
  }
}

const shWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** How to drive a profile's traced server by hand on the host, one line each (for the docs and --print-command). */
export function profileHowTo(_platform: Platform, profile: Profile, traced: string[]): string[] {
  const cmd = traced.map(shWord).join(' ');
  if (profile === 'sftp') {
    return [
      `sftp -D ${shWord(cmd)}    # OpenSSH clients with -D: the client runs the traced server itself`,
      `sftp -s ${shWord(cmd)} localhost    # clients without -D: ssh runs it as the sftp server path`,
      `or trace the running sshd instead: truss -f -o FILE -p <sshd pid> (its children are the sessions), then connect`,
    ];
  }
  return [`{ printf 'C0644 6 hello.txt\\n'; printf 'hello\\n'; printf '\\0'; } | ${cmd}    # an upload as sshd would run it`];
}
