/**
 * Linux strace output (FORMATS.md section 1).
 *
 *   line   = [PID-PREFIX] [TIMESTAMP] ["(+" DELTA ")"] BODY [" <" DURATION ">"]
 *   prefix = "PID " (-f -o) | "[pid PID] " (-f to stderr) | none
 *   body   = name(args) = RESULT | name(args <unfinished ...> | <... name resumed>rest = RESULT
 *          | --- SIGNAL {...} --- | +++ exited with N +++ | +++ killed by SIG +++ | strace: notice
 *          | Process N attached - interrupt to quit | Process N detached (strace 4.x notices)
 *   table  = a -c/-C summary (parsers/strace-summary.ts) after the trace: skipped
 *
 * Unfinished calls are joined with their resumption by pid, not by adjacency. Lines that strace's own notices or the
 * program's stderr broke in two are rejoined where the pieces show it; anything else becomes a warning.
 */
import { preview } from './call.js';
import { isSummaryHeader, isSummaryLine } from './strace-summary.js';
import { parseFdArg, parseNumber, splitArgs, truncatedArgs } from './strings.js';
import type { Dialect, Emit, LineParser, ParserOptions, SyscallEvent } from './types.js';

const UNFINISHED = ' <unfinished ...>';
const PID_CHANGED = / ?<pid changed to (\d+) \.\.\.>$/;
const UNFINISHED_BYTES = Buffer.from(UNFINISHED, 'latin1');
const DURATION = /\s<\d+\.\d+>$/;
/** A line that is only the end of a call: `"", 128) = 0`, `) = 32`. */
const TAIL = /\)\s*= (?:-?\d|\?|0x)/;
const ATTACHED = /strace: Process \d+ (?:attached|detached|suspended)/;
/** strace 4.x printed its notices without the `strace: ` prefix. */
const DETACHED = /^(?:strace: )?Process (\d+) detached/;
const OLD_NOTICE = /^Process \d+ (?:attached|detached|suspended|resumed)\b/;

/** A line split into its pid and body (prefix and timestamp removed). */
interface Split {
  pid: number;
  body: string;
}

/** Strip `PID `, `[pid PID] ` and any -t/-tt/-ttt/-r timestamp. Returns undefined for an empty body. */
export function splitPrefix(line: string, defaultPid: number): Split {
  let i = 0;
  let pid = defaultPid;
  const n = line.length;
  if (line.startsWith('[pid ')) {
    const close = line.indexOf(']', 5);
    if (close > 5) {
      const p = Number(line.slice(5, close).trim());
      if (Number.isInteger(p)) {
        pid = p;
        i = close + 1;
        while (i < n && line.charCodeAt(i) === 32) i++;
      }
    }
  } else {
    let j = 0;
    while (j < n && isDigit(line.charCodeAt(j))) j++;
    if (j > 0 && j < n && line.charCodeAt(j) === 32) {
      pid = Number(line.slice(0, j));
      i = j + 1;
      while (i < n && line.charCodeAt(i) === 32) i++; // `-f -o` pads the pid column to 5
    }
  }
  // timestamp: HH:MM:SS[.frac] | EPOCH.frac | right-aligned relative seconds
  let k = i;
  while (k < n && line.charCodeAt(k) === 32) k++;
  let m = k;
  while (m < n && (isDigit(line.charCodeAt(m)) || line.charCodeAt(m) === 58 /* : */ || line.charCodeAt(m) === 46)) m++;
  if (m > k && m < n && line.charCodeAt(m) === 32) {
    const ts = line.slice(k, m);
    if (ts.includes('.') || ts.includes(':')) {
      i = m;
      while (i < n && line.charCodeAt(i) === 32) i++;
    }
  }
  // -r with -t/-tt/-ttt: `20:37:49.050065 (+     0.000012) semop(...)`
  if (line.charCodeAt(i) === 40 /* ( */ && line.charCodeAt(i + 1) === 43 /* + */) {
    const close = line.indexOf(')', i);
    if (close > 0 && /^\(\+\s*\d+(?:\.\d+)?\)$/.test(line.slice(i, close + 1))) {
      i = close + 1;
      while (i < n && line.charCodeAt(i) === 32) i++;
    }
  }
  return { pid, body: i === 0 ? line : line.slice(i) };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || isDigit(c) || c === 95 || (c >= 65 && c <= 90);
}

/** Read `name(` at the start of a body; returns the name or undefined. */
export function callName(body: string): string | undefined {
  let j = 0;
  const n = body.length;
  while (j < n && isNameChar(body.charCodeAt(j))) j++;
  if (j === 0 || body.charCodeAt(j) !== 40 /* ( */) return undefined;
  return body.slice(0, j);
}

