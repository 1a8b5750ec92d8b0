/**
 * Watch a trace for a program that made itself untraceable (rows.ts) and say what that did to the trace:
 * - refused: the call failed under the tracer and the program died of it (sftp-server's fatal(): exit 255), so the
 *   trace holds no session at all; the caller turns it into an error naming the cause and the route that works.
 * - lost: the call worked and the tracer lost the process there: nothing more was recorded (macOS, PT_DENY_ATTACH),
 *   or the path arguments turned into bare addresses (Linux, a tracer without CAP_SYS_PTRACE after
 *   PR_SET_DUMPABLE 0). Later needs are missing; the line says where.
 * Pure and streaming: events in, one small result out. Prints nothing.
 */
import { decodeStringLatin1 } from '../../parsers/strings.js';
import type { TraceEvent } from '../../parsers/types.js';
import type { Manifest } from '../manifest/manifest.js';
import type { Platform, SyscallTable } from '../syscalls.js';
import { UntraceableError, type Refusal } from './error.js';

export type { Refusal } from './error.js';
import { REFUSAL_MESSAGES, UNTRACEABLE, type UntraceableRow } from './rows.js';

export interface Lost {
  file?: string;
  line: number;
  pid: number;
  message: string;
}

export interface TracingHealth {
  refused?: Refusal;
  lost: Lost[];
}

/**
 * Calls that carry sftp-server's log line: syslog(3) sends it (sendto/send; rare in a trace, so cheap to parse).
 * Not write(2) (the `-e` case): every data write of a session would be parsed for it, and the failed call alone
 * already decides; the text only adds to the error.
 */
const LOG_CALLS = new Set(['sendto', 'send']);
const ADDRESS = /^0x[0-9a-fA-F]+$/;
export const LOST = 'the tracer lost the process here; later needs are missing';

interface Mark {
  file?: string;
  line: number;
  row: UntraceableRow;
}

export class TracingWatch {
  /** The trace file the next events come from (set by the reader). */
  file?: string;
  private readonly rows: readonly UntraceableRow[];
  private readonly calls = new Set<string>();
  private readonly failed = new Map<number, Mark & { errno?: string; call: string }>();
  private readonly silent = new Map<number, Mark>();
  private readonly undumpable = new Map<number, Mark>();
  private readonly execd = new Map<number, Mark & { program: string }>();
  private readonly last = new Map<number, { file?: string; line: number }>();
  private readonly exits = new Map<number, number | undefined>();
  private readonly messages = new Map<number, string>();
  private readonly lost: Lost[] = [];
  private readonly lostPids = new Set<number>();

  constructor(
    platform: Platform,
    private readonly table: SyscallTable,
  ) {
    this.rows = UNTRACEABLE.filter((r) => r.platform === platform);
    for (const r of this.rows) this.calls.add(r.call);
  }

  /** Calls the parser must parse for this watch (beyond the syscall table's). */
  wants = (name: string): boolean => this.calls.has(name) || (this.rows.length > 0 && LOG_CALLS.has(name));

  onEvent(ev: TraceEvent): void {
    if (ev.kind === 'warning') return;
    if (ev.kind === 'exit') {
      this.exits.set(ev.pid, ev.code);
      return;
    }
    if (ev.kind === 'signal') return;
    // every call passes here: look for a row only for a call some row names, and keep one `last` record per pid
    const row = this.calls.has(ev.name) ? this.rows.find((r) => r.call === ev.name && r.values.includes((ev.args[r.arg] ?? '').trim())) : undefined;
    const marked = this.silent.size > 0 && this.silent.delete(ev.pid); // any later record of the process: it went on being recorded
    const last = this.last.get(ev.pid);
    if (last) {
      last.file = this.file;
      last.line = ev.line;
    } else this.last.set(ev.pid, { file: this.file, line: ev.line });
    if (row) return this.onRowCall(row, ev, marked);
    if (ev.kind !== 'syscall') return;
    if (LOG_CALLS.has(ev.name)) {
      const text = ev.args.join(',');
      const m = REFUSAL_MESSAGES.find((msg) => text.includes(msg));
      if (m) this.messages.set(ev.pid, m);
      return;
    }
    const t = this.table.get(ev.name);
    if (t?.family === 'exec' && ev.ok) {
      this.undumpable.delete(ev.pid); // exec makes a (non-set-id) process dumpable again
      const path = t.path === undefined ? undefined : decodeStringLatin1(ev.args[t.path] ?? '', ev.enc);
      const program = path?.slice(path.lastIndexOf('/') + 1);
      const r = this.rows.find((x) => x.after === 'silent' && program !== undefined && x.programs.includes(program));
      if (r && program) this.execd.set(ev.pid, { file: this.file, line: ev.line, row: r, program });
    }
    const off = this.undumpable.get(ev.pid);
    if (off && t?.path !== undefined && t.family !== 'getcwd' && !ev.extra?.has(t.path) && ADDRESS.test(ev.args[t.path] ?? '') && !this.lostPids.has(ev.pid)) {
      this.lostPids.add(ev.pid);
      this.lost.push({
        file: this.file,
        line: ev.line,
        pid: ev.pid,
        message: `${LOST}: ${ev.name}'s path argument is a bare address ${ev.args[t.path]}: pid ${ev.pid} made itself undumpable (prctl(PR_SET_DUMPABLE, 0) at line ${off.line}) and this tracer cannot read its memory any more; trace it as root (CAP_SYS_PTRACE)`,
      });
    }
  }

