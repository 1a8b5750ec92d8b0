/**
 * FreeBSD truss (FORMATS.md section 4).
 *
 *   line   = [U+3000...] [%5d ": " | PID " " TID ": "] [SECONDS.NANOS " "]{0,2} BODY
 *   body   = name(args) TABS " " ( "= V (0xH)" | "ERR#N 'strerror text'" | "EJUSTRETURN" (execve) | nothing )
 *          | "process exit, rval = N" | "SIGNAL N [(SIGNAME) ...]" | "Process stopped because of: N"
 *   other  = "truss: ..." (truss's own errors: a warning), program output (ignored)
 *
 * Strings are vis(3)-escaped. A sockaddr argument `{ AF_UNIX "/path" }` sets `sunPath`. Old truss printed raw bytes,
 * newlines included, inside strings: a call whose argument list does not close is joined with the following line(s).
 * The child's own view of a fork (`= 0 (0x0)`) is emitted as nothing.
 */
import { isForkName, numberOf, preview, splitCall, warnCall } from './call.js';
import { freebsdErrno, freebsdSignal } from './errno.js';
import { decodeString, truncatedArgs } from './strings.js';
import { splitVisArgs } from './vis-args.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

/** U+3000 IDEOGRAPHIC SPACE as UTF-8 bytes read as latin1 (E3 80 80), or the real character. */
const IDEO = /^(?:\u00e3\u0080\u0080|\u3000)+/;
const PREFIX = /^\s*(\d+)(?: \d+)?: /;
const TIMES = /^(?:\d+\.\d+ ){1,2}/;
const SUN = /^\{ AF_UNIX (".*") \}$/s;
/** How many extra lines a call with an unclosed string may swallow. */
const MAX_JOIN = 4;

/** Strip U+3000 indentation, the pid prefix and -d/-D columns. */
export function splitFreebsd(line: string, defaultPid: number): { pid: number; hasPrefix: boolean; body: string } {
  const s = line.replace(IDEO, '');
  const m = PREFIX.exec(s);
  let body = m ? s.slice(m[0].length) : s;
  const t = TIMES.exec(body);
  if (t) body = body.slice(t[0].length);
  return { pid: m ? Number(m[1]) : defaultPid, hasPrefix: m !== null, body };
}

type Result = Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'>;

/** Parse what follows the closing paren. */
export function freebsdResult(rest: string): Result | undefined {
  const s = rest.trim();
  if (s === '') return { ret: '', retval: NaN, ok: true };
  if (s === 'EJUSTRETURN') return { ret: s, retval: NaN, ok: true }; // a successful execve
  if (/^E[A-Z]+$/.test(s)) return { ret: s, retval: NaN, ok: false, errno: s }; // ERESTART and the like
  const err = /^ERR#(\d+)(?: '.*')?$/.exec(s);
  if (err) return { ret: s, retval: -1, ok: false, errno: freebsdErrno(Number(err[1])) };
  const val = /^= (-?\d+)(?: \((0x[0-9a-f]+)\))?$/.exec(s) ?? /^= (\S+)$/.exec(s);
  if (val) return { ret: val[1], retval: numberOf(val[1]), ok: true };
  return undefined;
}

class FreebsdParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly defaultPid: number;
  /** A call whose argument list has not closed yet (raw newline inside a string). */
  private carry: { text: string; line: number; pid: number; joined: number } | undefined;

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.defaultPid = opts.defaultPid ?? 0;
  }

  push(line: string, lineNo: number, emit: Emit): void {
    const { pid, body } = splitFreebsd(line, this.defaultPid);
    if (this.carry) {
      const c = this.carry;
      this.carry = undefined;
      const startsRecord =
        splitCall(body, splitVisArgs) !== undefined || body.startsWith('process exit') || /^SIGNAL \d/.test(body) || line.startsWith('truss: ');
      if (!startsRecord && c.joined < MAX_JOIN) {
        this.call(c.pid, c.text + '\n' + line, c.line, emit, c.joined + 1);
        return;
      }
      warnCall(emit, c.line, 'truss call with no closing parenthesis', c.text);
    }
    if (body.startsWith('process exit, rval = ')) {
      const code = numberOf(body.slice('process exit, rval = '.length).trim());
      return emit({ kind: 'exit', line: lineNo, pid, ...(Number.isNaN(code) ? {} : { code }) });
    }
    const sig = /^SIGNAL (\d+)(?: \((SIG[A-Z0-9]+)\))?/.exec(body);
    if (sig) return emit({ kind: 'signal', line: lineNo, pid, signal: sig[2] ?? freebsdSignal(Number(sig[1])) });
    if (line.startsWith('truss: ')) return emit({ kind: 'warning', line: lineNo, message: `truss reported: ${preview(line.slice(7))}` });
    this.call(pid, body, lineNo, emit, 0);
  }

  private call(pid: number, body: string, lineNo: number, emit: Emit, joined: number): void {
    const call = splitCall(body, splitVisArgs);
    if (call === undefined || !this.want(call.name)) return; // program output, `Process stopped...`: not ours
    if ('unterminated' in call) {
      this.carry = { text: body, line: lineNo, pid, joined };
      return;
    }
    const res = freebsdResult(call.rest);
    if (res === undefined) return warnCall(emit, lineNo, 'unrecognized truss result', body);
    if (isForkName(call.name) && res.ok && res.retval === 0) return; // the child's side of a fork
    const ev: SyscallEvent = { kind: 'syscall', line: lineNo, pid, name: call.name, args: call.args, enc: 'vis', ...res, truncated: truncatedArgs(call.args) };
    for (const a of call.args) {
      const sun = SUN.exec(a);
      const bytes = sun ? decodeString(sun[1], 'vis') : undefined;
      if (bytes) {
        ev.sunPath = bytes;
        break;
      }
    }
    emit(ev);
  }

  end(_lastLine: number, emit: Emit): void {
    if (this.carry) warnCall(emit, this.carry.line, 'truss call with no closing parenthesis', this.carry.text);
    this.carry = undefined;
  }
}

/** Auto-detection: `= N (0xN)`, `ERR#N '...'`, `process exit, rval =`, `%5d: ` prefixes, U+3000 indentation. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    const { body } = splitFreebsd(l, 0);
    if (/^\w+\(.*\)\s+= -?\d+ \(0x[0-9a-f]+\)$/.test(body)) score += 5;
    if (/^\w+\(.*\)\s+ERR#\d+ '/.test(body)) score += 5;
    if (body.startsWith('process exit, rval = ')) score += 5;
    if (/^ *\d+: \w+\(/.test(l)) score += 1;
  }
  return score;
}

export const trussFreebsd: Dialect = {
  name: 'truss-freebsd',
  describe: 'FreeBSD truss (-f, -H, -d/-D; vis(3) strings)',
  create: (opts?: ParserOptions) => new FreebsdParser(opts),
  sniff,
};
