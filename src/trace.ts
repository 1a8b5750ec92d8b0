/**
 * Recorded traces → manifest: expand the inputs (files, `-ff` sets, directories), pick the dialect, stream every
 * line through parser → process model → manifest builder. Never holds a trace in memory.
 */
import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectDialect } from '../parsers/detect.js';
import { dialectByName } from '../parsers/index.js';
import type { Dialect, DialectName, LineParser, TraceEvent } from '../parsers/types.js';
import { TraceError, UsageError } from './errors.js';
import { DEFAULT_LIMITS, LimitExceeded, limitHint, type TraceLimits } from './limits.js';
import { ManifestBuilder, type Manifest } from './manifest/manifest.js';
import { ProcessModel } from './model/model.js';
import { fromBytes } from './model/path.js';
import { DIALECT_PLATFORM, syscallTable } from './platforms/index.js';
import { summaryOnly } from '../parsers/strace-summary.js';
import { EventPipe } from './trace-events.js';
import { LineSplitter, looksBinary, readFileLines, type LineStats } from './source/lines.js';
import type { Platform } from './syscalls.js';
import { settle, TracingWatch } from './untraceable/watch.js';

export interface TraceInput {
  file: string;
  /** pid from an `-ff -o prefix.PID` name: lines without a pid column belong to it. */
  pid?: number;
}

export interface ParseOptions {
  /** Dialect name or 'auto' (default). */
  format?: DialectName | 'auto';
  /** Starting cwd of the traced program (host path). */
  cwd?: string;
  /** Override the platform implied by the dialect. */
  platform?: Platform;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Caps on what the trace may make us hold (default DEFAULT_LIMITS). */
  limits?: TraceLimits;
}

/** A crossed cap, as the input error it is: the trace file, the line, what to do. */
function capError(file: string, e: unknown): unknown {
  return e instanceof LimitExceeded ? new TraceError(file, e.line, e.message, limitHint(e)) : e;
}

const PID_SUFFIX = /^(.*)\.(\d+)$/;

