/**
 * Test helpers for the dialect parsers: the merged syscall table of each dialect's platform, the decoded paths of an
 * event, the projection compared with `<case>.expected.json`, and the fixture folder listing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COMMON, buildTable, type SyscallRow, type SyscallTable } from '../../src/syscalls.js';
import { aix } from '../../src/platforms/aix.js';
import { freebsd } from '../../src/platforms/freebsd.js';
import { macos } from '../../src/platforms/macos.js';
import { solaris } from '../../src/platforms/solaris.js';
import { decodeString, displayPath } from '../../parsers/strings.js';
import { placeNami } from '../../src/trace-events.js';
import type { DialectName, SyscallEvent, TraceEvent } from '../../parsers/types.js';

const LAYERS: Record<DialectName, readonly SyscallRow[]> = {
  strace: [],
  'truss-solaris': solaris.syscalls,
  'truss-aix': aix.syscalls,
  'truss-freebsd': freebsd.syscalls,
  dtruss: macos.syscalls,
  kdump: freebsd.syscalls,
  'dtrace-freebsd': freebsd.syscalls,
  'dtrace-macos': macos.syscalls,
};

export const tableFor = (d: DialectName): SyscallTable => buildTable(COMMON, LAYERS[d]);

/** The decoded string at an argument index: the continuation-line value first, else the argument text. */
function argString(ev: SyscallEvent, i: number | undefined): string | undefined {
  if (i === undefined) return undefined;
  const b = ev.extra?.get(i) ?? decodeString(ev.args[i] ?? '', ev.enc);
  return b ? displayPath(b) : undefined;
}

export interface Paths {
  path?: string;
  path2?: string;
  target?: string;
  sunPath?: string;
}

/** Paths an event names, by the table row of its syscall. */
export function eventPaths(ev: SyscallEvent, table: SyscallTable): Paths {
  placeNami(ev, table); // as the pipeline does: kdump's NAMI paths to their argument slots
  const row = table.get(ev.name);
  const out: Paths = {};
  const p = argString(ev, row?.path);
  if (p !== undefined) out.path = p;
  const p2 = argString(ev, row?.path2);
  if (p2 !== undefined) out.path2 = p2;
  const t = argString(ev, row?.target);
  if (t !== undefined) out.target = t;
  if (ev.sunPath) out.sunPath = displayPath(ev.sunPath);
  return out;
}

/** What `<case>.expected.json` holds for each event. Warnings keep only their line (messages may be reworded). */
export function project(ev: TraceEvent, table: SyscallTable): Record<string, unknown> {
  switch (ev.kind) {
    case 'syscall': {
      const { line, pid, name, args, ret, ok, errno } = ev;
      return { line, pid, name, args, ret, ok, ...(errno !== undefined ? { errno } : {}), ...eventPaths(ev, table) };
    }
    case 'warning':
      return { kind: 'warning', line: ev.line };
    default:
      return { ...ev };
  }
}

/** The fixture cases of a folder under traces/: every file with the extension that has an expected.json beside it. */
export function fixtureCases(folder: string, ext: string): { name: string; input: Buffer; expected: unknown[] }[] {
  const dir = path.resolve(import.meta.dirname, '../../traces', folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => {
      const base = f.slice(0, -ext.length);
      return {
        name: base,
        input: fs.readFileSync(path.join(dir, f)),
        expected: JSON.parse(fs.readFileSync(path.join(dir, base + '.expected.json'), 'utf8')) as unknown[],
      };
    });
}

/** Parse a text and project every event, as the fixture files do. */
export function projectAll(events: TraceEvent[], d: DialectName): Record<string, unknown>[] {
  const table = tableFor(d);
  return events.map((e) => project(e, table));
}