  private onRowCall(row: UntraceableRow, ev: Extract<TraceEvent, { kind: 'syscall' | 'pending' }>, resumed: boolean): void {
    const mark = { file: this.file, line: ev.line, row };
    if (ev.kind === 'syscall' && !ev.ok) {
      if (!this.failed.has(ev.pid)) this.failed.set(ev.pid, { ...mark, errno: ev.errno, call: `${ev.name}(${ev.args.join(', ')})` });
      return;
    }
    this.execd.delete(ev.pid);
    if (row.after === 'silent' && !resumed) this.silent.set(ev.pid, mark); // a return after the entry: not lost
    if (row.after === 'addresses' && ['0', 'SUID_DUMP_DISABLE'].includes((ev.args[1] ?? '').trim())) this.undumpable.set(ev.pid, mark);
  }

  finish(): TracingHealth {
    for (const [pid, f] of this.failed) {
      const exited = this.exits.has(pid);
      const code = this.exits.get(pid);
      const message = this.messages.get(pid);
      if (!(message || !exited || code === 255)) continue; // a program that goes on without it (ssh-agent: not strict)
      const refused: Refusal = { file: f.file, line: f.line, pid, call: f.call, why: f.row.refusedBecause, route: f.row.route };
      if (f.errno) refused.errno = f.errno;
      if (message) refused.message = message;
      return { refused, lost: this.lost };
    }
    for (const [pid, m] of this.silent) {
      if (this.exits.has(pid)) continue;
      this.lost.push({
        file: m.file,
        line: m.line,
        pid,
        message: `${LOST}: pid ${pid} called ${m.row.call}(${m.row.values[0]}) and the tracer recorded nothing of it afterwards (xnu: DTrace skips a P_LNOATTACH process); capture route: ${m.row.route}`,
      });
    }
    for (const [pid, e] of this.execd) {
      if (this.exits.has(pid)) continue;
      const at = this.last.get(pid) ?? e;
      this.lost.push({
        file: at.file,
        line: at.line,
        pid,
        message: `${LOST}: ${e.program} (pid ${pid}, exec at line ${e.line}) calls ${e.row.call}(${e.row.values[0]}) at startup, and its trace stops here without an exit; this tracer does not show that call (DTrace skips the process from then on); capture route: ${e.row.route}`,
      });
    }
    return { lost: this.lost.sort((a, b) => a.line - b.line) };
  }
}

/**
 * End of a trace: a refusal is thrown (UntraceableError, exit 4); each cut becomes a warning through `warn`, and the
 * list the manifest keeps as `tracerLost` is returned (undefined when nothing was lost). `withFile`: name the file.
 */
export function settle(
  watch: TracingWatch,
  warn: (file: string | undefined, line: number, message: string) => void,
  withFile: boolean,
): Manifest['tracerLost'] {
  const health = watch.finish();
  if (health.refused) throw new UntraceableError(health.refused);
  for (const l of health.lost) warn(l.file, l.line, l.message);
  if (health.lost.length === 0) return undefined;
  return health.lost.map(({ file, line, pid, message }) => ({ ...(withFile && file ? { file } : {}), line, pid, message }));
}
