/** `jailtrace diff` and `jailtrace baseline save`: load two sides, compare their needs, show the result. */
import type { DialectName } from '../../parsers/types.js';
import { saveBaseline } from '../diff/baseline.js';
import { diffNeeds, isEmptyDiff, type NeedsDiff } from '../diff/diff.js';
import { loadBaselineSide, loadSide, type Side } from '../diff/load.js';
import { jailContent, type Need } from '../diff/needs.js';
import { EXIT, UsageError } from '../errors.js';
import { octal } from '../jail/plan.js';
import type { Output } from '../output.js';
import type { TraceLimits } from '../limits.js';
import { parseTraces } from '../trace.js';
import { traceLimits } from './trace-limits.js';

export interface DiffCliOptions {
  cwd?: string;
  format?: string;
  json?: boolean;
  /** Compare every path, runtime data included (default: what a jail would hold). */
  all?: boolean;
  baseline?: string;
  baselines?: string;
  /** Trace built-in workloads now and use them as the NEW side. */
  profile?: string[];
  user?: string[];
  out?: Output;
  maxPaths?: number;
}

export interface DiffReport {
  old: { label: string; kind: Side['kind']; needs: number };
  new: { label: string; kind: Side['kind']; needs: number };
  diff: NeedsDiff;
  equal: boolean;
  /** What was compared: what a jail would hold (`jail`, the default) or every path (`all`, --all). */
  scope: 'jail' | 'all';
}

/** Sides that are what a build made, not what a program touched. */
const FROM_BUILD: ReadonlySet<Side['kind']> = new Set<Side['kind']>(['jail', 'record']);

export async function diffCommand(args: string[], o: DiffCliOptions): Promise<DiffReport> {
  const limits = traceLimits(o);
  const load = { cwd: o.cwd, format: o.format as DialectName | 'auto' | undefined, limits, all: o.all };
  let oldSide: Side;
  let newSide: Side;
  if (o.profile?.length) {
    if (o.baseline === undefined ? args.length !== 1 : args.length !== 0) throw new UsageError('with --profile, give --baseline NAME or one OLD side to compare the fresh run with');
    oldSide = o.baseline !== undefined ? await loadBaselineSide(o.baseline, o.baselines, undefined, o.all) : await loadSide(args[0], load);
    newSide = await profileSide(o.profile, o.user ?? [], o.out, limits, o.all);
  } else if (o.baseline !== undefined) {
    if (args.length !== 1) throw new UsageError('with --baseline NAME, give exactly one TRACE or MANIFEST to compare with it');
    oldSide = await loadBaselineSide(o.baseline, o.baselines, undefined, o.all);
    newSide = await loadSide(args[0], load);
  } else {
    if (args.length !== 2) throw new UsageError('give OLD and NEW (or --baseline NAME and one TRACE)');
    oldSide = await loadSide(args[0], load);
    newSide = await loadSide(args[1], load);
  }
  for (const s of [oldSide, newSide]) if (s.note) o.out?.note(s.note);
  // By default a side read from traces (a trace, a manifest, a baseline) is cut to what a jail would hold: runtime data
  // (temp dirs, terminals, /proc) is left out. A jail or its record holds only that already: build decided.
  if (!o.all) for (const s of [oldSide, newSide]) if (!FROM_BUILD.has(s.kind)) s.needs = jailContent(s.needs);
  const diff = diffNeeds(oldSide.needs, newSide.needs);
  const side = (s: Side) => ({ label: s.label, kind: s.kind, needs: s.needs.length });
  return { old: side(oldSide), new: side(newSide), diff, equal: isEmptyDiff(diff), scope: o.all ? 'all' : 'jail' };
}

/** A fresh run of built-in workloads as a diff side: traces merged, scratch data dropped. */
async function profileSide(profiles: string[], users: string[], out: Output | undefined, limits: TraceLimits, all = false): Promise<Side> {
  const { runWorkloads } = await import('./run-workloads.js');
  const { loadManifests } = await import('./load.js');
  const { mergeManifests, withoutScratch } = await import('../manifest/merge.js');
  const { needsFromManifest } = await import('../diff/needs.js');
  const { platformInfo } = await import('../platforms/index.js');
  // the fresh run's traces are read here and not kept: a private temp dir, removed even on an interrupt
  const { privateTraceDir } = await import('../jail/trace-dir.js');
  const scratch = await privateTraceDir('diff');
  try {
    const quiet: Output = out ?? ({ note: () => {} } as unknown as Output);
    const workloads = await runWorkloads({ profiles, traces: [], command: [], users, cwd: '/', outputDir: scratch.dir, limits }, quiet);
    const m = withoutScratch(mergeManifests(await loadManifests(workloads, limits)), workloads.flatMap((w) => w.excludes));
    return { label: `fresh run of --profile ${profiles.join(', ')}`, kind: 'trace', needs: needsFromManifest(m, platformInfo('linux'), { all }) };
  } finally {
    await scratch.done();
  }
}

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
  for (const m of d.moved) add(m.to.role, `  > ${m.from.path} → ${m.to.path}${m.fields.length ? `  (${m.fields.map((f) => fieldText(f, m.from, m.to)).join(', ')})` : ''}`);
  for (const c of d.changed) add(c.new.role, `  ~ ${c.path}: ${c.fields.map((f) => fieldText(f, c.old, c.new)).join(', ')}`);
  for (const role of [...byRole.keys()].sort()) lines.push('', `${role}:`, ...byRole.get(role)!);
  lines.push('', `${d.removed.length} removed, ${d.added.length} added, ${d.moved.length} moved, ${d.changed.length} changed`);
  return lines.join('\n') + '\n';
}

export async function runDiff(args: string[], o: DiffCliOptions, out: Output): Promise<number> {
  const r = await diffCommand(args, { ...o, out });
  if (o.json) out.json({ schema: 'jailtrace.diff/1', ...r });
  else out.result(renderDiff(r));
  return r.equal ? EXIT.OK : EXIT.FOUND;
}

export async function runBaselineSave(name: string, traces: string[], o: { cwd?: string; format?: string; baselines?: string; maxPaths?: number }, out: Output): Promise<number> {
  const { withoutScratch } = await import('../manifest/merge.js');
  const { scratchOf } = await import('../manifest/trace-meta.js');
  const m = withoutScratch(await parseTraces(traces, { cwd: o.cwd, format: o.format as DialectName | 'auto' | undefined, limits: traceLimits(o) }), await scratchOf(traces));
  const file = await saveBaseline(name, m, o.baselines);
  out.note(`baseline ${name}: ${m.entries.length} paths from ${m.source.files.length} trace file(s) saved to ${file}`);
  return EXIT.OK;
}
