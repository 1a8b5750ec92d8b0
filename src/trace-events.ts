/**
 * Between the parser and the process model: what a tracer printed apart from the arguments goes where the syscall
 * table says (kdump's NAMI paths to their argument slots: the parsers know no syscalls), and a string the tracer cut
 * short (`"/usr/lib/x86_64-linux-gnu/libc"...` under strace -s) never names a file.
 */
import { truncatedWords } from '../parsers/strings.js';
import type { SyscallEvent, TraceEvent } from '../parsers/types.js';
import type { AccessSink, ProcessModel, WarnSink } from './model/model.js';
import type { SyscallTable } from './syscalls.js';

/** The argument slots a looked-up path fills, in lookup order: the row's path, then path2 (rename, link). */
export function namiSlots(table: SyscallTable, name: string): number[] {
  const row = table.get(name);
  return [row?.path ?? 0, row?.path2].filter((x): x is number => x !== undefined);
}

/** Give each NAMI path its argument slot (as `extra`, which the model reads before the argument text). */
export function placeNami(ev: SyscallEvent, table: SyscallTable): void {
  if (!ev.nami || ev.nami.length === 0) return;
  const slots = namiSlots(table, ev.name);
  const extra = (ev.extra ??= new Map());
  ev.nami.slice(0, slots.length).forEach((b, i) => {
    if (!extra.has(slots[i])) extra.set(slots[i], b);
  });
}

/** What the tracer cut short in a trace: path arguments left out (counted, first line kept) and argv words. */
export class CutStrings {
  private count = 0;
  private firstLine = 0;
  /** argv arrays (as the model keeps them, shared by forks) → the indices of their cut words. */
  readonly argv = new WeakMap<readonly string[], number[]>();

  constructor(private readonly table: SyscallTable) {}

  /** Blank every path argument (path, path2, link target, socket address) that holds a cut string: never a file. */
  guard(ev: SyscallEvent): void {
    if (!ev.truncated) return;
    const row = this.table.get(ev.name);
    if (!row) return;
    for (const slot of [row.path, row.path2, row.target]) {
      if (slot === undefined || !ev.truncated.includes(slot) || ev.extra?.has(slot)) continue;
      ev.args = ev.args.slice();
      ev.args[slot] = CUT;
      // a cut link target only loses where the link points (the host resolves it again); a cut path loses a file
      if (slot !== row.target && this.count++ === 0) this.firstLine = ev.line;
    }
  }

  /** After the model saw a successful exec: remember which words of the argv it kept were cut. */
  afterExec(ev: SyscallEvent, argv: readonly string[] | undefined): void {
    if (!ev.truncated || !argv || !ev.ok) return;
    const row = this.table.get(ev.name);
    if (row?.family !== 'exec') return;
    const words = truncatedWords(ev.args[(row.path ?? 0) + 1] ?? '');
    if (words.length > 0) this.argv.set(argv, words);
  }

  /** The one warning for the trace, when a path was left out. */
  warning(): { line: number; message: string } | undefined {
    if (this.count === 0) return undefined;
    const more = this.count > 1 ? ` (${this.count} calls, the first here)` : '';
    return {
      line: this.firstLine,
      message: `a path was cut short by the tracer's string limit${more}: it is left out of the manifest; capture again with a larger limit (strace -s 4096)`,
    };
  }
}

/** What a cut path argument becomes: not a string, so no path. */
const CUT = '0 /* cut by the tracer */';

/**
 * The parser's events into the model, through the two steps above. Counts what the parser recognised (and what it
 * skipped as unwanted, via `accepted`), so that a trace read to nothing can be told from an empty one.
 */
export class EventPipe {
  readonly cut: CutStrings;
  /** Calls, exits and signals the parser gave, and lines it skipped as calls the model does not want. */
  recognised = 0;
  /** Warnings given so far (the parser's and the model's). */
  warned = 0;

  constructor(
    private readonly model: ProcessModel,
    private readonly table: SyscallTable,
    private readonly sink: AccessSink,
  ) {
    this.cut = new CutStrings(table);
  }

  /** The event handler for one trace file, warning through `warn`. */
  handler(warn: WarnSink): (ev: TraceEvent) => void {
    const counted: WarnSink = (line, message, severity) => {
      if (severity === undefined) this.warned++;
      warn(line, message, severity);
    };
    return (ev) => {
      if (ev.kind === 'warning') return counted(ev.line, ev.message);
      this.recognised++;
      if (ev.kind !== 'syscall') return this.model.onEvent(ev, this.sink, counted);
      placeNami(ev, this.table);
      this.cut.guard(ev);
      this.model.onEvent(ev, this.sink, counted);
      if (ev.truncated) this.cut.afterExec(ev, this.model.procs.get(ev.pid)?.argv);
    };
  }

  /** Wrap the model's `wants`: a name the parser asks about is a call it recognised, wanted or not. */
  wants(wants: (name: string) => boolean): (name: string) => boolean {
    return (name) => {
      const w = wants(name);
      if (!w) this.recognised++;
      return w;
    };
  }

  /** Wrap a parser's byte prefilter: a line it skips is a call it recognised. */
  accepted(accept: ((buf: Buffer, start: number, end: number) => boolean) | undefined): typeof accept {
    if (!accept) return undefined;
    return (buf, start, end) => {
      const ok = accept(buf, start, end);
      if (!ok) this.recognised++;
      return ok;
    };
  }
}
