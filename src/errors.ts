/**
 * Error classes and the exit-code table. The core throws these with their context; src/cli.ts is the one catch that
 * prints `jailtrace: <what>: <why> (<what to do>)` and exits with the code. docs/exit-codes.md mirrors this table.
 */
export const EXIT = {
  /** Success; for verify/diff/check: nothing missing / no difference. */
  OK: 0,
  /** The command ran and found something: missing files (verify), differences (diff, check). */
  FOUND: 1,
  /** Usage or input error: bad option, missing or unreadable trace, wrong format. */
  USAGE: 2,
  /** The jail could not be written (confinement refusal, disk full, read-only). */
  APPLY: 3,
  /** The tracer could not run (missing, ptrace not permitted) or died. */
  TRACER: 4,
  /** The traced program failed (verify, capture --profile report its status; build: a workload step failed). `capture -- COMMAND` exits with the program's own status instead. */
  PROGRAM: 5,
  /** Another jailtrace holds the jail's lock (build, sync, verify --fix; check and verify wait on a writer). */
  BUSY: 6,
  /** Interrupted by SIGINT/SIGTERM. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base: every jailtrace error has a short `what`, a `why`, an optional `hint` and an exit code. */
export class JailtraceError extends Error {
  constructor(
    readonly what: string,
    readonly why: string,
    readonly hint: string | undefined,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(`${what}: ${why}${hint ? ` (${hint})` : ''}`, options);
  }
}

export class UsageError extends JailtraceError {
  constructor(why: string, hint?: string) {
    super('usage', why, hint ?? 'see jailtrace --help', EXIT.USAGE);
  }
}

/** A trace file that can't be read or isn't a trace; `line` when it is about one line. */
export class TraceError extends JailtraceError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    why: string,
    hint?: string,
  ) {
    super(line === undefined ? file : `${file}:${line}`, why, hint, EXIT.USAGE);
  }
}

export class TracerError extends JailtraceError {
  constructor(why: string, hint?: string, options?: { cause?: unknown }) {
    super('tracer', why, hint, EXIT.TRACER, options);
  }
}

export class ApplyError extends JailtraceError {
  constructor(what: string, why: string, hint?: string, options?: { cause?: unknown }) {
    super(what, why, hint, EXIT.APPLY, options);
  }
}

/** The jail is locked by another jailtrace run (src/jail/lock.ts): who holds it, and what to do. */
export class BusyError extends JailtraceError {
  constructor(what: string, why: string, hint?: string) {
    super(what, why, hint, EXIT.BUSY);
  }
}
