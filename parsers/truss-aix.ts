/**
 * AIX truss (FORMATS.md section 3).
 *
 *   line   = [PID ": " [TID ": "]] BODY
 *   body   = name(args) SPACES ( "= V" | "=" | "Err#N  ENAME" | "argc: N" | nothing )
 *          | "Received signal #N, SIG..." | "Incurred fault #N, FLT..." | continuation
 *
 * The pid is the process (threads share it); the tid is dropped. `_exit(N)` becomes an ExitEvent. A fork child's own
 * `(returning as child ...)` line, should one appear, is emitted as nothing (see truss-solaris.ts).
 */
import { numberOf, signalOf, splitCall, warnCall } from './call.js';
import { truncatedArgs } from './strings.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

const PREFIX = /^(\d+):\s+(?:\d+:\s+)?/;

/** Strip the `PID: [TID: ]` prefix and indentation. */
export function splitAix(line: string, defaultPid: number): { pid: number; body: string } {
  const m = PREFIX.exec(line);
  const body = (m ? line.slice(m[0].length) : line).replace(/^[ \t]+/, '');
  return { pid: m ? Number(m[1]) : defaultPid, body };
}

type Result = Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'>;

/** Parse what follows the closing paren. Undefined when it is not an AIX truss result. */
export function aixResult(rest: string): Result | 'child' | undefined {
  const s = rest.trim();
  if (s === '' || s === '=') return { ret: '', retval: NaN, ok: true };
  if (s.startsWith('(returning as child') || s.startsWith('(sleeping...)')) return 'child';
  const err = /^Err#(\d+)\s+([A-Z][A-Z0-9_]*)$/.exec(s);
  if (err) return { ret: s, retval: -1, ok: false, errno: err[2] };
  if (/^argc: \d+$/.test(s)) return { ret: '', retval: NaN, ok: true };
  const val = /^=\s+(\S+)$/.exec(s);
  if (val) return { ret: val[1], retval: numberOf(val[1]), ok: true };
  return undefined;
}

class AixParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly defaultPid: number;

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.defaultPid = opts.defaultPid ?? 0;
  }

  push(line: string, lineNo: number, emit: Emit): void {
    const { pid, body } = splitAix(line, this.defaultPid);
    const signal = signalOf(body);
    if (signal) return emit({ kind: 'signal', line: lineNo, pid, signal });
    const call = splitCall(body);
    if (call === undefined || !this.want(call.name)) return;
    if ('unterminated' in call) return warnCall(emit, lineNo, 'truss call with no closing parenthesis', body);
    const res = aixResult(call.rest);
    if (res === 'child') return;
    if (res === undefined) return warnCall(emit, lineNo, 'unrecognized truss result', body);
    if ((call.name === '_exit' || call.name === 'exit') && res.ret === '') {
      const code = numberOf(call.args[0] ?? '');
      return emit({ kind: 'exit', line: lineNo, pid, ...(Number.isNaN(code) ? {} : { code }) });
    }
    emit({ kind: 'syscall', line: lineNo, pid, name: call.name, args: call.args, enc: 'c', ...res, truncated: truncatedArgs(call.args) });
  }

  end(): void {}
}

/** Auto-detection: `argc: N`, `Err#N  ENAME` (two spaces), a bare trailing `=`, `PID: TID: `, AIX kernel entry names. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    if (/\)\s+argc = \d+$|\(sleeping\.\.\.\)$/.test(l)) return 0; // Solaris markers
    if (/\)\s+argc: \d+$/.test(l)) score += 10;
    if (/\) *Err#\d+ {1,2}E[A-Z]+$/.test(l) && !/\t/.test(l)) score += 4;
    if (/\) =$/.test(l)) score += 5;
    if (/^\d+: \d+: [a-z_]\w*\(/.test(l)) score += 4;
    if (
      /^(\d+: )?(\d+: )?(kopen|kread|kwrite|kfcntl|kioctl|statx|fstatx|accessx|kload|__loadx|_getpid|__libc_sbrk|thread_init|kfork|getdirent|vmgetinfo)\(/.test(
        l,
      )
    )
      score += 4;
    if (/\t|argc = |ERR#/.test(l)) score -= 2;
  }
  return Math.max(0, score);
}

export const trussAix: Dialect = {
  name: 'truss-aix',
  describe: 'AIX truss (-f, -l thread ids, kopen/statx/kload names)',
  create: (opts?: ParserOptions) => new AixParser(opts),
  sniff,
};
