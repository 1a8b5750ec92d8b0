/**
 * The manifest: one entry per path with every kind of access to it. Accesses that repeat (same op, outcome, pid and
 * trace file) are folded into one with a `count`, keeping the first line: memory grows with distinct facts, not with
 * the trace's length. Schema: docs/manifest.md (`jailtrace.manifest/1`).
 */
import { displayPath, isPlainAscii } from '../../parsers/strings.js';
import type { DialectName } from '../../parsers/types.js';
import type { Access } from '../model/model.js';
import { toBytes, type BPath } from '../model/path.js';
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

export interface WarningRecord {
  file?: string;
  line: number;
  message: string;
}

export interface ProcessRecord {
  pid: number;
  parent?: number;
  exe?: string;
  argv?: string[];
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
}

interface Slot {
  path: BPath;
  accesses: AccessRecord[];
  keys: Map<string, AccessRecord>;
}

/** Accumulates accesses as the trace streams by. */
export class ManifestBuilder {
  private readonly slots = new Map<BPath, Slot>();
  readonly warnings: WarningRecord[] = [];
  warningCount = 0;
  /** Index of the trace file currently being read. */
  fileIndex = 0;

  add(a: Access): void {
    let slot = this.slots.get(a.path);
    if (!slot) {
      slot = { path: a.path, accesses: [], keys: new Map() };
      this.slots.set(a.path, slot);
    }
    const key = `${a.op}\0${a.ok ? '' : (a.errno ?? '?')}\0${a.pid}\0${this.fileIndex}\0${a.jailPath ?? ''}`;
    const seen = slot.keys.get(key);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      return;
    }
    const rec: AccessRecord = { op: a.op, ok: a.ok, pid: a.pid, line: a.line, syscall: a.syscall };
    if (!a.ok && a.errno) rec.errno = a.errno;
    if (this.fileIndex > 0) rec.file = this.fileIndex;
    if (a.target !== undefined) rec.target = displayPath(toBytes(a.target));
    if (a.jailPath !== undefined) rec.jailPath = displayPath(toBytes(a.jailPath));
    slot.keys.set(key, rec);
    slot.accesses.push(rec);
  }

  warn(file: string | undefined, line: number, message: string): void {
    this.warningCount++;
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(file === undefined ? { line, message } : { file, line, message });
  }

  get size(): number {
    return this.slots.size;
  }

  finish(source: SourceInfo, procs: Array<Proc & { file?: number }>): Manifest {
    const entries: ManifestEntry[] = [];
    const sorted = [...this.slots.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const s of sorted) {
      const bytes = toBytes(s.path);
      const e: ManifestEntry = { path: displayPath(bytes), accesses: s.accesses };
      if (!isPlainAscii(bytes)) e.pathHex = bytes.toString('hex');
      entries.push(e);
    }
    const processes = procs.map((p): ProcessRecord => {
      const r: ProcessRecord = { pid: p.pid, line: p.line };
      if (p.parent !== undefined) r.parent = p.parent;
      if (p.exe !== undefined) r.exe = displayPath(toBytes(p.exe));
      if (p.argv) r.argv = p.argv;
      if (p.fs.root !== '/') r.root = displayPath(toBytes(p.fs.root));
      if (p.exit) r.exit = p.exit.signal ? { signal: p.exit.signal } : { code: p.exit.code };
      if (p.file) r.file = p.file;
      return r;
    });
    return { schema: MANIFEST_SCHEMA, source, entries, processes, warnings: this.warnings, warningCount: this.warningCount };
  }
}

/** The exact bytes of an entry's path. */
export const entryBytes = (e: ManifestEntry): Buffer => (e.pathHex !== undefined ? Buffer.from(e.pathHex, 'hex') : Buffer.from(e.path, 'utf8'));

/** Does any successful access of the entry have this op? */
export const hasOk = (e: ManifestEntry, ...ops: Op[]): boolean => e.accesses.some((a) => a.ok && ops.includes(a.op));
