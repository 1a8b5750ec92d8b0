/**
 * Manifest utilities for workloads made of several traces: merge them into one (entries by path, accesses kept with
 * their file index shifted), and drop a workload's own scratch data so that two runs of the same workload compare equal.
 */
import type { Manifest, ManifestEntry } from './manifest.js';

export function mergeManifests(ms: readonly Manifest[]): Manifest {
  if (ms.length === 1) return ms[0];
  if (ms.length === 0) throw new Error('mergeManifests: nothing to merge');
  const byPath = new Map<string, ManifestEntry>();
  const files: string[] = [];
  const out: Manifest = {
    ...ms[0],
    entries: [],
    processes: [],
    warnings: [],
    warningCount: 0,
    notes: [],
    noteCount: 0,
    source: { ...ms[0].source, files, lines: 0, bytes: 0 },
  };
  for (const m of ms) {
    const shift = files.length;
    files.push(...m.source.files);
    out.source.lines += m.source.lines;
    out.source.bytes += m.source.bytes;
    for (const e of m.entries) {
      const key = e.pathHex ?? e.path;
      let t = byPath.get(key);
      if (!t) {
        t = { ...e, accesses: [] };
        byPath.set(key, t);
      }
      for (const a of e.accesses) t.accesses.push(shift + (a.file ?? 0) > 0 ? { ...a, file: shift + (a.file ?? 0) } : a);
    }
    out.processes.push(...m.processes.map((p) => (shift + (p.file ?? 0) > 0 ? { ...p, file: shift + (p.file ?? 0) } : p)));
    out.warnings.push(...m.warnings);
    out.warningCount += m.warningCount;
    if (m.notes?.length) (out.notes ??= []).push(...m.notes);
    if (m.noteCount) out.noteCount = (out.noteCount ?? 0) + m.noteCount;
  }
  out.entries = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/**
 * Without the workload's scratch data: entries under any prefix, and directories on the way to one that were only
 * looked at (stat, chdir, access): they are there because the scratch dir is, not because the program needs them.
 */
export function withoutScratch(m: Manifest, prefixes: readonly string[]): Manifest {
  if (prefixes.length === 0) return m;
  const under = (p: string): boolean => prefixes.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : x + '/'));
  const above = (p: string): boolean => p !== '/' && prefixes.some((x) => x.startsWith(p + '/'));
  const entries = m.entries.filter((e) => {
    if (under(e.path)) return false;
    if (above(e.path) && e.accesses.every((a) => !a.ok || a.op === 'stat' || a.op === 'chdir' || a.op === 'access')) return false;
    return true;
  });
  return { ...m, entries };
}