/** Files and directories → trace inputs. A directory, or several `prefix.PID` files, is an `-ff` set. */
export async function expandInputs(args: string[]): Promise<TraceInput[]> {
  if (args.length === 0) throw new UsageError('no trace given', 'name one or more trace files or an -ff directory');
  const files: string[] = [];
  for (const a of args) {
    const st = await stat(a).catch((e: NodeJS.ErrnoException) => {
      throw new TraceError(a, undefined, e.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${e.message}`, 'check the path');
    });
    if (st.isDirectory()) {
      const names = (await readdir(a, { withFileTypes: true })).filter((d) => d.isFile() && !d.name.startsWith('.')).map((d) => d.name);
      const traces = names.filter((n) => !n.endsWith('.md') && !n.endsWith('.json'));
      if (traces.length === 0)
        throw new TraceError(a, undefined, 'no trace files in this directory', 'give the trace files, or the directory strace -ff -o DIR/trace wrote');
      files.push(...traces.sort().map((n) => path.join(a, n)));
    } else files.push(a);
  }
  const withPid = files.map((f) => ({ f, m: PID_SUFFIX.exec(path.basename(f)) }));
  const prefixes = new Set(withPid.map((x) => (x.m ? path.join(path.dirname(x.f), x.m[1]) : undefined)));
  const isFf = files.length > 1 && withPid.every((x) => x.m) && prefixes.size === 1;
  if (!isFf) return files.map((file) => ({ file }));
  // Parent before child: process files in pid order so a child starts from the state its parent had at fork.
  return withPid.map((x) => ({ file: x.f, pid: Number(x.m![2]) })).sort((a, b) => a.pid! - b.pid!);
}

/** Read the first lines of a file (for detection), failing clearly on binary or unreadable input. */
export async function headLines(file: string, max = 200): Promise<string[]> {
  // O_NONBLOCK: a FIFO given (or swapped in) as a trace must not hang us in open()
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    throw new TraceError(file, undefined, `cannot open: ${e.code ?? e.message}`, 'check the path and permissions');
  });
  try {
    if (!(await fh.stat()).isFile())
      throw new TraceError(
        file,
        undefined,
        'not a regular file (a FIFO, a pipe or a device?)',
        'save the trace to a file first (strace -o FILE), then give that file',
      );
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (looksBinary(head.subarray(0, 4096))) {
      throw new TraceError(file, 1, "binary data, not a tracer's text output", 'give the file strace -o (or truss -o) wrote');
    }
    return head
      .toString('latin1')
      .split('\n')
      .slice(0, max)
      .map((l) => l.replace(/\r$/, ''));
  } finally {
    await fh.close();
  }
}

/** Choose the dialect: explicit (checked against the content) or detected. */
export async function chooseDialect(inputs: TraceInput[], format: DialectName | 'auto' = 'auto'): Promise<{ dialect: Dialect; detected: boolean }> {
  let lines: string[] = [];
  let first = inputs[0].file;
  for (const i of inputs) {
    lines = await headLines(i.file);
    first = i.file;
    if (lines.some((l) => l.trim() !== '')) break;
  }
  const table = summaryOnly(lines);
  if (table !== undefined && (format === 'auto' || format === 'strace')) {
    throw new TraceError(
      first,
      table,
      'a -c summary names no files: trace without -c',
      'run strace again without -c; -C prints the trace and the table, and jailtrace reads the trace',
    );
  }
  const found = detectDialect(lines);
  if (format !== 'auto') {
    const d = dialectByName(format);
    if (!d) throw new UsageError(`unknown format ${JSON.stringify(format)}`, 'see jailtrace parse --help for the formats');
    const nonEmpty = lines.some((l) => l.trim() !== '');
    if (nonEmpty && d.sniff(lines) === 0) {
      const other = found ? `; it looks like ${found.dialect.name}` : '';
      throw new TraceError(
        first,
        undefined,
        `does not look like ${format} output${other}`,
        found ? `use --format ${found.dialect.name} or --format auto` : 'check the file',
      );
    }
    return { dialect: d, detected: false };
  }
  if (!found) {
    if (!lines.some((l) => l.trim() !== '')) return { dialect: dialectByName('strace')!, detected: true };
    throw new TraceError(first, undefined, 'not a trace jailtrace recognizes', 'give strace, truss, dtruss or kdump output, or name it with --format');
  }
  if (found.close) {
    const [a, b] = [found.dialect.name, found.close.dialect.name];
    throw new TraceError(
      first,
      undefined,
      `reads almost as well as ${a} as it does as ${b}: too close to guess`,
      `name it with --format ${a} or --format ${b}`,
    );
  }
  return { dialect: found.dialect, detected: true };
}

/** Stream one or more traces into a manifest. */
export async function parseTraces(args: string[], opts: ParseOptions = {}): Promise<Manifest> {
  const inputs = await expandInputs(args);
  const { dialect, detected } = await chooseDialect(inputs, opts.format);
  const platform = opts.platform ?? DIALECT_PLATFORM[dialect.name];
  const cwd = opts.cwd ?? process.cwd();
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const table = syscallTable(platform);
  const model = new ProcessModel({ table, platform, cwd: fromBytes(Buffer.from(cwd)), limits });
  const builder = new ManifestBuilder(limits);
  const watch = new TracingWatch(platform, table);
  const pipe = new EventPipe(model, table, (a) => builder.add(a));
  const files = inputs.map((i) => i.file);
  let total = 0;
  for (const i of inputs) total += (await stat(i.file)).size;
  let done = 0;
  let lines = 0;
  const procFile = new Map<number, number>();

  for (const [index, input] of inputs.entries()) {
    builder.fileIndex = index;
    const fileName = inputs.length > 1 ? input.file : undefined;
    const warn = (line: number, message: string, severity?: 'note'): void => builder.warn(fileName ?? input.file, line, message, severity);
    if (input.pid !== undefined && !model.procs.has(input.pid)) {
      try {
        model.seed(input.pid, undefined, 1);
      } catch (e) {
        throw capError(input.file, e);
      }
    }
    if (input.pid !== undefined) procFile.set(input.pid, index);
    watch.file = input.file;
    const pipeEvent = pipe.handler(warn);
    const onEvent = (ev: TraceEvent): void => {
      watch.onEvent(ev);
      pipeEvent(ev);
    };
    const modelWants = pipe.wants(model.wants);
    const parser = dialect.create({ want: (name) => modelWants(name) || watch.wants(name), defaultPid: input.pid ?? 0 });
    const stats = await readFileLines(
      input.file,
      (line, no) => parser.push(line, no, onEvent),
      (n) => {
        done += n;
        opts.onProgress?.(done, total);
      },
      pipe.accepted(parser.accept?.bind(parser)),
    ).catch((e: NodeJS.ErrnoException) => {
      if (e instanceof LimitExceeded) throw capError(input.file, e);
      throw new TraceError(input.file, undefined, `read failed: ${e.code ?? e.message}`);
    });
    try {
      parser.end(stats.lines, onEvent);
    } catch (e) {
      throw capError(input.file, e);
    }
    lines += stats.lines;
    if (stats.bytes === 0) warn(0, 'empty trace');
    if (stats.unterminated) warn(stats.lines, 'last line has no newline: the trace may be truncated');
    for (const l of stats.overlong) warn(l, 'line longer than 16 MiB: cut');
    for (const l of stats.nul) warn(l, 'NUL byte in line');
  }
  const lost = settle(watch, (file, line, message) => builder.warn(file ?? files[0], line, message), inputs.length > 1);
  const cut = pipe.cut.warning();
  if (cut) builder.warn(inputs.length > 1 ? undefined : inputs[0].file, cut.line, cut.message);
  if (pipe.recognised === 0 && pipe.warned === 0 && !lost && done > 0 && lines > 0) {
    // nothing read, nothing said: an exit 0 with an empty manifest would hide that the trace was not understood
    const how = detected ? `detected as ${dialect.name}` : `read as ${dialect.name}`;
    throw new TraceError(files[0], undefined, `no system call found in ${lines} lines (${how})`, "if it is another tracer's output, name it with --format");
  }
  const procs = model.all.map((p) => Object.assign(p, { file: procFile.get(p.pid), argvTruncated: p.argv && pipe.cut.argv.get(p.argv) }));
  const manifest = builder.finish({ files, format: dialect.name, detected, platform, cwd, lines, bytes: done }, procs, model.pidAliases);
  if (lost) manifest.tracerLost = lost;
  return manifest;
}

/**
 * A trace parsed while it is being written (live capture): push chunks as they arrive, `finish()` gives the manifest.
 * Same stages as parseTraces; the dialect is strace (what `jailtrace capture` runs on Linux).
 */
export class LiveTrace {
  private readonly model: ProcessModel;
  private readonly builder: ManifestBuilder;
  private readonly splitter: LineSplitter;
  private readonly parser: LineParser;
  private readonly watch: TracingWatch;
  private readonly pipe: EventPipe;
  private bytes = 0;
  /** A cap crossed while the tracer still runs: the rest is not parsed, finish() throws it. */
  private failed: unknown;

  constructor(
    private readonly file: string,
    private readonly cwd: string,
    platform: Platform = 'linux',
    limits: TraceLimits = DEFAULT_LIMITS,
  ) {
    this.builder = new ManifestBuilder(limits);
    const table = syscallTable(platform);
    this.model = new ProcessModel({ table, platform, cwd: fromBytes(Buffer.from(cwd)), limits });
    this.pipe = new EventPipe(this.model, table, (a) => this.builder.add(a));
    const dialect = dialectByName('strace')!;
    this.watch = new TracingWatch(platform, table);
    this.watch.file = file;
    const modelWants = this.pipe.wants(this.model.wants);
    this.parser = dialect.create({ want: (name) => modelWants(name) || this.watch.wants(name) });
    const pipeEvent = this.pipe.handler((line, message, severity) => this.builder.warn(this.file, line, message, severity));
    const onEvent = (ev: TraceEvent): void => {
      this.watch.onEvent(ev);
      pipeEvent(ev);
    };
    this.splitter = new LineSplitter((line, no) => this.parser.push(line, no, onEvent), this.parser.accept?.bind(this.parser));
    this.onEvent = onEvent;
  }

  private readonly onEvent: (ev: TraceEvent) => void;

  /** Called with the tracer's output as it comes; never throws (it runs in the tracer's stream handler). */
  push = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    if (this.failed !== undefined) return;
    try {
      this.splitter.push(chunk);
    } catch (e) {
      this.failed = capError(this.file, e);
    }
  };

  finish(): Manifest {
    if (this.failed !== undefined) throw this.failed;
    let stats: LineStats;
    try {
      stats = this.splitter.end();
      this.parser.end(stats.lines, this.onEvent);
    } catch (e) {
      throw capError(this.file, e);
    }
    if (stats.unterminated) this.builder.warn(this.file, stats.lines, 'last line has no newline: the trace may be truncated');
    const lost = settle(this.watch, (_file, line, message) => this.builder.warn(this.file, line, message), false);
    const cut = this.pipe.cut.warning();
    if (cut) this.builder.warn(this.file, cut.line, cut.message);
    const manifest = this.builder.finish(
      { files: [this.file], format: 'strace', detected: false, platform: 'linux', cwd: this.cwd, lines: stats.lines, bytes: this.bytes },
      this.model.all.map((p) => Object.assign(p, { argvTruncated: p.argv && this.pipe.cut.argv.get(p.argv) })),
      this.model.pidAliases,
    );
    if (lost) manifest.tracerLost = lost;
    return manifest;
  }
}
