import type { Platform, SyscallRow } from '../syscalls.js';

/** What jailtrace knows about one platform, as data. src/platforms/<os>.ts fills it in; nothing else branches on OS. */
export interface PlatformInfo {
  name: Platform;
  /** Syscall rows this platform adds or overrides (aliases onto the common table). */
  syscalls: readonly SyscallRow[];
  /** The tracer and how to run it. */
  tracer: { program: string; package?: string };
  /** Dynamic loaders a jail needs (the kernel maps them without an open the tracer shows). */
  loaders: readonly string[];
  /** Files the name-service switch reads, and glob-like patterns of NSS modules (`*` = any run of characters). */
  nss: { config: readonly string[]; modules: readonly string[] };
  /** The shell `wordexp()` execs (rssh's hardest case); its exec is flagged in the manifest. */
  wordexpShells: readonly string[];
  /**
   * Device nodes safe for any jail (data sinks and sources, the caller's own terminal): made whenever a trace opens
   * one. Any other device node (/dev/kmsg, a disk, /dev/mem) gives the jailed user the host's hardware or kernel
   * interface: it is reported, and made only when `--allow-device PATH` names it.
   */
  devices: readonly string[];
  /** `mknod` command template for the sh script: {path} {type} {major} {minor}. */
  mknod: string;
  /** How to give a jail a syslog socket on this platform. */
  syslog: readonly string[];
}
