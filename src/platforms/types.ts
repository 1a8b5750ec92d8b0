import type { DialectName } from '../../parsers/types.js';
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
  /** Loader configuration read before any traced open can show it (or read only when present): copied when present. */
  loaderConfig: readonly string[];
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
  /** The trace dialects this platform's tracers write (which platform a trace comes from). */
  dialects: readonly DialectName[];
  /** What the generated sh script (src/script/host-script.ts) needs on this host. */
  sh: HostSh;
}

/** The shell side of a platform, as data. */
export interface HostSh {
  path: string;
  /** Tools that list an executable's libraries, tried in order. */
  listers: ReadonlyArray<'ldd' | 'dump -H' | 'otool -L'>;
  /** Words such tools print that are not files to copy (AIX: the kernel, /unix). */
  ignore: readonly string[];
  /** getpwnam reads db files rebuilt from master.passwd (FreeBSD pwd_mkdb). */
  pwdMkdb: boolean;
  /**
   * Root's loader environment, unset before the script asks ldd or dump: a LIBPATH=/usr/lib in root's shell makes AIX's
   * ldd answer /usr/lib/libiconv.a where the jailed program loads /opt/freeware's (ld.so.1(1), ld-elf.so.1(1),
   * AIX "Shared library search paths"; OBJECT_MODE picks the object size dump and ldd read).
   */
  loaderEnv: readonly string[];
  /**
   * How `ls -l` prints a device number that is one value, not `major, minor` (FreeBSD since 5, macOS since
   * file_cmds-352: `printf("%#jx", st_rdev)`): the kernel's major()/minor() of that dev_t (DEV_WORD in
   * src/script/host-script.ts).
   */
  devWord?: 'freebsd' | 'macos';
  /** Account databases the script generates from the filtered passwd instead of copying the host's (all accounts). */
  accountDbs: readonly string[];
}
