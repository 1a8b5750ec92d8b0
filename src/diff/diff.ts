/**
 * Two sets of needs → added / removed / changed / moved. Pure. A removed and an added path with the same
 * version-less basename (`/lib/libc.so.6` → `/usr/lib/x86_64-linux-gnu/libc.so.6`, `libfoo.so.1.2` → `libfoo.so.1.3`,
 * `libnss_files-2.31.so` → `libnss_files.so.2`) are one move, not a removal plus an addition.
 */
import path from 'node:path';
import type { Need } from './needs.js';

export interface Change {
  path: string;
  old: Need;
  new: Need;
  /** What differs: `role`, `type`, `size`, `mode`, `sha256`, `target`. */
  fields: string[];
}

export interface Move {
  from: Need;
  to: Need;
  /** What differs besides the path. */
  fields: string[];
}

export interface NeedsDiff {
  added: Need[];
  removed: Need[];
  changed: Change[];
  moved: Move[];
}

const FIELDS = ['role', 'type', 'size', 'mode', 'sha256', 'target'] as const;

/** Fields that differ; a field only one side knows (a trace has no sizes) is not a difference. */
export function differingFields(a: Need, b: Need): string[] {
  return FIELDS.filter((f) => a[f] !== undefined && b[f] !== undefined && a[f] !== b[f]);
}

/** Rules that strip a version from a basename, applied in order. */
const VERSION_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\.so(\.\d+)+$/, '.so'], // libc.so.6, libfoo.so.1.2
  [/-\d+(\.\d+)*\.so$/, '.so'], // libc-2.31.so, libnss_files-2.31.so
  [/^(ld-linux[^.]*)\.so$/, '$1.so'],
];

/** A path's basename without its library version: the key two paths are matched on as a move. */
export function stem(p: string): string {
  let b = path.posix.basename(p);
  for (const [re, to] of VERSION_RULES) b = b.replace(re, to);
  return b;
}

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function diffNeeds(oldNeeds: readonly Need[], newNeeds: readonly Need[]): NeedsDiff {
  const oldMap = new Map(oldNeeds.map((n) => [n.path, n]));
  const newMap = new Map(newNeeds.map((n) => [n.path, n]));
  const changed: Change[] = [];
  let removed: Need[] = [];
  let added: Need[] = [];
  for (const o of oldMap.values()) {
    const n = newMap.get(o.path);
    if (!n) removed.push(o);
    else {
      const fields = differingFields(o, n);
      if (fields.length > 0) changed.push({ path: o.path, old: o, new: n, fields });
    }
  }
  for (const n of newMap.values()) if (!oldMap.has(n.path)) added.push(n);
  removed.sort(byPath);
  added.sort(byPath);

  // Moves: pair removed and added paths by stem, in path order; a directory only pairs with a directory.
  const moved: Move[] = [];
  const pool = new Map<string, Need[]>();
  for (const a of added) {
    const k = `${a.type === 'dir' ? 'd' : 'f'}:${stem(a.path)}`;
    pool.set(k, [...(pool.get(k) ?? []), a]);
  }
  const used = new Set<Need>();
  for (const r of removed) {
    const cands = pool.get(`${r.type === 'dir' ? 'd' : 'f'}:${stem(r.path)}`);
    const to = cands?.find((c) => !used.has(c));
    if (!to) continue;
    used.add(to);
    used.add(r);
    moved.push({ from: r, to, fields: differingFields(r, to) });
  }
  removed = removed.filter((r) => !used.has(r));
  added = added.filter((a) => !used.has(a));
  return { added, removed, changed: changed.sort(byPath), moved };
}

export const isEmptyDiff = (d: NeedsDiff): boolean => d.added.length + d.removed.length + d.changed.length + d.moved.length === 0;
