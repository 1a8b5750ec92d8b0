/** `jailtrace parse`'s manifest (src/trace.ts parseTraces) shown as a grouped summary; and `plural`, for every summary. */
import type { Manifest, ManifestEntry, WarningRecord } from '../manifest/manifest.js';

/** Groups for the summary, in order; an entry goes in the first group it fits. */
const GROUPS: Array<{ title: string; test: (e: ManifestEntry) => boolean }> = [
  { title: 'executed', test: (e) => e.accesses.some((a) => a.ok && a.op === 'exec') },
  { title: 'connected to', test: (e) => e.accesses.some((a) => a.ok && a.op === 'connect') },
  { title: 'written or created', test: (e) => e.accesses.some((a) => a.ok && (a.op === 'write' || a.op === 'create')) },
  { title: 'read', test: (e) => e.accesses.some((a) => a.ok && (a.op === 'read' || a.op === 'readlink' || a.op === 'list')) },
  { title: 'chroot / chdir', test: (e) => e.accesses.some((a) => a.ok && (a.op === 'chroot' || a.op === 'chdir')) },
  { title: 'looked at (stat, access)', test: (e) => e.accesses.some((a) => a.ok) },
  { title: 'failed only', test: () => true },
];

export function renderParseSummary(m: Manifest, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const s = m.source;
  out.push(
    `${s.files.length === 1 ? s.files[0] : `${s.files.length} trace files`}: ${s.format}${s.detected ? ' (detected)' : ''}, ` +
      `${plural(s.lines, 'line')}, ${plural(m.processes.length, 'process', 'processes')}, ${plural(m.entries.length, 'path')}, ` +
      `${plural(m.noteCount ?? 0, 'note')}, ${plural(m.warningCount, 'warning')}`,
  );
  const groups = new Map<string, ManifestEntry[]>();
  for (const e of m.entries) {
    const g = GROUPS.find((x) => x.test(e))!;
    const list = groups.get(g.title) ?? [];
    list.push(e);
    groups.set(g.title, list);
  }
  for (const g of GROUPS) {
    const list = groups.get(g.title);
    if (!list) continue;
    out.push('', `${g.title} (${list.length}):`);
    for (const e of list) {
      const fails = e.accesses.filter((a) => !a.ok);
      const errs = [...new Set(fails.map((a) => a.errno ?? '?'))];
      const jail = e.accesses.find((a) => a.jailPath)?.jailPath;
      const note = [jail ? `in chroot: ${jail}` : '', g.title === 'failed only' ? errs.join(',') : ''].filter(Boolean).join('; ');
      out.push(`  ${e.path}${note ? `  (${note})` : ''}`);
    }
  }
  for (const k of KINDS) {
    const count = k.count(m);
    if (count === 0) continue;
    const list = k.list(m);
    const shown = opts.verbose ? list : list.slice(0, 10);
    out.push('', `${k.title} (${count}): ${k.means}`);
    for (const w of shown) out.push(`  ${w.file ?? s.files[0]}:${w.line}: ${w.message}`);
    if (count > shown.length) out.push(`  … ${count - shown.length} more (-v shows up to ${list.length})`);
  }
  return out.join('\n') + '\n';
}

/** Notes and warnings, apart: what each means for the trace and for the exit code. */
const KINDS: Array<{ title: string; means: string; count: (m: Manifest) => number; list: (m: Manifest) => WarningRecord[] }> = [
  {
    title: 'notes',
    means: 'about a trace that was read: paths it could not place (exit code unchanged)',
    count: (m) => m.noteCount ?? 0,
    list: (m) => m.notes ?? [],
  },
  { title: 'warnings', means: 'lines that could not be read; everything else was parsed (exit 2)', count: (m) => m.warningCount, list: (m) => m.warnings },
];

/** `1 process`, `2 processes`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
