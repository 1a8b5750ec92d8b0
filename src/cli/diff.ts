/** `jailtrace diff` and `jailtrace baseline save` on the command line: run the comparison, show it, pick the exit code. */
import type { DialectName } from '../../parsers/types.js';
import { diffCommand, type DiffOptions, type DiffReport } from '../app/diff.js';
import { saveBaseline } from '../diff/baseline.js';
import type { Need } from '../diff/needs.js';
import { EXIT } from '../errors.js';
import { octal } from '../plan/plan.js';
import { parseTraces } from '../trace.js';
import { showEvents } from './events.js';
import type { Output } from './output.js';
import { traceLimits } from './trace-limits.js';

/** diff's options as commander parses them (src/cli/register-diff.ts). */
type DiffCliOptions = Omit<DiffOptions, 'limits'> & { maxPaths?: number };

const short = (sha: string): string => sha.slice(0, 12);

function fieldText(f: string, a: Need, b: Need): string {
  const v = (n: Need): string => {
    const x = n[f as keyof Need];
    if (x === undefined) return '?';
    if (f === 'mode') return octal(x as number);
    if (f === 'sha256') return short(x as string);
    return String(x);
  };
  return `${f} ${v(a)} → ${v(b)}`;
}

export function renderDiff(r: DiffReport): string {
  const lines = [`old: ${r.old.label} (${r.old.kind}, ${r.old.needs} paths)`, `new: ${r.new.label} (${r.new.kind}, ${r.new.needs} paths)`];
  if (r.equal) return lines.concat('no difference').join('\n') + '\n';
  const d = r.diff;
  const byRole = new Map<string, string[]>();
  const add = (role: string, line: string): void => {
    byRole.set(role, [...(byRole.get(role) ?? []), line]);
  };
  for (const n of d.removed) add(n.role, `  - ${n.path}`);
  for (const n of d.added) add(n.role, `  + ${n.path}`);
  for (const m of d.moved)
    add(m.to.role, `  > ${m.from.path} → ${m.to.path}${m.fields.length ? `  (${m.fields.map((f) => fieldText(f, m.from, m.to)).join(', ')})` : ''}`);
  for (const c of d.changed) add(c.new.role, `  ~ ${c.path}: ${c.fields.map((f) => fieldText(f, c.old, c.new)).join(', ')}`);
  for (const role of [...byRole.keys()].sort()) lines.push('', `${role}:`, ...byRole.get(role)!);
  lines.push('', `${d.removed.length} removed, ${d.added.length} added, ${d.moved.length} moved, ${d.changed.length} changed`);
  return lines.join('\n') + '\n';
}

export async function runDiff(args: string[], o: DiffCliOptions, out: Output): Promise<number> {
  const r = await diffCommand(args, { ...o, limits: traceLimits(o) }, showEvents(out));
  if (o.json) out.json({ schema: 'jailtrace.diff/1', ...r });
  else out.result(renderDiff(r));
  return r.equal ? EXIT.OK : EXIT.FOUND;
}

export async function runBaselineSave(
  name: string,
  traces: string[],
  o: { cwd?: string; format?: string; baselines?: string; maxPaths?: number },
  out: Output,
): Promise<number> {
  const { withoutScratch } = await import('../manifest/merge.js');
  const { scratchOf } = await import('../manifest/trace-meta.js');
  const m = withoutScratch(
    await parseTraces(traces, { cwd: o.cwd, format: o.format as DialectName | 'auto' | undefined, limits: traceLimits(o) }),
    await scratchOf(traces),
  );
  const file = await saveBaseline(name, m, o.baselines);
  out.note(`baseline ${name}: ${m.entries.length} paths from ${m.source.files.length} trace file(s) saved to ${file}`);
  return EXIT.OK;
}
