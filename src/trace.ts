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
import { syscallTable } from './platforms/index.js';
import { LineSplitter, looksBinary, readFileLines, type LineStats } from './source/lines.js';
import type { Platform } from './syscalls.js';

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

/** Which platform a dialect's traces come from. */
export const DIALECT_PLATFORM: Record<DialectName, Platform> = {
  strace: 'linux',
  'truss-solaris': 'solaris',
  'truss-aix': 'aix',
  'truss-freebsd': 'freebsd',
  dtruss: 'macos',
  kdump: 'freebsd',
};

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
      if (traces.length === 0) throw new TraceError(a, undefined, 'no trace files in this directory', 'give the trace files, or the directory strace -ff -o DIR/trace wrote');
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
export async function headLines(file: string, max = 64): Promise<string[]> {
  // O_NONBLOCK: a FIFO given (or swapped in) as a trace must not hang us in open()
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    throw new TraceError(file, undefined, `cannot open: ${e.code ?? e.message}`, 'check the path and permissions');
  });
  try {
    if (!(await fh.stat()).isFile()) throw new TraceError(file, undefined, 'not a regular file (a FIFO, a pipe or a device?)', 'save the trace to a file first (strace -o FILE), then give that file');
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (looksBinary(head.subarray(0, 4096))) {
      throw new TraceError(file, 1, 'binary data, not a tracer\'s text output', 'give the file strace -o (or truss -o) wrote');
    }
    return head.toString('latin1').split('\n').slice(0, max).map((l) => l.replace(/\r$/, ''));
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
  const found = detectDialect(lines);
  if (format !== 'auto') {
    const d = dialectByName(format);
    if (!d) throw new UsageError(`unknown format ${JSON.stringify(format)}`, 'see jailtrace parse --help for the formats');
    const nonEmpty = lines.some((l) => l.trim() !== '');
    if (nonEmpty && d.sniff(lines) === 0) {
      const other = found ? `; it looks like ${found.dialect.name}` : '';
      throw new TraceError(first, undefined, `does not look like ${format} output${other}`, found ? `use --format ${found.dialect.name} or --format auto` : 'check the file');
    }
    return { dialect: d, detected: false };
  }
  if (!found) {
    if (!lines.some((l) => l.trim() !== '')) return { dialect: dialectByName('strace')!, detected: true };
    throw new TraceError(first, undefined, 'not a trace jailtrace recognizes', 'give strace, truss, dtruss or kdump output, or name it with --format');
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
  const model = new ProcessModel({ table: syscallTable(platform), platform, cwd: fromBytes(Buffer.from(cwd)), limits });
  const builder = new ManifestBuilder(limits);
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
    const onEvent = (ev: TraceEvent): void => {
      if (ev.kind === 'warning') warn(ev.line, ev.message);
      else model.onEvent(ev, (a) => builder.add(a), warn);
    };
    const parser = dialect.create({ want: model.wants, defaultPid: input.pid ?? 0 });
    const stats = await readFileLines(
      input.file,
      (line, no) => parser.push(line, no, onEvent),
      (n) => {
        done += n;
        opts.onProgress?.(done, total);
      },
      parser.accept?.bind(parser),
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
  const procs = model.all.map((p) => Object.assign(p, { file: procFile.get(p.pid) }));
  return builder.finish(
    { files, format: dialect.name, detected, platform, cwd, lines, bytes: done },
    procs,
    model.pidAliases,
  );
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
    this.model = new ProcessModel({ table: syscallTable(platform), platform, cwd: fromBytes(Buffer.from(cwd)), limits });
    const dialect = dialectByName('strace')!;
    this.parser = dialect.create({ want: this.model.wants });
    const onEvent = (ev: TraceEvent): void => {
      if (ev.kind === 'warning') this.builder.warn(this.file, ev.line, ev.message);
      else this.model.onEvent(ev, (a) => this.builder.add(a), (line, message, severity) => this.builder.warn(this.file, line, message, severity));
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
    return this.builder.finish(
      { files: [this.file], format: 'strace', detected: false, platform: 'linux', cwd: this.cwd, lines: stats.lines, bytes: this.bytes },
      this.model.all,
      this.model.pidAliases,
    );
  }
}
