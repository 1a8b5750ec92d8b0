/** `jailtrace parse`: traces → manifest, shown as a grouped summary or as JSON. */
import type { DialectName } from '../../parsers/types.js';
import type { TraceLimits } from '../limits.js';
import type { Manifest, ManifestEntry } from '../manifest/manifest.js';
import type { Platform } from '../syscalls.js';
import { parseTraces } from '../trace.js';

export interface ParseCommandOptions {
  format?: DialectName | 'auto';
  cwd?: string;
  platform?: Platform;
  onProgress?: (done: number, total: number) => void;
  limits?: TraceLimits;
}

export async function parseCommand(traces: string[], opts: ParseCommandOptions): Promise<Manifest> {
  return parseTraces(traces, opts);
}

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
      `${s.lines} lines, ${m.processes.length} processes, ${m.entries.length} paths, ${m.warningCount} warnings`,
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
  if (m.warningCount > 0) {
    const shown = opts.verbose ? m.warnings : m.warnings.slice(0, 10);
    out.push('', `warnings (${m.warningCount}):`);
    for (const w of shown) out.push(`  ${w.file ?? s.files[0]}:${w.line}: ${w.message}`);
    if (m.warningCount > shown.length) out.push(`  … ${m.warningCount - shown.length} more (-v shows up to ${m.warnings.length})`);
  }
  return out.join('\n') + '\n';
}
