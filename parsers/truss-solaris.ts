/**
 * Solaris / illumos truss (FORMATS.md section 2).
 *
 *   line   = [PREFIX WS] [TIMES] BODY
 *   prefix = PID ":" | PID "/" LWP ":" | "/" LWP ":" | PID "/" LWP "@" FRAME ":"
 *   times  = 1-3 columns of SECONDS.FRACTION (-d, -D, -E)
 *   body   = name(args) [WS] ( "= V [V2]" | "Err#N ENAME [priv]" | "argc = N" | "(sleeping...)" | nothing )
 *          | "Received signal #N, SIG..." | "Incurred fault #N, FLT..." | continuation (deeper indentation)
 *
 * A call is held back until the next line that is not one of its continuations, so that raw `-x` strings
 * (`0xD0FE772F: "/var/ld/ld.config"`) and `AF_UNIX  name = /path` can be attached to it.
 *
 * Deliberate omissions (they would mislead the process model):
 * - `(sleeping...)` lines: the call is printed again with its result.
 * - the child's side of a fork (`fork1()  (returning as child ...)  = 1566`) and a new LWP's side of `lwp_create`:
 *   the parent's line already says a process/LWP was made; the child's line is emitted as NOTHING.
 * - `-> lib:func()` / `<- lib:func() = v` user-level (-u) lines: not system calls.
 * `_exit(N)` becomes an ExitEvent (not a syscall).
 */
import { numberOf, signalOf, splitCall, warnCall } from './call.js';
import { decodeString, truncatedArgs } from './strings.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

const PREFIX = /^(?:(\d+)(?:\/(\d+))?(?:@\d+)?|\/(\d+)):[ \t]/;
const TIMES = /^(?:\d+\.\d+[ \t]+){1,3}/;
const RAW_STRING = /^(0[xX][0-9a-fA-F]+): (".*)$/;
const AF_UNIX = /^AF_UNIX\s+name = (.*)$/;

interface Split {
  pid: number;
  hasPrefix: boolean;
  /** Body with leading whitespace and time columns removed. */
  body: string;
}

/** Strip the pid/lwp prefix, indentation and -d/-D/-E columns. */
export function splitSolaris(line: string, defaultPid: number): Split {
  const m = PREFIX.exec(line);
  let rest = m ? line.slice(m[0].length) : line;
  rest = rest.replace(/^[ \t]+/, '');
  const t = TIMES.exec(rest);
  if (t) rest = rest.slice(t[0].length);
  const pid = m && m[1] !== undefined ? Number(m[1]) : defaultPid;
  return { pid, hasPrefix: m !== null, body: rest };
}

type Result = Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'>;

/** Parse what follows the closing paren. Undefined when it is not a truss result. */
export function solarisResult(rest: string): Result | 'sleeping' | 'child' | undefined {
  const s = rest.trim();
  if (s === '') return { ret: '', retval: NaN, ok: true };
  if (s.startsWith('(sleeping...)')) return 'sleeping';
  if (s.startsWith('(returning as child') || s.startsWith('(returning as new lwp')) return 'child';
  const err = /^Err#(\d+)\s+([A-Z][A-Z0-9_]*)(?:\s+\[[^\]]*\])?$/.exec(s);
  if (err) return { ret: s, retval: -1, ok: false, errno: err[2] };
  if (/^argc = \d+$/.test(s)) return { ret: '', retval: NaN, ok: true };
  const val = /^=\s+(\S+)(?:\s+\[(\S+)\])?$/.exec(s);
  if (val) return { ret: s.slice(1).trim(), retval: numberOf(val[1]), ok: true };
  return undefined;
}

class SolarisParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly defaultPid: number;
  /** The last call, held until its continuation lines (raw strings, AF_UNIX name) have been seen. */
  private held: SyscallEvent | undefined;

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.defaultPid = opts.defaultPid ?? 0;
  }

  push(line: string, lineNo: number, emit: Emit): void {
    const { pid, body } = splitSolaris(line, this.defaultPid);
    if (body === '') return;
    if (this.continuation(pid, body)) return;
    const signal = signalOf(body);
    if (signal) {
      this.flush(emit);
      emit({ kind: 'signal', line: lineNo, pid, signal });
      return;
    }
    if (body.startsWith('-> ') || body.startsWith('<- ')) return this.flush(emit); // -u user-level function trace
    const call = splitCall(body);
    // -v struct dumps, siginfo:, argv:/envp:, lwpid:, -r/-w buffers, headings: not records, ignored.
    if (call === undefined) return;
    this.flush(emit);
    if (!this.want(call.name)) return;
    if ('unterminated' in call) return warnCall(emit, lineNo, 'truss call with no closing parenthesis', body);
    const res = solarisResult(call.rest);
    if (res === 'sleeping' || res === 'child') return;
    if (res === undefined) return warnCall(emit, lineNo, 'unrecognized truss result', body);
    if ((call.name === '_exit' || call.name === 'exit') && res.ret === '') {
      const code = numberOf(call.args[0] ?? '');
      emit({ kind: 'exit', line: lineNo, pid, ...(Number.isNaN(code) ? {} : { code }) });
      return;
    }
    this.held = { kind: 'syscall', line: lineNo, pid, name: call.name, args: call.args, enc: 'c', ...res, truncated: truncatedArgs(call.args) };
  }

  /** Attach a continuation line to the held call; true when the line was one (whatever its content). */
  private continuation(pid: number, body: string): boolean {
    const held = this.held;
    const raw = RAW_STRING.exec(body);
    if (raw) {
      if (held && held.pid === pid) {
        const addr = raw[1].toLowerCase();
        const idx = held.args.findIndex((a, i) => a.toLowerCase() === addr && !held.extra?.has(i));
        const bytes = decodeString(raw[2], 'c');
        if (idx >= 0 && bytes) (held.extra ??= new Map()).set(idx, bytes);
      }
      return true;
    }
    const sun = AF_UNIX.exec(body);
    if (sun) {
      if (held && held.pid === pid) held.sunPath = Buffer.from(sun[1], 'latin1');
      return true;
    }
    return false;
  }

  private flush(emit: Emit): void {
    if (this.held) emit(this.held);
    this.held = undefined;
  }

  end(_lastLine: number, emit: Emit): void {
    this.flush(emit);
  }
}

