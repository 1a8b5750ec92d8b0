/**
 * The D script jailtrace prints for FreeBSD and macOS (`capture --platform P --print-command --profile sftp`), built
 * from rows: which syscalls, in which shape. Its output grammar is parsers/dtrace.ts; every printf here must give a
 * line that parser reads (test/capture/dtrace-script.test.ts renders each one and parses it).
 *
 * Why DTrace and not truss/ktrace (docs/platforms/freebsd.md, "programs that refuse tracing"): sftp-server calls
 * procctl(PROC_TRACE_CTL, PROC_TRACE_CTL_DISABLE) at startup and exits when it fails, and FreeBSD fails it with EBUSY
 * for a process that truss (P_TRACED) or ktrace (p_traceflag) already follows (sys/kern/kern_procctl.c, trace_ctl()).
 * DTrace's syscall provider does not attach: nothing sets P_TRACED or p_traceflag, so the call succeeds, and root's
 * enabling keeps seeing the process afterwards (P2_NOTRACE is checked by p_candebug() for ptrace/ktrace, not by
 * dtrace_probe()). On macOS the same script records up to ptrace(PT_DENY_ATTACH) and no further: xnu's dtrace_probe()
 * skips every probe of a P_LNOATTACH process; the parser and src/untraceable say so.
 *
 * D rules the script keeps (Dynamic Tracing Guide; FreeBSD dtrace(1)):
 * - `progenyof(pid)` is true for pid itself and its descendants: the wrapper runs `dtrace ... $$` and then `exec`s
 *   the program, so $1 is the program's pid before it exists; nothing attaches to it (no -c, no -p: those grab the
 *   process with ptrace through libproc and set P_TRACED).
 * - Pointers are saved at entry and strings copied at return (`copyinstr`), as dtruss does: the kernel has faulted
 *   the page in by then. execve's path is copied at entry (the old image is gone at return).
 * - Thread-local `self->` variables are freed by assigning 0, in a last clause per return probe (clauses of one
 *   probe run in program order).
 * - `%S` prints a string with C escapes (libdtrace dt_printf.c: "S" → pfprint_estr → strchr2esc), so a newline or a
 *   quote in a path cannot break a record; `%d` takes any integer type; `errno` is the thread's errno at return.
 * - `#pragma D option zdefs` (= -Z) lets a probe name missing on this release match nothing instead of failing.
 * - `exit(0)` (the action) ends tracing when the traced program's own pid calls exit.
 */
import type { Platform } from '../syscalls.js';

export type DtracePlatform = Extract<Platform, 'freebsd' | 'macos'>;

/** How a syscall's arguments are printed. */
type Shape =
  | 'path' // NAME("path", 0xA1, 0xA2)
  | 'at' // NAME(DIRFD, "path", 0xA2, 0xA3)
  | 'readlink' // NAME("path", "target", 0xSIZE)   (target only when the call returned a length)
  | 'readlinkat' // NAME(DIRFD, "path", "target", 0xSIZE)
  | 'fd' // NAME(FD)
  | 'fork' // NAME()
  | 'spawn' // NAME(0xPIDP, "path")              (macOS posix_spawn)
  | 'connect' // NAME(FD, "sun_path") for AF_UNIX, NAME(FD, 0xADDR) otherwise
  | 'ints' // NAME(A0, A1, A2, 0xA3)             (procctl: idtype, id, cmd, data)
  | 'exec' // NAME("path") ...  then  NAME resumed = RET ERRNO
  | 'entry4'; // NAME(A0, A1, 0xA2, A3) ...  then  NAME resumed = RET ERRNO   (ptrace: its return may never fire)

interface ProbeRow {
  shape: Shape;
  names: Partial<Record<DtracePlatform, readonly string[]>>;
}

/** The syscalls the script records, per platform (names as the syscall provider spells them). */
export const DTRACE_PROBES: readonly ProbeRow[] = [
  {
    shape: 'path',
    names: {
      freebsd: ['open', 'access', 'eaccess', 'chdir', 'chroot', 'pathconf', 'lpathconf'],
      macos: ['open', 'open_nocancel', 'stat64', 'lstat64', 'access', 'chdir', 'chroot', 'getattrlist', 'pathconf'],
    },
  },
  { shape: 'at', names: { freebsd: ['openat', 'fstatat', 'faccessat'], macos: ['openat', 'openat_nocancel', 'fstatat64', 'faccessat'] } },
  { shape: 'readlink', names: { freebsd: ['readlink'], macos: ['readlink'] } },
  { shape: 'readlinkat', names: { freebsd: ['readlinkat'], macos: ['readlinkat'] } },
  { shape: 'fd', names: { freebsd: ['fchdir', 'close'], macos: ['fchdir', 'close', 'close_nocancel'] } },
  { shape: 'fork', names: { freebsd: ['fork', 'vfork', 'rfork', 'pdfork'], macos: ['fork', 'vfork'] } },
  { shape: 'spawn', names: { macos: ['posix_spawn'] } },
  { shape: 'connect', names: { freebsd: ['connect'], macos: ['connect', 'connect_nocancel'] } },
  { shape: 'ints', names: { freebsd: ['procctl'] } },
  { shape: 'exec', names: { freebsd: ['execve'], macos: ['execve'] } },
  { shape: 'entry4', names: { macos: ['ptrace'] } },
];

