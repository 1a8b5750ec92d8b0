/**
 * Which capture route works for a profile on a platform, as rows, and the text `capture --print-command` prints for
 * it. A program that makes itself untraceable (OpenSSH's sftp-server: platform_disable_tracing(1), strict) decides
 * the route: the row says why the route works, with its source (docs/platforms/*.md, "programs that refuse tracing").
 */
import type { Platform } from '../syscalls.js';
import { DTRACE_RUN_SH, dtraceScript, type DtracePlatform } from './dtrace-script.js';
import { profileArgv, tracerCommandLine, type Profile, type TracerCommandOptions } from './print-command.js';

export interface RouteRow {
  platform: Platform;
  /** Profiles this row is for; absent: any command. */
  profiles?: readonly Profile[];
  route: 'tracer' | 'dtrace';
  /** Why this route sees the whole run, with the source that backs it. */
  why: string;
}

/** First matching row wins. */
export const CAPTURE_ROUTES: readonly RouteRow[] = [
  {
    platform: 'freebsd',
    profiles: ['sftp'],
    route: 'dtrace',
    why: "sftp-server calls procctl(PROC_TRACE_CTL_DISABLE) and exits when it fails; FreeBSD fails it with EBUSY under truss (P_TRACED) or ktrace (p_traceflag): sys/kern/kern_procctl.c trace_ctl(). DTrace's syscall provider does not attach, so the call succeeds and root's probes go on firing",
  },
  {
    platform: 'macos',
    profiles: ['sftp'],
    route: 'dtrace',
    why: "sftp-server calls ptrace(PT_DENY_ATTACH); xnu's dtrace_probe() skips a P_LNOATTACH process, so any DTrace route, dtruss included, records it only up to that call. This script prints the call at entry, so the cut is named with its line",
  },
  {
    platform: 'linux',
    route: 'tracer',
    why: "sftp-server's prctl(PR_SET_DUMPABLE, 0) does not stop a tracer with CAP_SYS_PTRACE (kernel/ptrace.c __ptrace_may_access): run strace as root",
  },
  {
    platform: 'solaris',
    route: 'tracer',
    why: "setpflags(__PROC_PROTECT, 1) sets SNOCD; /proc then asks for all privileges (illumos priv_proc_cred_perm), which root's truss has",
  },
  { platform: 'aix', route: 'tracer', why: "OpenSSH's platform_disable_tracing() has no AIX branch: nothing refuses truss" },
  { platform: 'freebsd', route: 'tracer', why: 'scp and most programs do not disable tracing: truss sees them' },
  { platform: 'macos', route: 'tracer', why: 'dtruss (DTrace) sees programs that do not call PT_DENY_ATTACH' },
];

export function captureRoute(platform: Platform, profile: Profile | undefined): RouteRow {
  return CAPTURE_ROUTES.find((r) => r.platform === platform && (!r.profiles || (profile !== undefined && r.profiles.includes(profile))))!;
}

const shWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * What `capture --platform P --print-command` prints: one command line for a tracer route; for the DTrace route, the
 * D script and its wrapper as here-documents, then the command (`sftp -D '...'` drives it as a session).
 */
export function printedCapture(platform: Platform, opts: TracerCommandOptions): string {
  const row = captureRoute(platform, opts.profile);
  if (row.route === 'tracer') return tracerCommandLine(platform, opts).map(shWord).join(' ') + '\n';
  const command = opts.argv?.length ? opts.argv : profileArgv(platform, opts.profile!);
  const run = ['sh', './jailtrace-run.sh', opts.output, ...command].map(shWord).join(' ');
  return [
    `# ${platform}: ${row.why}.`,
    '# As root, in an empty directory: write the two files, then run the program through the wrapper.',
    "cat > jailtrace.d <<'JAILTRACE_EOF'",
    dtraceScript(platform as DtracePlatform) + 'JAILTRACE_EOF',
    "cat > jailtrace-run.sh <<'JAILTRACE_EOF'",
    DTRACE_RUN_SH + 'JAILTRACE_EOF',
    run,
    ...(opts.profile === 'sftp' ? [`# a session: sftp -D ${shWord(run)}   (then: jailtrace parse ${shWord(opts.output)})`] : []),
    '',
  ].join('\n');
}
