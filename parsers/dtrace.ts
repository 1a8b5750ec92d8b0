/**
 * jailtrace's own DTrace script output (src/capture/dtrace-script.ts writes the script; FreeBSD and macOS).
 *
 *   file    = { line "\n" }                      sorted by TS (`sort -n -s -k1,1`), or in dtrace's order: both parse
 *   line    = header | record | noise
 *   header  = "0 jailtrace-dtrace 1 " PLATFORM   (the BEGIN clause; PLATFORM = freebsd | macos: the dialect)
 *   record  = TS " " PID "/" TID ": " body      (TS = the D `timestamp`, nanoseconds; PID, TID decimal)
 *   body    = NAME "(" ARGS ")" " = " RET " " ERRNO    a call, printed by its return probe
 *           | NAME "(" ARGS ")" " ..."                 a call's entry (exec, ptrace, exit): its return may never come
 *           | NAME " resumed = " RET " " ERRNO         the return of that thread's last entry record
 *   ARGS    = arg { ", " arg }   arg = "\"" %S "\"" | "AT_FDCWD" | decimal | "0x" HEX
 *   ERRNO   = decimal (the D `errno`; 0 = success)
 *   noise   = "" (dtrace ends its output with a newline), anything else: a warning
 *
 * Strings are printed with D's `%S` (libdtrace dt_printf.c: pfprint_estr → strchr2esc): `\"`, `\\`, `\n`, `\t`... and
 * `\ooo` octal for other bytes outside `!`..`~`, then `\0` for the terminating NUL, as dtruss prints them; decoded
 * with the 'dtruss' encoding. `exit(N) ...` is the process's exit; `connect(FD, "PATH")` carries a unix socket path.
 * An entry never resumed is a warning at the end (the process was lost, or dtrace stopped first).
 */
import { numberOf, preview, splitCall, warnCall } from './call.js';
import { freebsdErrno, macosErrno } from './errno.js';
import { decodeString } from './strings.js';
import type { Dialect, DialectName, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

export const DTRACE_HEADER = 'jailtrace-dtrace 1';
const RECORD = /^\d+ (\d+)\/(\d+): (.*)$/;
const RESUMED = /^([A-Za-z_]\w*) resumed = (-?\d+) (-?\d+)$/;
const RESULT = /^ = (-?(?:0x[0-9a-fA-F]+|\d+)) (-?\d+)$/;

type Errno = (n: number) => string;

class DtraceParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly entries = new Map<number, { line: number; name: string; args: string[] }>();

  constructor(
    private readonly errnoName: Errno,
    opts: ParserOptions = {},
  ) {
    this.want = opts.want ?? (() => true);
  }

  push(line: string, lineNo: number, emit: Emit): void {
    if (line === '' || line.includes(DTRACE_HEADER)) return;
    const m = RECORD.exec(line);
    if (!m) return warnCall(emit, lineNo, 'not a jailtrace-dtrace record', line);
    const pid = Number(m[1]);
    const body = m[3];
    const r = RESUMED.exec(body);
    if (r) return this.resume(pid, r[1], r[2], Number(r[3]), lineNo, emit);
    const call = splitCall(body);
    if (call === undefined) return warnCall(emit, lineNo, 'not a jailtrace-dtrace record', body);
    if ('unterminated' in call) return warnCall(emit, lineNo, 'jailtrace-dtrace call with no closing parenthesis', body);
    if (call.rest === ' ...') {
      if (call.name === 'exit') {
        const code = numberOf(call.args[0] ?? '');
        return emit({ kind: 'exit', line: lineNo, pid, ...(Number.isNaN(code) ? {} : { code: code & 0xff }) });
      }
      this.entries.set(pid, { line: lineNo, name: call.name, args: call.args });
      if (this.want(call.name)) emit({ kind: 'pending', line: lineNo, pid, name: call.name, args: call.args });
      return;
    }
    const res = RESULT.exec(call.rest);
    if (!res) return warnCall(emit, lineNo, 'unrecognized jailtrace-dtrace result', body);
    if (!this.want(call.name)) return;
    emit(this.event(lineNo, pid, call.name, call.args, res[1], Number(res[2])));
  }

  private resume(pid: number, name: string, ret: string, errno: number, lineNo: number, emit: Emit): void {
    const e = this.entries.get(pid);
    if (!e || e.name !== name) return emit({ kind: 'warning', line: lineNo, message: `${name} resumed with no entry record for pid ${pid}` });
    this.entries.delete(pid);
    if (this.want(name)) emit(this.event(lineNo, pid, name, e.args, ret, errno));
  }

  private event(line: number, pid: number, name: string, args: string[], ret: string, errno: number): SyscallEvent {
    const retval = numberOf(ret);
    const ok = !(retval === -1 && errno !== 0);
    const ev: SyscallEvent = { kind: 'syscall', line, pid, name, args, ret, retval, ok, enc: 'dtruss', ...(ok ? {} : { errno: this.errnoName(errno) }) };
    if (name === 'connect' && args[1]?.startsWith('"')) {
      const sun = decodeString(args[1], 'dtruss');
      if (sun) ev.sunPath = sun;
    }
    return ev;
  }

  end(lastLine: number, emit: Emit): void {
    for (const [pid, e] of this.entries) {
      emit({
        kind: 'warning',
        line: e.line,
        message: `pid ${pid}: ${e.name}(${preview(e.args.join(', '))}) never returned in this trace (the process was lost, or dtrace stopped first)`,
      });
    }
    this.entries.clear();
    void lastLine;
  }
}

/** Far above what any dialect scores from record lines alone. */
const HEADER_SCORE = 1_000_000;

function dialect(name: DialectName, platform: 'freebsd' | 'macos', errnoName: Errno): Dialect {
  const header = `${DTRACE_HEADER} ${platform}`;
  return {
    name,
    describe: `jailtrace's DTrace script on ${platform === 'freebsd' ? 'FreeBSD' : 'macOS'} (capture --platform ${platform} --print-command)`,
    create: (opts?: ParserOptions) => new DtraceParser(errnoName, opts),
    // The header line is the whole of detection: the records alone are close to dtruss's, so the header outweighs
    // any count of record lines another dialect can score (detect.ts reads 200 lines and asks when two are CLOSE).
    sniff: (lines: string[]) => (lines.some((l) => l.endsWith(header) && /^\d+ /.test(l)) ? HEADER_SCORE : 0),
  };
}

export const dtraceFreebsd = dialect('dtrace-freebsd', 'freebsd', freebsdErrno);
export const dtraceMacos = dialect('dtrace-macos', 'macos', macosErrno);
