/**
 * The manifest: one entry per path with every kind of access to it. Accesses that repeat (same op, outcome, pid and
 * trace file) are folded into one with a `count`, keeping the first line: memory grows with distinct facts, not with
 * the trace's length. Schema: docs/manifest.md (`jailtrace.manifest/1`).
 */
import { displayPath, isPlainAscii } from '../../parsers/strings.js';
import type { DialectName } from '../../parsers/types.js';
import type { Access } from '../model/model.js';
import { capsOf, DEFAULT_MAX_PATHS, LimitExceeded } from '../limits.js';
import { flat, toBytes, type BPath } from '../model/path.js';
import type { Proc } from '../model/proc.js';
import type { Op } from '../syscalls.js';

export const MANIFEST_SCHEMA = 'jailtrace.manifest/1';
export const MAX_WARNINGS = 1000;

export interface AccessRecord {
  op: Op;
  ok: boolean;
  errno?: string;
  pid: number;
  /** Index into `source.files` (omitted when there is one file). */
  file?: number;
  line: number;
  syscall: string;
  /** How many times this same access happened (omitted when 1). */
  count?: number;
  /** readlink result / symlink content. */
  target?: string;
  /** The path the process used inside its chroot. */
  jailPath?: string;
  /**
   * Set when this path is what another one resolves to, as the tracer printed it (readlink content, Solaris
   * resolvepath output, strace -y `3</real/path>`): the path the program named (host path).
   */
  resolvedFrom?: string;
}

export interface ManifestEntry {
  path: string;
  pathHex?: string;
  accesses: AccessRecord[];
}

export interface SourceInfo {
  files: string[];
  format: DialectName;
  /** How the format was chosen. */
  detected: boolean;
  platform: string;
  cwd: string;
  lines: number;
  bytes: number;
}

/** A warning is a line that could not be read (parse exits 2); a note is about a trace that was read (exit 0). */
export type Severity = 'warning' | 'note';

export interface WarningRecord {
  file?: string;
  line: number;
  message: string;
}

export interface ProcessRecord {
  pid: number;
  /** Only when the trace proves it: the fork/clone result, a wait result or a SIGCHLD naming this process. */
  parent?: number;
  /** Not the first process, and nothing in the trace says who made it (threads before -p, a fork left out by -e). */
  parentNotTraced?: true;
  exe?: string;
  argv?: string[];
  /** Indices of the argv words the tracer cut short (strace -s): shown as printed, not the whole word. */
  argvTruncated?: number[];
  root?: string;
  cwd?: string;
  exit?: { code?: number; signal?: string };
  line: number;
  file?: number;
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  source: SourceInfo;
  entries: ManifestEntry[];
  processes: ProcessRecord[];
  warnings: WarningRecord[];
  /** Warnings beyond MAX_WARNINGS are counted, not kept. */
  warningCount: number;
  /**
   * Notes about the trace that are not reading errors (a relative path under a directory fd opened before tracing
   * began, normal in `strace -p` and `-Z` traces): the path is left out, the trace is fine. Kept like warnings.
   */
  notes?: WarningRecord[];
  noteCount?: number;
  /**
   * Where the tracer lost a process that made itself untraceable (src/untraceable): the needs after that line are
   * missing from this manifest. Each is also a warning.
   */
  tracerLost?: Array<{ file?: string; line: number; pid: number; message: string }>;
}

/** A path's accesses: one record alone (most paths, failed lookups above all), or the list. */
type Slot = AccessRecord | AccessRecord[];

/** Past this many accesses a path's records are found through a key map instead of a scan. */
const SCAN_MAX = 8;
/** Interned strings (syscall names, errnos) are bounded too: a crafted trace could name a million errnos. */
const INTERN_MAX = 4096;

export interface BuilderOptions {
  /** Caps (capsOf) on distinct paths, accesses and name bytes; crossing one throws LimitExceeded with the line. */
  maxPaths?: number;
}

/**
 * Accumulates accesses as the trace streams by. Memory per distinct path is kept small (issue 20): a single access is
 * stored without an array around it, repeats are found by a short scan (a key map only for paths with many kinds of
 * access), syscall names and errnos are interned, and the path key is a flat copy that does not pin its trace line.
 */
