/** `jailtrace diff`: load two sides (or a fresh run of the profiles), compare their needs; src/cli/diff.ts shows it. */
import type { DialectName } from '../../parsers/types.js';
import { diffNeeds, isEmptyDiff, type NeedsDiff } from '../diff/diff.js';
import { loadBaselineSide, loadSide, type Side } from '../diff/load.js';
import { jailContent } from '../diff/needs.js';
import { UsageError } from '../errors.js';
import type { TraceLimits } from '../limits.js';
import { ignoreEvents, note, type OnEvent } from './events.js';

export interface DiffOptions {
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
  limits: TraceLimits;
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

export async function diffCommand(args: string[], o: DiffOptions, onEvent: OnEvent = ignoreEvents): Promise<DiffReport> {
  const { limits } = o;
  const load = { cwd: o.cwd, format: o.format as DialectName | 'auto' | undefined, limits, all: o.all };
  let oldSide: Side;
  let newSide: Side;
  if (o.profile?.length) {
    if (o.baseline === undefined ? args.length !== 1 : args.length !== 0)
      throw new UsageError('with --profile, give --baseline NAME or one OLD side to compare the fresh run with');
    oldSide = o.baseline !== undefined ? await loadBaselineSide(o.baseline, o.baselines, undefined, o.all) : await loadSide(args[0], load);
    newSide = await profileSide(o.profile, o.user ?? [], onEvent, limits, o.all);
  } else if (o.baseline !== undefined) {
    if (args.length !== 1) throw new UsageError('with --baseline NAME, give exactly one TRACE or MANIFEST to compare with it');
    oldSide = await loadBaselineSide(o.baseline, o.baselines, undefined, o.all);
    newSide = await loadSide(args[0], load);
  } else {
    if (args.length !== 2) throw new UsageError('give OLD and NEW (or --baseline NAME and one TRACE)');
    oldSide = await loadSide(args[0], load);
    newSide = await loadSide(args[1], load);
  }
  for (const s of [oldSide, newSide]) if (s.note) onEvent(note(s.note));
  // By default a side read from traces (a trace, a manifest, a baseline) is cut to what a jail would hold: runtime data
  // (temp dirs, terminals, /proc) is left out. A jail or its record holds only that already: build decided.
  if (!o.all) for (const s of [oldSide, newSide]) if (!FROM_BUILD.has(s.kind)) s.needs = jailContent(s.needs);
  const diff = diffNeeds(oldSide.needs, newSide.needs);
  const side = (s: Side) => ({ label: s.label, kind: s.kind, needs: s.needs.length });
  return { old: side(oldSide), new: side(newSide), diff, equal: isEmptyDiff(diff), scope: o.all ? 'all' : 'jail' };
}

/** A fresh run of built-in workloads as a diff side: traces merged, scratch data dropped. */
async function profileSide(profiles: string[], users: string[], onEvent: OnEvent, limits: TraceLimits, all = false): Promise<Side> {
  const { runWorkloads } = await import('./run-workloads.js');
  const { loadManifests } = await import('./load.js');
  const { mergeManifests, withoutScratch } = await import('../manifest/merge.js');
  const { needsFromManifest } = await import('../diff/needs.js');
  const { platformInfo } = await import('../platforms/index.js');
  // the fresh run's traces are read here and not kept: a private temp dir, removed even on an interrupt
  const { privateTraceDir } = await import('../jail/trace-dir.js');
  const scratch = await privateTraceDir('diff');
  try {
    const workloads = await runWorkloads({ profiles, traces: [], command: [], users, cwd: '/', outputDir: scratch.dir, limits }, onEvent);
    const m = withoutScratch(
      mergeManifests(await loadManifests(workloads, limits)),
      workloads.flatMap((w) => w.excludes),
    );
    return { label: `fresh run of --profile ${profiles.join(', ')}`, kind: 'trace', needs: needsFromManifest(m, platformInfo('linux'), { all }) };
  } finally {
    await scratch.done();
  }
}