/** AT_FDCWD as each kernel defines it (FreeBSD sys/fcntl.h -100, macOS sys/fcntl.h -2): printed as the word. */
const AT_FDCWD: Record<DtracePlatform, number> = { freebsd: -100, macos: -2 };

const HEAD = '"%d %d/%d: %s(';
const TAIL = ') = %d %d\\n"';
const WHO = 'timestamp, pid, tid, probefunc';
const RET = '(int)arg0, errno';

/** The dirfd as text: `AT_FDCWD` or the number. */
const dirfd = (p: DtracePlatform, v: string): string => `(int)${v} == ${AT_FDCWD[p]} ? "AT_FDCWD" : lltostr((int)${v})`;

const probes = (names: readonly string[], side: 'entry' | 'return'): string => names.map((n) => `syscall::${n}:${side}`).join(',\n');

/** The return-side printf clauses of a shape (each `predicate → printf`); entry saving and cleanup are shared. */
function returnClauses(shape: Shape, p: DtracePlatform): Array<{ when?: string; print: string }> {
  switch (shape) {
    case 'path':
      return [{ print: `${HEAD}\\"%S\\", 0x%X, 0x%X${TAIL}, ${WHO}, copyinstr(self->a0), self->a1, self->a2, ${RET}` }];
    case 'at':
      return [{ print: `${HEAD}%s, \\"%S\\", 0x%X, 0x%X${TAIL}, ${WHO}, ${dirfd(p, 'self->a0')}, copyinstr(self->a1), self->a2, self->a3, ${RET}` }];
    case 'readlink':
      return [
        { when: '(int)arg0 > 0', print: `${HEAD}\\"%S\\", \\"%S\\", 0x%X${TAIL}, ${WHO}, copyinstr(self->a0), copyinstr(self->a1, arg0), self->a2, ${RET}` },
        { when: '(int)arg0 <= 0', print: `${HEAD}\\"%S\\", 0x%X, 0x%X${TAIL}, ${WHO}, copyinstr(self->a0), self->a1, self->a2, ${RET}` },
      ];
    case 'readlinkat':
      return [
        {
          when: '(int)arg0 > 0',
          print: `${HEAD}%s, \\"%S\\", \\"%S\\", 0x%X${TAIL}, ${WHO}, ${dirfd(p, 'self->a0')}, copyinstr(self->a1), copyinstr(self->a2, arg0), self->a3, ${RET}`,
        },
        {
          when: '(int)arg0 <= 0',
          print: `${HEAD}%s, \\"%S\\", 0x%X, 0x%X${TAIL}, ${WHO}, ${dirfd(p, 'self->a0')}, copyinstr(self->a1), self->a2, self->a3, ${RET}`,
        },
      ];
    case 'fd':
      return [{ print: `${HEAD}%d${TAIL}, ${WHO}, (int)self->a0, ${RET}` }];
    case 'fork':
      return [{ print: `${HEAD}${TAIL}, ${WHO}, ${RET}` }];
    case 'spawn':
      return [{ print: `${HEAD}0x%X, \\"%S\\"${TAIL}, ${WHO}, self->a0, copyinstr(self->a1), ${RET}` }];
    case 'connect':
      // struct sockaddr_un on both kernels: sun_len (1 byte), sun_family (1 byte, AF_UNIX = 1), sun_path
      return [
        {
          when: '*(uint8_t *)copyin(self->a1 + 1, 1) == 1',
          print: `${HEAD}%d, \\"%S\\"${TAIL}, ${WHO}, (int)self->a0, copyinstr(self->a1 + 2, self->a2 - 2), ${RET}`,
        },
        { when: '*(uint8_t *)copyin(self->a1 + 1, 1) != 1', print: `${HEAD}%d, 0x%X${TAIL}, ${WHO}, (int)self->a0, self->a1, ${RET}` },
      ];
    case 'ints':
      return [{ print: `${HEAD}%d, %d, %d, 0x%X${TAIL}, ${WHO}, (int)self->a0, (int)self->a1, (int)self->a2, self->a3, ${RET}` }];
    case 'exec':
    case 'entry4':
      return [];
  }
}