/** Parse `= RESULT` text (after the closing paren). */
export function parseResult(rest: string): Pick<SyscallEvent, 'ret' | 'retval' | 'ok' | 'errno' | 'retPath'> | undefined {
  let s = rest.charCodeAt(rest.length - 1) === 62 /* > */ ? rest.replace(DURATION, '') : rest;
  const eq = s.indexOf('=');
  if (eq < 0) return undefined;
  s = s.slice(eq + 1).trim();
  if (s === '?' || s === '') return { ret: s, retval: NaN, ok: false };
  const sp = s.indexOf(' ');
  const first = sp < 0 ? s : s.slice(0, sp);
  if (first === '?' || first === '-1') {
    const errno = sp < 0 ? undefined : /^[A-Z][A-Z0-9_]*/.exec(s.slice(sp + 1))?.[0];
    if (errno || first === '?') return { ret: first, retval: first === '?' ? NaN : -1, ok: false, errno };
  }
  // -y decorated fd: `3</etc/we ird>` (the path may contain spaces)
  if (isDigit(first.charCodeAt(0)) && s.indexOf('<') > 0 && s.endsWith('>')) {
    const { fd, path } = parseFdArg(s);
    return { ret: s, retval: fd, ok: true, retPath: path };
  }
  return { ret: first, retval: parseNumber(first), ok: true };
}

class StraceParser implements LineParser {
  private readonly want: (name: string) => boolean;
  private readonly defaultPid: number;
  /** Unfinished call per pid: name, the argument text so far, and its line. */
  private readonly pending = new Map<number, Pending>();
  /** Characters of argument text held in `pending` (each pins its line): bounded with the count, oldest dropped. */
  private pendingChars = 0;
  /** The pid whose call went unfinished on this line (-z prints the rest on the next line without `<... resumed>`). */
  private lastPending: number | undefined;
  /** lastPending of the previous line. */
  private prevUnfinished: number | undefined;
  /** A line cut short by an interleaved notice or program output, waiting for its rest. */
  private carry: { text: string; line: number } | undefined;
  /** Inside a -c/-C summary table (after its heading): its lines are skipped. */
  private inSummary = false;

  private readonly wantAll: boolean;

  constructor(opts: ParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.wantAll = opts.want === undefined;
    this.defaultPid = opts.defaultPid ?? 0;
  }

  push(raw: string, lineNo: number, emit: Emit): void {
    // a bare tail can only belong to a call left unfinished on the line just before
    this.prevUnfinished = this.lastPending;
    this.lastPending = undefined;
    let line = raw;
    if (this.inSummary && isSummaryLine(raw)) return;
    this.inSummary = false;
    if (isSummaryHeader(raw)) {
      this.inSummary = true;
      return;
    }
    if (this.carry) {
      const carried = this.carry;
      this.carry = undefined;
      if (this.startsRecord(raw)) {
        // The carried line never got its rest: recover what we can, then handle this line normally.
        if (!this.handle(carried.text, carried.line, emit, true)) {
          emit({ kind: 'warning', line: carried.line, message: 'incomplete strace line (no result): skipped' });
        }
      } else {
        line = carried.text + raw;
        if (!this.handle(line, lineNo, emit, true)) {
          emit({
            kind: 'warning',
            line: carried.line,
            message: `strace line broken by program output (lines ${carried.line}-${lineNo}): could not be rejoined`,
          });
        }
        return;
      }
    }
    // strace's own notice spliced into the middle of a line (-f, output on stderr).
    const notice = line.indexOf('strace: ');
    if (notice > 0) {
      const m = ATTACHED.exec(line.slice(notice));
      if (m) {
        const before = line.slice(0, notice);
        const after = line.slice(notice + m[0].length);
        if (after.trim() === '') {
          this.carry = { text: before, line: lineNo };
          return;
        }
        line = before + after;
      }
    }
    this.handle(line, lineNo, emit, false);
  }

  /** Does this line begin a record of its own (so a carried fragment cannot continue onto it)? */
  private startsRecord(line: string): boolean {
    const { body } = splitPrefix(line, this.defaultPid);
    return (
      body.startsWith('<... ') ||
      body.startsWith('--- ') ||
      body.startsWith('+++ ') ||
      body.startsWith('strace: ') ||
      OLD_NOTICE.test(body) ||
      callName(body) !== undefined
    );
  }

