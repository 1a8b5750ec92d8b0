/**
 * The normalized record every dialect parser produces.
 *
 * Lines arrive as `latin1` strings: one JS char per byte, so `Buffer.from(s, 'latin1')` gives back the exact bytes.
 * Paths are never lossy-decoded; a string argument stays raw text until `decodeString` (parsers/strings.ts) turns it
 * into a Buffer, and only for the arguments the syscall table says are paths.
 */

/** How a dialect escapes bytes inside a quoted string. */
export type StringEncoding =
  | 'c' // strace, Solaris/AIX truss: \" \\ \n \t \ooo \xHH; truss `"..".., 66` truncation
  | 'vis' // FreeBSD truss: vis(3) \M-x \^x \ooo
  | 'dtruss'; // macOS dtruss: C escapes and an explicit trailing \0

export type DialectName = 'strace' | 'truss-solaris' | 'truss-aix' | 'truss-freebsd' | 'dtruss' | 'kdump' | 'dtrace-freebsd' | 'dtrace-macos';

/** A completed system call (an unfinished/resumed pair is joined before it is emitted). */
export interface SyscallEvent {
  kind: 'syscall';
  /** 1-based line number of the line that completed the call (the resumed line for a joined pair). */
  line: number;
  /** Process or thread id; 0 when the trace has no pid column (single process, no -f). */
  pid: number;
  /** Syscall name as printed (`openat`, `kopen`, `open64`...). The syscall table maps aliases. */
  name: string;
  /** Arguments as raw text, split at top-level commas; strings keep their quotes. */
  args: string[];
  /** Raw result text (`3`, `0x7f00`, `3</etc/passwd>`, `?`, `` when the dialect printed none). */
  ret: string;
  /** Numeric value of the result, NaN when it has none (`?`, empty). */
  retval: number;
  /** False when the call failed (errno set) */
  ok: boolean;
  /** Symbolic errno (`ENOENT`), when the call failed. Dialects that print only a number give `E#<n>`. */
  errno?: string;
  /** -y/-yy decoration on the result (`3</etc/passwd>` gives the path), decoded bytes. */
  retPath?: Buffer;
  /** How string arguments are escaped in this dialect. */
  enc: StringEncoding;
  /**
   * Extra strings the dialect saw on continuation lines and associated with this call, by argument index
   * (Solaris raw `-x` mode prints pointer arguments' strings on the next lines; Solaris connect prints
   * `AF_UNIX name = /path`; kdump NAMI records). Already decoded.
   */
  extra?: Map<number, Buffer>;
  /** Continuation-line facts such as the unix socket path of a connect: `sun_path`. */
  sunPath?: Buffer;
  /**
   * Paths the kernel looked up for this call, in order, as the tracer printed them apart from the arguments (kdump
   * NAMI records). The parser knows no syscalls: the pipeline gives each its argument slot (src/trace-events.ts).
   */
  nami?: Buffer[];
  /**
   * Indices of arguments holding a string the tracer cut short (`"abc"...` from strace -s, truss `"abc"..`), or an
   * array with such a string in it (execve argv). A cut string is not the whole path: it must never name a file.
   */
  truncated?: number[];
  /**
   * The pid column of the line that started this call, when it differs from `pid`: strace -f writing to stderr
   * prints no pid column while one process is traced, so a call can start unprefixed (0) and resume as `[pid N]`.
   */
  startedAs?: number;
}

export interface ExitEvent {
  kind: 'exit';
  line: number;
  pid: number;
  /** Exit status when the process exited normally. */
  code?: number;
  /** Signal name when it was killed. */
  signal?: string;
}

export interface SignalEvent {
  kind: 'signal';
  line: number;
  pid: number;
  signal: string;
  /** SIGCHLD sent by the kernel (`si_code=CLD_*`): the child whose state changed (`si_pid`). */
  child?: number;
}

/** Something the parser could not make sense of. The stream goes on. */
export interface WarningEvent {
  kind: 'warning';
  line: number;
  message: string;
}

/**
 * A call that started but has not returned yet (strace `<unfinished ...>`). The process model uses it to attach a
 * child whose lines appear before its parent's `clone`/`fork` returns. Dialects that cannot tell may omit it.
 */
export interface PendingEvent {
  kind: 'pending';
  line: number;
  pid: number;
  name: string;
  /** Arguments printed so far (may be incomplete). */
  args: string[];
}

export type TraceEvent = SyscallEvent | ExitEvent | SignalEvent | WarningEvent | PendingEvent;

export type Emit = (ev: TraceEvent) => void;

/**
 * A dialect parser. Stateful only where the grammar needs it (strace's unfinished/resumed joins, Solaris
 * `(sleeping...)` and continuation lines, kdump CALL/NAMI/RET). Never throws on bad input: it emits a warning.
 */
export interface LineParser {
  /** Feed one line (no trailing newline, latin1 string) with its 1-based number. */
  push(line: string, lineNo: number, emit: Emit): void;
  /** End of input: flush pending state (an unfinished call with no resume becomes a warning). */
  end(lastLine: number, emit: Emit): void;
  /**
   * Optional byte-level prefilter, called on the raw bytes of a line before it is turned into a string: false means
   * the line cannot matter (a call the caller does not want) and is skipped. Must never reject a line whose loss would
   * change another line's meaning (strace: every `<unfinished ...>` is accepted).
   */
  accept?(buf: Buffer, start: number, end: number): boolean;
}

export interface ParserOptions {
  /**
   * Only fully parse calls whose name passes this test; others are skipped cheaply (their unfinished/resumed pieces
   * are still paired). Default: parse everything.
   */
  want?: (name: string) => boolean;
  /** Pid to use for lines without a pid column (`-ff -o prefix.PID` files). */
  defaultPid?: number;
}

export interface Dialect {
  name: DialectName;
  /** One-line description for --help and auto-detection messages. */
  describe: string;
  create(opts?: ParserOptions): LineParser;
  /** Score how well the first lines of a file match this dialect (0 = not at all). */
  sniff(lines: string[]): number;
}
