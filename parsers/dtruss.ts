/**
 * macOS dtruss, the DTrace script (FORMATS.md section 5).
 *
 *   header = ["PID/THRD" WS] ["RELATIVE" WS] ["ELAPSD" WS] ["CPU" WS] "SYSCALL(args)" WS "= return"
 *   line   = [PID "/0x" TID ":" WS] [N[:] WS]{0,3} name(args) WS "= " RET " " ERRNO
 *   ERRNO  = N | "Err#" N  (0 = success; a failed call prints RET -1 and a non-zero errno)
 *   noise  = "dtrace: ..." (lost probes: one warning for the first, a count at the end), program output;
 *            the System Integrity Protection banner is a notice, not a loss
 *
 * String arguments carry an explicit trailing `\0` (decodeString 'dtruss' drops it). Errno numbers are mapped to
 * macOS names. The child's first line after a fork (`fork() = 0 0` under its own pid) is emitted as nothing.
 */
import { isForkName, numberOf, preview, splitCall, warnCall } from './call.js';
import { macosErrno } from './errno.js';
import { truncatedArgs } from './strings.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

const PREFIX = /^\s*(\d+)\/(?:0x[0-9a-fA-F]+|\d+):?\s+/;
const COLUMNS = /^(?:\d+:?\s+){1,3}(?=[A-Za-z_]\w*\()/;
/** dtrace's own lines that say nothing was lost (a current Mac prints the first before every run). */
const DTRACE_NOTICES: readonly RegExp[] = [/^dtrace: system integrity protection is on, some features will not be available\s*$/];
const HEADER = /^\s*(?:PID\/\w+\s+)?(?:(?:RELATIVE|ELAPSD|CPU)\s+)*SYSCALL\(args\)/;

/** Strip the optional pid/thread prefix and the -d/-e/-o number columns. */
export function splitDtruss(line: string, defaultPid: number): { pid: number; body: string } {
  const m = PREFIX.exec(line);
  let body = (m ? line.slice(m[0].length) : line).replace(/^\s+/, '');
  const c = COLUMNS.exec(body);
  if (c) body = body.slice(c[0].length);
  return { pid: m ? Number(m[1]) : defaultPid, body };
}

type Result = Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'>;

/** Parse `= RET ERRNO` after the closing paren. */
export function dtrussResult(rest: string): Result | undefined {
  const m = /^\s*= (-?(?:0x[0-9a-fA-F]+|\d+)) (?:Err#)?(-?\d+)\s*$/.exec(rest);
  if (!m) return undefined;
  const retval = numberOf(m[1]);
  const errno = Number(m[2]);
  if (retval === -1 && errno !== 0) return { ret: m[1], retval, ok: false, errno: macosErrno(errno) };
  return { ret: m[1], retval, ok: true };
}

class DtrussParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly defaultPid: number;
  private dtraceNoise = 0;

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.defaultPid = opts.defaultPid ?? 0;
  }

  push(line: string, lineNo: number, emit: Emit): void {
    if (line.startsWith('dtrace: ')) {
      if (DTRACE_NOTICES.some((re) => re.test(line))) return;
      if (this.dtraceNoise++ === 0) emit({ kind: 'warning', line: lineNo, message: `dtrace lost a record: ${preview(line.slice(8))}` });
      return;
    }
    if (HEADER.test(line)) return;
    const { pid, body } = splitDtruss(line, this.defaultPid);
    const call = splitCall(body);
    if (call === undefined || !this.want(call.name)) return; // program output interleaved with the listing
    if ('unterminated' in call) return warnCall(emit, lineNo, 'dtruss call with no closing parenthesis', body);
    const res = dtrussResult(call.rest);
    if (res === undefined) return warnCall(emit, lineNo, 'unrecognized dtruss result', body);
    if (isForkName(call.name) && res.ok && res.retval === 0) return; // the child's side of a fork
    emit({ kind: 'syscall', line: lineNo, pid, name: call.name, args: call.args, enc: 'dtruss', ...res, truncated: truncatedArgs(call.args) });
  }

  end(lastLine: number, emit: Emit): void {
    if (this.dtraceNoise > 1) {
      emit({ kind: 'warning', line: lastLine, message: `dtrace reported ${this.dtraceNoise} errors: some system calls are missing from the trace` });
    }
  }
}

/** Auto-detection: the `SYSCALL(args)` header, `= RET ERRNO` results, strings ending in `\0"`. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    if (HEADER.test(l)) score += 20;
    if (/\)\s+= -?(0x[0-9A-Fa-f]+|\d+) (Err#)?-?\d+$/.test(l)) score += /\\0"/.test(l) ? 6 : 4; // strings end in \0 on dtruss lines only
    if (l.startsWith('dtrace: ')) score += 2;
  }
  return score;
}

export const dtruss: Dialect = {
  name: 'dtruss',
  describe: 'macOS dtruss (-f/-p pid/thread prefix, -d/-e/-o columns)',
  create: (opts?: ParserOptions) => new DtrussParser(opts),
  sniff,
};