  /** Returns true when the line was understood (or deliberately ignored). */
  private handle(line: string, lineNo: number, emit: Emit, final: boolean): boolean {
    const { pid, body } = splitPrefix(line, this.defaultPid);
    const c0 = body.charCodeAt(0);
    if (c0 === 60 /* < */ && body.startsWith('<... ')) return this.resumed(pid, body, lineNo, emit);
    if (c0 === 45 /* - */ && body.startsWith('--- ')) {
      const sig = /^--- (SIG[A-Z0-9]+|[A-Z]+)/.exec(body);
      // the kernel's SIGCHLD names the child (si_pid); a kill(2) of SIGCHLD has si_code=SI_USER and proves nothing
      const child = sig?.[1] === 'SIGCHLD' && body.includes('si_code=CLD_') ? /\bsi_pid=(\d+)/.exec(body) : null;
      if (sig)
        emit(child ? { kind: 'signal', line: lineNo, pid, signal: sig[1], child: Number(child[1]) } : { kind: 'signal', line: lineNo, pid, signal: sig[1] });
      return true;
    }
    if (c0 === 43 /* + */ && body.startsWith('+++ superseded by execve in pid ')) {
      // older strace: thread T's execve completes in the leader's pid; T is gone
      const t = Number(/in pid (\d+)/.exec(body)?.[1]);
      const p = this.pending.get(t);
      if (p) {
        this.unhold(t);
        this.hold(pid, p, emit);
      }
      if (Number.isInteger(t)) emit({ kind: 'exit', line: lineNo, pid: t });
      return true;
    }
    if (c0 === 43 /* + */ && body.startsWith('+++ ')) {
      const ex = /^\+\+\+ exited with (-?\d+) \+\+\+/.exec(body);
      if (ex) emit({ kind: 'exit', line: lineNo, pid, code: Number(ex[1]) });
      else {
        const k = /^\+\+\+ killed by (SIG[A-Z0-9]+)/.exec(body);
        if (k) emit({ kind: 'exit', line: lineNo, pid, signal: k[1] });
      }
      return true;
    }
    if (c0 === 115 /* s */ ? body.startsWith('strace: ') : c0 === 80 /* P */ && OLD_NOTICE.test(body)) {
      // detaching (^C on strace -p) leaves the call in progress unfinished: expected, not a fault of the trace
      const detached = DETACHED.exec(body);
      if (detached) for (const p of [Number(detached[1]), pid]) this.unhold(p);
      return true;
    }
    const name = callName(body);
    if (name === undefined) {
      if (TAIL.test(body)) {
        // The rest of an unfinished call printed without `<... resumed>` (strace -z), or the tail of a call
        // broken by program output: join it with the call that went unfinished last, if any.
        const prev = this.prevUnfinished;
        const p = prev === undefined ? undefined : this.pending.get(prev);
        if (p) return this.resumed(prev!, `<... ${p.name} resumed>${body}`, lineNo, emit);
        return true;
      }
      if (body.trim() === '') return true;
      if (!final) emit({ kind: 'warning', line: lineNo, message: `not a strace line: ${preview(body)}` });
      return !final;
    }
    if (!this.want(name)) {
      if (body.endsWith(UNFINISHED)) {
        this.unhold(pid);
        this.lastPending = undefined;
      }
      return true;
    }
    const argsText = body.slice(name.length + 1);
    // the regex only where the line ends as it must (`...>`): run on every call, it scanned every line to its end
    const changed = body.endsWith('...>') ? PID_CHANGED.exec(body) : null;
    if (changed) {
      // newer strace: `execve(... <pid changed to N ...>`: the call finishes as pid N (the leader); this tid is gone
      const leader = Number(changed[1]);
      const text = argsText.slice(0, changed.index - name.length - 1);
      this.hold(leader, { name, text, line: lineNo }, emit);
      if (leader !== pid) emit({ kind: 'exit', line: lineNo, pid });
      return true;
    }
    if (body.endsWith(UNFINISHED)) {
      const old = this.pending.get(pid);
      if (old) emit({ kind: 'warning', line: old.line, message: `${old.name} for pid ${pid} never resumed` });
      const text = argsText.slice(0, -UNFINISHED.length);
      this.unhold(pid);
      this.hold(pid, { name, text, line: lineNo }, emit);
      this.lastPending = pid;
      emit({ kind: 'pending', line: lineNo, pid, name, args: splitArgs(text, 0).args });
      return true;
    }
    if (!this.complete(pid, name, argsText, lineNo, emit)) {
      if (final) return false;
      // No closing paren or no result: wait for the rest on the next line.
      this.carry = { text: line, line: lineNo };
    }
    return true;
  }

