/**
 * BSD ktrace + kdump (FORMATS.md section 6).
 *
 *   record = PID [TID] COMM [TIMESTAMP] OP DATA
 *   OP     = CALL name(args) | NAMI "path" | RET name VALUE[/0xHEX] | RET name -1 errno N Text
 *          | GIO fd N wrote|read M bytes (+ indented data lines) | PSIG SIG... | PLDG (OpenBSD pledge violation: the
 *          call never returns) | CSW, STRU, SCTL, USER...: ignored
 *
 * A call is completed by the next RET of the same thread. Each NAMI between them is a path the call looked up:
 * they go to the event's `nami`, in order (the pipeline gives each its argument slot from the syscall table: the
 * parser knows no syscalls). FreeBSD prints a call without arguments bare (`CALL  issetugid`); DragonFly prints the
 * thread as `pid:lwp` (`877:1    ktrace   RET ...`). Excerpts may start at a
 * NAMI or RET without the CALL: the call is still emitted, named by its RET, with no arguments.
 * `exit(N)` never returns: it becomes an ExitEvent. The child's `RET fork 0` is emitted as nothing.
 */
import { isForkName, numberOf, splitCall } from './call.js';
import { freebsdErrno } from './errno.js';
import { decodeString } from './strings.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

const OPS = 'CALL|NAMI|RET|GIO|PSIG|CSW|STRU|SCTL|USER|EMUL|CAP|SIGNAL|FLT|PFLT|PRET|ARGS|ENV|PLDG';
// PID, then the thread id as a column (-H) or DragonFly's `pid:lwp`, COMM, an optional timestamp, the record type
const RECORD = new RegExp(`^\\s*(\\d+)(?::(\\d+)|\\s+(\\d+))?\\s+(.*?)\\s+(?:\\d+\\.\\d+\\s+)?(${OPS})(?:\\s+(.*))?$`);
/** A call printed without an argument list (FreeBSD: `CALL  issetugid`). */
const BARE_CALL = /^[A-Za-z_]\w*$/;

interface Pending {
  pid: number;
  name?: string;
  args: string[];
  line: number;
  nami: Buffer[];
}

/** Calls waiting for their RET at once (one per thread in a real trace). */
const MAX_PENDING = 65536;
/** NAMI records kept per call: a call has at most two path arguments. */
const MAX_NAMI = 2;

/** Split a record line; undefined for data lines (GIO dumps) and anything else. */
export function splitRecord(line: string): { pid: number; key: string; op: string; data: string } | undefined {
  const m = RECORD.exec(line);
  if (!m) return undefined;
  const tid = m[2] ?? m[3];
  return { pid: Number(m[1]), key: tid === undefined ? m[1] : `${m[1]}:${tid}`, op: m[5], data: m[6] ?? '' };
}

/** Parse RET data after the name: `7`, `34366169088/0x800606000`, `-1 errno 2 No such file...`, `JUSTRETURN`. */
export function kdumpResult(rest: string): Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'> {
  const s = rest.trim();
  const err = /^-1 errno (\d+)/.exec(s);
  if (err) return { ret: s, retval: -1, ok: false, errno: freebsdErrno(Number(err[1])) };
  if (s === 'RESTART' || s === 'ERESTART') return { ret: s, retval: NaN, ok: false, errno: 'ERESTART' };
  const first = s.split('/')[0];
  return { ret: s, retval: numberOf(first), ok: true };
}

class KdumpParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly pending = new Map<string, Pending>();

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
  }

  push(line: string, lineNo: number, emit: Emit): void {
    const r = splitRecord(line);
    if (!r) return; // GIO data lines, headers, blank lines
    switch (r.op) {
      case 'CALL':
        return this.call(r.pid, r.key, r.data, lineNo, emit);
      case 'NAMI': {
        const path = decodeString(r.data.trim(), 'vis');
        if (!path) return;
        let p = this.pending.get(r.key);
        if (!p) this.hold(r.key, (p = { pid: r.pid, args: [], line: lineNo, nami: [] }), emit);
        if (p.nami.length < MAX_NAMI) p.nami.push(path); // only the first ones fill path arguments
        return;
      }
      case 'RET':
        return this.ret(r.pid, r.key, r.data, lineNo, emit);
      case 'PLDG':
        // OpenBSD: the call broke the process's pledge(2); it never returns (the kernel kills the process)
        this.pending.delete(r.key);
        return;
      case 'PSIG': {
        const sig = /^(SIG[A-Z0-9]+)/.exec(r.data);
        if (sig) emit({ kind: 'signal', line: lineNo, pid: r.pid, signal: sig[1] });
        return;
      }
      default:
        return;
    }
  }

  private call(pid: number, key: string, data: string, lineNo: number, emit: Emit): void {
    const old = this.pending.get(key);
    // A call that never got its RET (a successful execve on some kdumps): it did not fail.
    if (old?.name) this.finish(old, { ret: '', retval: NaN, ok: true }, old.line, emit);
    this.pending.delete(key);
    const text = data.trim();
    const c = BARE_CALL.test(text) ? { name: text, args: [] } : splitCall(text);
    if (!c) {
      emit({ kind: 'warning', line: lineNo, message: `unparseable kdump CALL: ${data.slice(0, 60)}` });
      return;
    }
    const args = 'unterminated' in c ? [] : c.args;
    if (c.name === 'exit' || c.name === '_exit' || c.name === 'sys_exit') {
      const code = numberOf(args[0] ?? '');
      emit({ kind: 'exit', line: lineNo, pid, ...(Number.isNaN(code) ? {} : { code }) });
      return;
    }
    this.hold(key, { pid, name: c.name, args, line: lineNo, nami: [] }, emit);
  }

  /** Keep a call waiting for its RET; past MAX_PENDING the oldest is dropped, with a warning (a crafted trace stays bounded). */
  private hold(key: string, p: Pending, emit: Emit): void {
    this.pending.set(key, p);
    if (this.pending.size <= MAX_PENDING) return;
    const [oldKey, old] = this.pending.entries().next().value as [string, Pending];
    this.pending.delete(oldKey);
    emit({ kind: 'warning', line: old.line, message: `${old.name ?? 'a call'} for pid ${old.pid}: dropped, too many calls without RET held at once` });
  }

  private ret(pid: number, key: string, data: string, lineNo: number, emit: Emit): void {
    const sp = data.search(/\s/);
    const name = sp < 0 ? data : data.slice(0, sp);
    const p = this.pending.get(key) ?? { pid, args: [], line: lineNo, nami: [] };
    this.pending.delete(key);
    if (p.name !== undefined && p.name !== name) {
      emit({ kind: 'warning', line: lineNo, message: `RET ${name} does not match CALL ${p.name} (line ${p.line})` });
    }
    const res = kdumpResult(sp < 0 ? '' : data.slice(sp));
    if (isForkName(name) && res.ok && res.retval === 0) return; // the child's side of a fork
    this.finish({ ...p, name }, res, lineNo, emit);
  }

  private finish(p: Pending, res: Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno'>, lineNo: number, emit: Emit): void {
    const name = p.name ?? '?';
    if (!this.want(name)) return;
    const ev: SyscallEvent = { kind: 'syscall', line: lineNo, pid: p.pid, name, args: p.args, enc: 'vis', ...res };
    if (p.nami.length > 0) ev.nami = p.nami;
    emit(ev);
  }

  end(lastLine: number, emit: Emit): void {
    for (const p of this.pending.values()) {
      if (p.name) emit({ kind: 'warning', line: p.line, message: `${p.name} for pid ${p.pid} never returned (trace ended at line ${lastLine})` });
    }
    this.pending.clear();
  }
}

/** Auto-detection: `PID COMM CALL|NAMI|RET|GIO` record lines. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    const r = splitRecord(l);
    if (r && (r.op === 'CALL' || r.op === 'NAMI' || r.op === 'RET' || r.op === 'GIO')) score += 5;
  }
  return score;
}

export const kdump: Dialect = {
  name: 'kdump',
  describe: 'BSD ktrace output printed by kdump (-H thread ids, -T/-R/-E timestamps)',
  create: (opts?: ParserOptions) => new KdumpParser(opts),
  sniff,
};