export class ManifestBuilder {
  private readonly slots = new Map<BPath, Slot>();
  /** Key maps of the paths with more than SCAN_MAX records. */
  private readonly keyed = new Map<BPath, Map<string, AccessRecord>>();
  private readonly strings = new Map<string, string>();
  private readonly caps: ReturnType<typeof capsOf>;
  private records = 0;
  private chars = 0;
  readonly warnings: WarningRecord[] = [];
  warningCount = 0;
  readonly notes: WarningRecord[] = [];
  noteCount = 0;
  /** Index of the trace file currently being read. */
  fileIndex = 0;

  constructor(opts: BuilderOptions = {}) {
    this.caps = capsOf({ maxPaths: opts.maxPaths ?? DEFAULT_MAX_PATHS });
  }

  add(a: Access): void {
    const slot = this.slots.get(a.path);
    const errno = a.ok ? undefined : a.errno || undefined;
    const jailPath = a.jailPath === undefined ? undefined : display(a.jailPath);
    const from = a.resolvedFrom === undefined ? undefined : display(a.resolvedFrom);
    if (slot === undefined) {
      this.count('distinct paths', this.slots.size + 1, a.line);
      this.chars += a.path.length;
      this.slots.set(flat(a.path), this.record(a, errno, jailPath, from));
      return;
    }
    const list = Array.isArray(slot) ? slot : [slot];
    const keys = this.keyed.size === 0 ? undefined : this.keyed.get(a.path);
    const seen = keys
      ? keys.get(recordKey(a.op, a.ok, errno, a.pid, this.fileIndex, jailPath, from))
      : list.find((r) => sameKey(r, a.op, a.ok, errno, a.pid, this.fileIndex, jailPath, from));
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      return;
    }
    const rec = this.record(a, errno, jailPath, from);
    list.push(rec);
    if (list.length === 2) this.slots.set(a.path, list);
    if (keys) keys.set(recordKey(rec.op, rec.ok, rec.errno, rec.pid, rec.file ?? 0, rec.jailPath, rec.resolvedFrom), rec);
    else if (list.length > SCAN_MAX)
      this.keyed.set(a.path, new Map(list.map((r) => [recordKey(r.op, r.ok, r.errno, r.pid, r.file ?? 0, r.jailPath, r.resolvedFrom), r])));
  }

  private count(kind: 'distinct paths' | 'distinct accesses' | 'bytes of path names', n: number, line: number): void {
    if (n > this.caps[kind]) throw new LimitExceeded(kind, this.caps[kind], line);
  }

  private record(a: Access, errno: string | undefined, jailPath: string | undefined, from: string | undefined): AccessRecord {
    this.count('distinct accesses', ++this.records, a.line);
    this.chars += (a.target?.length ?? 0) + (jailPath?.length ?? 0) + (from?.length ?? 0);
    this.count('bytes of path names', this.chars, a.line);
    const rec: AccessRecord = { op: a.op, ok: a.ok, pid: a.pid, line: a.line, syscall: this.intern(a.syscall) };
    if (errno) rec.errno = this.intern(errno);
    if (this.fileIndex > 0) rec.file = this.fileIndex;
    if (a.target !== undefined) rec.target = display(flat(a.target));
    if (jailPath !== undefined) rec.jailPath = flat(jailPath);
    if (from !== undefined) rec.resolvedFrom = flat(from);
    return rec;
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < INTERN_MAX) this.strings.set(s, s);
    return s;
  }

  warn(file: string | undefined, line: number, message: string, severity: Severity = 'warning'): void {
    if (severity === 'note') {
      this.noteCount++;
      if (this.notes.length < MAX_WARNINGS) this.notes.push(file === undefined ? { line, message } : { file, line, message });
      return;
    }
    this.warningCount++;
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(file === undefined ? { line, message } : { file, line, message });
  }

  get size(): number {
    return this.slots.size;
  }

  /**
   * `pidAliases`: pids the model learned later (strace -f to stderr prints no pid column for the first process until
   * a second one appears: its early accesses carry 0): they are renamed, and records that now repeat are folded.
   */
  finish(source: SourceInfo, procs: Array<Proc & { file?: number; argvTruncated?: number[] }>, pidAliases?: ReadonlyMap<number, number>): Manifest {
    const entries: ManifestEntry[] = [];
    const sorted = [...this.slots.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const path of sorted) {
      const slot = this.slots.get(path)!;
      const list = Array.isArray(slot) ? slot : [slot];
      entries.push(entry(path, pidAliases && pidAliases.size > 0 ? renamePids(list, pidAliases) : list));
    }
    this.slots.clear(); // the entries hold the records now
    this.keyed.clear();
    const first = procs[0];
    const processes = procs.map((p): ProcessRecord => {
      const r: ProcessRecord = { pid: p.pid, line: p.line };
      if (p.parent !== undefined && p.parentProven) r.parent = p.parent;
      else if (p !== first) r.parentNotTraced = true;
      if (p.exe !== undefined) r.exe = displayPath(toBytes(p.exe));
      if (p.argv) r.argv = p.argv;
      if (p.argv && p.argvTruncated && p.argvTruncated.length > 0) r.argvTruncated = p.argvTruncated;
      if (p.fs.root !== '/') r.root = displayPath(toBytes(p.fs.root));
      if (p.exit) r.exit = p.exit.signal ? { signal: p.exit.signal } : { code: p.exit.code };
      if (p.file) r.file = p.file;
      return r;
    });
    return {
      schema: MANIFEST_SCHEMA,
      source,
      entries,
      processes,
      warnings: this.warnings,
      warningCount: this.warningCount,
      notes: this.notes,
      noteCount: this.noteCount,
    };
  }
}