  private resumed(pid: number, body: string, lineNo: number, emit: Emit): boolean {
    const close = body.indexOf(' resumed>');
    if (close < 0) {
      emit({ kind: 'warning', line: lineNo, message: `malformed resumed line: ${preview(body)}` });
      return true;
    }
    const name = body.slice(5, close);
    const rest = body.slice(close + ' resumed>'.length);
    let p = this.pending.get(pid);
    let startedAs: number | undefined;
    if (!p || p.name !== name) {
      // strace -f to stderr: a call started without a pid column can resume as [pid N], and one started as [pid N]
      // can resume without one (the other tracees are gone). Join them when the start is unambiguous.
      const other = this.unprefixedPartner(pid, name);
      if (other !== undefined) {
        p = this.pending.get(other)!;
        if (pid === this.defaultPid) pid = other;
        else startedAs = other;
        this.unhold(other);
        this.hold(pid, p, emit);
      }
    }
    if (!this.want(name)) {
      if (p && p.name === name) this.unhold(pid);
      return true;
    }
    if (!p || p.name !== name) {
      emit({ kind: 'warning', line: lineNo, message: `${name} resumed for pid ${pid} without its start` });
      return true;
    }
    this.unhold(pid);
    // Join: `openat(AT_FDCWD, "x", O_RDONLY ` + `) = 3`; `read(3, ` + `"data", 832) = 832`.
    const text = p.text.trimEnd() + (p.text.trimEnd().endsWith(',') || p.text.trimEnd().endsWith('(') ? ' ' : '') + rest;
    if (!this.complete(pid, name, text, lineNo, emit, startedAs)) {
      emit({ kind: 'warning', line: lineNo, message: `could not join ${name} with its resumption` });
    }
    return true;
  }

  /**
   * The pid whose unfinished `name` a resumption at `pid` continues, across the pid column appearing or vanishing:
   * [pid N] resuming an unprefixed start, or an unprefixed line resuming the only `name` held. Else undefined.
   */
  private unprefixedPartner(pid: number, name: string): number | undefined {
    if (pid !== this.defaultPid) return this.pending.get(this.defaultPid)?.name === name ? this.defaultPid : undefined;
    let found: number | undefined;
    for (const [k, q] of this.pending) {
      if (q.name !== name) continue;
      if (found !== undefined) return undefined;
      found = k;
    }
    return found;
  }

  private complete(pid: number, name: string, argsText: string, lineNo: number, emit: Emit, startedAs?: number): boolean {
    const { args, end } = splitArgs(argsText, 0);
    if (end < 0) return false;
    const res = parseResult(argsText.slice(end + 1));
    if (!res) return false;
    // one object shape for every event (no spread): cheaper on the hot path
    emit({
      kind: 'syscall',
      line: lineNo,
      pid,
      name,
      args,
      enc: 'c',
      ret: res.ret,
      retval: res.retval,
      ok: res.ok,
      errno: res.errno,
      retPath: res.retPath,
      truncated: truncatedArgs(args),
      startedAs,
    });
    return true;
  }

