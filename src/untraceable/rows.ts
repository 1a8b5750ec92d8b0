/**
 * Programs that make themselves untraceable, as rows: the call, how each tracer prints it, what happens to a trace
 * of it on that platform, and the capture route that works. OpenSSH's sftp-server calls platform_disable_tracing(1)
 * at startup (sftp-server.c); "1" is strict: when the call fails it logs one of the messages below with fatal() and
 * exits 255 (platform-tracing.c). Sources per platform: docs/platforms/*.md, "programs that refuse tracing".
 */
import type { Platform } from '../syscalls.js';

export interface UntraceableRow {
  platform: Platform;
  /** The syscall as the platform's tracers name it. */
  call: string;
  /** Argument index and the spellings (symbolic or numeric) that make this call the one that refuses tracing. */
  arg: number;
  values: readonly string[];
  /** What the program logs when the call fails (sftp-server's fatal() text). */
  message: string;
  /** Why the call failed under the tracer that wrote the trace. */
  refusedBecause: string;
  /**
   * After the call succeeds: 'kept' (the tracer goes on seeing everything), 'silent' (the tracer records nothing more
   * of the process), 'addresses' (the tracer goes on but cannot read the process's memory: path arguments become
   * bare addresses; a tracer that is not root).
   */
  after: 'kept' | 'silent' | 'addresses';
  /** Programs known to make the call first thing (a trace that never shows the call itself, as dtruss's). */
  programs: readonly string[];
  /** The command that prints a capture that works here. */
  route: string;
}

const SFTP = ['sftp-server'];

export const UNTRACEABLE: readonly UntraceableRow[] = [
  {
    platform: 'freebsd',
    call: 'procctl',
    arg: 2,
    values: ['PROC_TRACE_CTL', '7', '0x7'],
    message: 'unable to make the process untraceable',
    refusedBecause:
      'FreeBSD refuses procctl(PROC_TRACE_CTL) with EBUSY while truss (P_TRACED) or ktrace (p_traceflag) follows the process (sys/kern/kern_procctl.c, trace_ctl), and sftp-server exits on it: no session happened',
    after: 'kept',
    programs: SFTP,
    route: 'jailtrace capture --platform freebsd --print-command --profile sftp (DTrace: it does not attach)',
  },
  {
    platform: 'linux',
    call: 'prctl',
    arg: 0,
    values: ['PR_SET_DUMPABLE', '4', '0x4'],
    message: 'unable to make the process undumpable',
    refusedBecause: 'prctl(PR_SET_DUMPABLE, 0) failed',
    after: 'addresses',
    programs: SFTP,
    route: 'jailtrace capture --profile sftp as root (strace keeps full access with CAP_SYS_PTRACE)',
  },
  {
    platform: 'solaris',
    call: 'setpflags',
    arg: 0,
    values: ['__PROC_PROTECT', '0x0008', '0x8', '8'],
    message: 'unable to make the process untraceable',
    refusedBecause: 'setpflags(__PROC_PROTECT, 1) failed',
    after: 'kept',
    programs: SFTP,
    route: 'jailtrace capture --platform solaris --print-command --profile sftp, run as root',
  },
  {
    platform: 'macos',
    call: 'ptrace',
    arg: 0,
    values: ['PT_DENY_ATTACH', '31', '0x1F', '0x1f'],
    message: 'unable to set PT_DENY_ATTACH',
    refusedBecause: 'ptrace(PT_DENY_ATTACH) failed',
    after: 'silent',
    programs: SFTP,
    route: 'jailtrace capture --platform macos --print-command --profile sftp (records up to PT_DENY_ATTACH and names the cut)',
  },
];

/** Every fatal() text of the rows, for a trace whose syslog or stderr write shows one. */
export const REFUSAL_MESSAGES = [...new Set(UNTRACEABLE.map((r) => r.message))];