/** Accesses with their pids renamed; two that become the same access fold (counts added, the first line kept). */
function renamePids(list: AccessRecord[], aliases: ReadonlyMap<number, number>): AccessRecord[] {
  const out: AccessRecord[] = [];
  const byKey = new Map<string, AccessRecord>();
  for (const r of list) {
    const pid = aliases.get(r.pid) ?? r.pid;
    const rec = pid === r.pid ? r : { ...r, pid };
    const key = recordKey(rec.op, rec.ok, rec.errno, rec.pid, rec.file ?? 0, rec.jailPath, rec.resolvedFrom);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, rec);
      out.push(rec);
      continue;
    }
    seen.count = (seen.count ?? 1) + (rec.count ?? 1);
    if (rec.line < seen.line) seen.line = rec.line;
  }
  return out;
}

/** Paths made only of printable ASCII display as themselves: no Buffer, no second string. */
const PRINTABLE = /^[\x20-\x7e]*$/;

const ASCII = /^[\x00-\x7f]*$/;

/** displayPath of a byte string; ASCII (the usual case) displays as itself. */
const display = (p: BPath): string => (ASCII.test(p) ? p : displayPath(toBytes(p)));

function entry(path: BPath, accesses: AccessRecord[]): ManifestEntry {
  if (PRINTABLE.test(path)) return { path, accesses };
  const bytes = toBytes(path);
  const e: ManifestEntry = { path: displayPath(bytes), accesses };
  if (!isPlainAscii(bytes)) e.pathHex = bytes.toString('hex');
  return e;
}

/** The fold key of an access (the same access again only counts). */
const recordKey = (op: Op, ok: boolean, errno: string | undefined, pid: number, file: number, jailPath: string | undefined, from: string | undefined): string =>
  `${op}\0${ok ? '' : (errno ?? '?')}\0${pid}\0${file}\0${jailPath ?? ''}\0${from ?? ''}`;

const sameKey = (
  r: AccessRecord,
  op: Op,
  ok: boolean,
  errno: string | undefined,
  pid: number,
  file: number,
  jailPath: string | undefined,
  from: string | undefined,
): boolean => r.op === op && r.ok === ok && r.errno === errno && r.pid === pid && (r.file ?? 0) === file && r.jailPath === jailPath && r.resolvedFrom === from;

/** The exact bytes of an entry's path. */
export const entryBytes = (e: ManifestEntry): Buffer => (e.pathHex !== undefined ? Buffer.from(e.pathHex, 'hex') : Buffer.from(e.path, 'utf8'));