  /**
   * Byte prefilter: find the call name after the pid/timestamp columns and skip the line when the name is not
   * wanted, without building a string of the whole line. Lines that are not `name(` (resumptions, signals, exits,
   * notices, fragments), unfinished calls, and any line while a broken line is carried, go to `push`.
   */
  accept(buf: Buffer, start: number, end: number): boolean {
    if (this.carry || this.wantAll) return true;
    this.lastPending = undefined; // a line skipped here still comes between an unfinished call and a bare tail
    let i = start;
    if (buf[i] === 91 /* [ */) return true; // [pid N]: rare (stderr captures); let push handle it
    while (i < end && buf[i] >= 48 && buf[i] <= 57) i++;
    while (i < end && buf[i] === 32) i++;
    // optional timestamp: digits, '.', ':'
    const t = i;
    while (i < end && ((buf[i] >= 48 && buf[i] <= 57) || buf[i] === 46 || buf[i] === 58)) i++;
    if (i > t) {
      if (buf[i] !== 32) return true;
      while (i < end && buf[i] === 32) i++;
    }
    const n0 = i;
    let h = 0;
    for (let c = buf[i]; i < end && ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95); c = buf[++i]) h = (Math.imul(h, 31) + c) | 0;
    if (i === n0 || buf[i] !== 40 /* ( */) return true;
    if (this.wantBytes(buf, n0, i, h)) return true;
    // unwanted, but an unfinished call must still reach the parser (it resets the -z tail joining)
    const u = end - UNFINISHED_BYTES.length;
    if (u <= start || buf[end - 1] !== 62 /* > */ || buf[end - 2] !== 46 /* . */) return false;
    for (let k = 0; k < UNFINISHED_BYTES.length; k++) if (buf[u + k] !== UNFINISHED_BYTES[k]) return false;
    return true;
  }

  /** want() for a name given as bytes, memoized by `h`, a hash of the bytes made while scanning them (no string per line). */
  private readonly nameCache = new Map<number, { name: string; want: boolean }>();
  private wantBytes(buf: Buffer, start: number, end: number, h: number): boolean {
    const hit = this.nameCache.get(h);
    if (hit && hit.name.length === end - start) {
      let same = true;
      for (let k = start; k < end; k++) if (hit.name.charCodeAt(k - start) !== buf[k]) (same = false), (k = end);
      if (same) return hit.want;
    }
    const name = buf.toString('latin1', start, end);
    const want = this.want(name);
    if (!hit && this.nameCache.size < NAME_CACHE_MAX) this.nameCache.set(h, { name, want }); // a crafted trace can invent names
    return want;
  }

  end(lastLine: number, emit: Emit): void {
    if (this.carry) {
      const c = this.carry;
      this.carry = undefined;
      if (!this.handle(c.text, c.line, emit, true)) {
        emit({ kind: 'warning', line: c.line, message: 'truncated last line (no result)' });
      }
    }
    for (const [pid, p] of this.pending) {
      emit({ kind: 'warning', line: p.line, message: `${p.name} for pid ${pid} never finished (trace ended at line ${lastLine})` });
    }
    this.pending.clear();
    this.pendingChars = 0;
  }

  /** Keep an unfinished call; past MAX_PENDING calls or MAX_PENDING_CHARS of text the oldest is dropped, with a warning. */
  private hold(pid: number, p: Pending, emit: Emit): void {
    this.unhold(pid);
    this.pending.set(pid, p);
    this.pendingChars += p.text.length;
    while (this.pending.size > MAX_PENDING || this.pendingChars > MAX_PENDING_CHARS) {
      const [oldPid, old] = this.pending.entries().next().value as [number, Pending];
      this.unhold(oldPid);
      emit({ kind: 'warning', line: old.line, message: `${old.name} for pid ${oldPid}: dropped, too many unfinished calls held at once` });
    }
  }

  private unhold(pid: number): void {
    const p = this.pending.get(pid);
    if (!p) return;
    this.pendingChars -= p.text.length;
    this.pending.delete(pid);
  }
}

/** A call printed `<unfinished ...>`, waiting for its `<... resumed>`. */
interface Pending {
  name: string;
  text: string;
  line: number;
}

/** Call names remembered by the byte prefilter (real traces use a few hundred). */
const NAME_CACHE_MAX = 4096;
/** Unfinished calls held at once (real traces have a handful: one per thread blocked in a traced call). */
const MAX_PENDING = 65536;
/** Their argument text in total (each pins its trace line, up to 16 MiB). */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;

/** A completed call: `name(args) = RESULT`, optionally -y decorated and -T timed. */
const CALL_LINE = /^[a-z_0-9]+\(.*\)\s+= (-?\d+|0x[0-9a-f]+|\?)( [A-Z]+ \(|<| \(| <\d+\.\d+>$|$)/;

/** Score for auto-detection: strace lines look like `name(args) = N` with ` = ` and `[...]` argv on execve. */
function sniff(lines: string[]): number {
  let score = 0;
  for (const l of lines) {
    const { body } = splitPrefix(l, 0);
    if (CALL_LINE.test(body)) score += 2;
    if (/^execve\(".*", \[/.test(body)) score += 5;
    if (body.startsWith('+++ exited with') || body.startsWith('--- SIG') || body.startsWith('<... ') || body.endsWith(UNFINISHED)) score += 3;
    if (/ = -1 E[A-Z]+ \(/.test(body)) score += 3;
    if (body.startsWith('strace: Process ') || OLD_NOTICE.test(body)) score += 2;
    if (isSummaryHeader(l)) score += 5;
    if (/\tErr#|ERR#|argc[:=]/.test(l)) score -= 5;
  }
  return Math.max(0, score);
}

export const strace: Dialect = {
  name: 'strace',
  describe: 'Linux strace (any of -f, -ff, -t/-tt/-ttt/-r, -T, -y/-yy, -x/-xx, -v, -s, -z/-Z, -e trace=...)',
  create: (opts?: ParserOptions) => new StraceParser(opts),
  sniff,
};