/** Auto-detection: TAB padding before `=`/`Err#`, `argc = N`, `PID:\t` / `PID/LWP:` prefixes, `Err#N E` with one space. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    // markers of the other truss dialects veto Solaris outright
    if (/\)\s+argc: \d+$|\) =$|Err#\d {2}E[A-Z]|ERR#\d+ '|= -?\d+ \(0x[0-9a-f]+\)$|^\d+: \d+: /.test(l)) return 0;
    if (/\)\t+ *(=|Err#)/.test(l)) score += 3;
    if (/\)\s+argc = \d+$/.test(l)) score += 10;
    if (/^(\d+(\/\d+)?|\/\d+):\t/.test(l)) score += 3;
    if (/Err#\d+ E[A-Z]+( \[\w+\])?$/.test(l)) score += 3;
    if (/= \S+ \[\S+\]$/.test(l)) score += 3;
    if (/\(0x[0-9A-F]*[A-F][0-9A-F]*[,)]|= 0x[0-9A-F]+$/.test(l)) score += 2; // truss prints hex in upper case
    if (/^\s*Received signal #\d+, SIG/.test(l)) score += 3;
    if (/\(sleeping\.\.\.\)$|\(returning as child/.test(l)) score += 5;
  }
  return score;
}

export const trussSolaris: Dialect = {
  name: 'truss-solaris',
  describe: 'Solaris/illumos truss (-f, -l, -d/-D/-E, -v, -x raw strings, -a/-e)',
  create: (opts?: ParserOptions) => new SolarisParser(opts),
  sniff,
};
