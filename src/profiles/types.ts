/** What a built-in workload run returns, and how to ask for one. */
export type ProfileName = 'sftp' | 'scp' | 'rssh';
export const PROFILE_NAMES: readonly ProfileName[] = ['sftp', 'scp', 'rssh'];

export interface ProfileStep {
  description: string;
  argv: string[];
  exitCode?: number;
  signal?: string;
  stderr: string;
  ok: boolean;
  /** A check of what the run did (not a process): no exit status; `stderr` says why when it failed. */
  check?: boolean;
}

export interface ProfileRun {
  name: ProfileName;
  /** Raw trace files, one per traced server run. */
  traces: string[];
  /** Scratch dirs of the workload (host paths, and in-jail paths in chroot mode): workload data, never jail content. */
  excludes: string[];
  /** Where the traced servers started (for parseTraces' cwd). */
  cwd: string;
  steps: ProfileStep[];
  /** What the admin should know about how the run was done (a login shell that is not a shell, a trace run without --seccomp-bpf and why). */
  notes?: string[];
}

export interface ProfileOptions {
  /** Run the traced servers as this user (strace -u) with a clean environment. */
  user?: string;
  sftpServer?: string;
  scp?: string;
  /** Where the raw traces are written (must exist). */
  outputDir: string;
  onData?: (chunk: Buffer, traceIndex: number) => void;
  /**
   * Verify mode: run the server through this prefix (e.g. ['chroot', '--userspec=alice:alice', '/srv/jail']) instead of
   * on the host, still under strace (strace runs as root and follows into the chroot). Needs scratchRoot/scratchInJail.
   */
  chrootCommand?: string[];
  /** Host path of a writable dir inside the jail for the workload's files (chroot mode). */
  scratchRoot?: string;
  /** The same dir as seen inside the chroot. */
  scratchInJail?: string;
  /**
   * The rssh profile's real chain into a jail: rssh runs as the user, its setuid helper chroots into `jail` (the
   * user's chroot path in rssh.conf); the workload's files are scratchRoot/scratchInJail inside it. Without it, the
   * chain runs with the scratch dirs on the host (an rssh user who is not chrooted).
   */
  rsshChain?: { jail: string };
  /** Services the rssh profile drives (default both; rssh.conf's access bits decide in build). */
  rsshServices?: Array<'sftp' | 'scp'>;
  /** Size of the payloads (default 64 KiB). */
  payloadBytes?: number;
  /** Per traced run (default 10 minutes). */
  timeoutMs?: number;
}