/** The whole D script for a platform. */
export function dtraceScript(p: DtracePlatform): string {
  const rows = DTRACE_PROBES.filter((r) => r.names[p]?.length).map((r) => ({ shape: r.shape, names: r.names[p]! }));
  const saved = rows.filter((r) => r.shape !== 'exec' && r.shape !== 'entry4').flatMap((r) => r.names);
  const clause = (probe: string, when: string, body: string[]): string[] => ['', probe, `/${when}/`, '{', ...body.map((b) => `\t${b}`), '}'];
  const out: string[] = [
    `/* jailtrace: the system calls of one program and its descendants, for a jail (parsers/dtrace.ts reads this output). */`,
    `/* usage: dtrace -s THIS_FILE -o TRACE PID, then exec the program as PID (jailtrace-run.sh does both). */`,
    '#pragma D option quiet',
    '#pragma D option zdefs',
    '#pragma D option switchrate=10hz',
    '#pragma D option bufsize=16m',
    '#pragma D option dynvarsize=16m',
    '#pragma D option strsize=1024',
    '',
    'BEGIN',
    '{',
    `\tprintf("0 jailtrace-dtrace 1 ${p}\\n");`,
    '}',
    // entry: save the raw arguments (strings are copied at return, once the kernel has faulted them in)
    ...clause(probes(saved, 'entry'), 'progenyof($1)', ['self->a0 = arg0;', 'self->a1 = arg1;', 'self->a2 = arg2;', 'self->a3 = arg3;', 'self->go = 1;']),
  ];
  for (const row of rows) {
    if (row.shape === 'exec' || row.shape === 'entry4') {
      const entry =
        row.shape === 'exec'
          ? `printf("%d %d/%d: %s(\\"%S\\") ...\\n", ${WHO}, copyinstr(arg0));`
          : `printf("%d %d/%d: %s(%d, %d, 0x%X, %d) ...\\n", ${WHO}, (int)arg0, (int)arg1, arg2, (int)arg3);`;
      out.push(...clause(probes(row.names, 'entry'), 'progenyof($1)', [entry]));
      out.push(...clause(probes(row.names, 'return'), 'progenyof($1)', [`printf("%d %d/%d: %s resumed = %d %d\\n", ${WHO}, ${RET});`]));
      continue;
    }
    for (const c of returnClauses(row.shape, p))
      out.push(...clause(probes(row.names, 'return'), `self->go${c.when ? ` && ${c.when}` : ''}`, [`printf(${c.print});`]));
  }
  // cleanup after every return clause of the probe has run: assigning 0 frees a thread-local variable
  out.push(...clause(probes(saved, 'return'), 'self->go', ['self->a0 = 0;', 'self->a1 = 0;', 'self->a2 = 0;', 'self->a3 = 0;', 'self->go = 0;']));
  out.push(...clause('syscall::exit:entry', 'progenyof($1)', ['printf("%d %d/%d: exit(%d) ...\\n", timestamp, pid, tid, (int)arg0);']));
  out.push(...clause('syscall::exit:entry', 'pid == $1', ['exit(0);']));
  return out.join('\n') + '\n';
}

/** The wrapper: start dtrace on the shell's own pid, wait until it is tracing, then exec the program as that pid. */
export const DTRACE_RUN_SH =
  [
    '#!/bin/sh',
    '# usage: sh jailtrace-run.sh TRACE PROGRAM ARGS...  (as root; jailtrace.d beside this file)',
    "# dtrace follows this shell's pid, which becomes PROGRAM at exec: nothing attaches to it (no truss, ktrace, -c, -p).",
    'out=$1; shift',
    '# root writes these three files: make each one new (noclobber refuses anything already there, a symlink too)',
    'umask 077; set -C',
    '{ true >"$out" && true >"$out.unsorted" && true >"$out.dtrace-errors"; } 2>/dev/null || { echo "jailtrace-run.sh: $out (or .unsorted, .dtrace-errors) exists: give a new name, in a directory only root can write" >&2; exit 1; }',
    'set +C',
    'd=$(dirname "$0")/jailtrace.d',
    '{ dtrace -Z -q -s "$d" -o "$out.unsorted" $$; sort -n -s -k1,1 "$out.unsorted" >"$out" && rm -f "$out.unsorted"; } </dev/null >/dev/null 2>"$out.dtrace-errors" &',
    '# the BEGIN line reaches the file once every probe is enabled (dtrace flushes its output after each pass)',
    'until [ -s "$out.unsorted" ]; do',
    '  kill -0 $! 2>/dev/null || { echo "jailtrace-run.sh: dtrace did not start; see $out.dtrace-errors" >&2; exit 1; }',
    '  sleep 1',
    'done',
    'exec "$@"',
  ].join('\n') + '\n';
