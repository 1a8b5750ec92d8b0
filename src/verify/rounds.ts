/**
 * How verify --fix decides what to add and when to stop: fallbacks (paths opened only because something else failed:
 * src/expand/fallbacks.ts, and whatever a process touched after its exec failed, failure-path.ts) are never added, and a round that makes no progress ends the run with what was still missing and why copying could
 * not fix it. Pure: the caller gives the round's facts.
 */
import type { JailEntry } from '../expand/expand.js';
import { fallbackOf } from '../expand/fallbacks.js';
import { IN_JAIL } from '../check/judge.js';
import type { ApplyReport } from '../jail/apply.js';
import type { MissingFile } from './analyze.js';

export interface NotNeeded {
  path: string;
  why: string;
}

export interface Stopped {
  /** Why no further round is run. */
  why: string;
  /** What was still missing, each with why putting it in the jail did not (or cannot) help. */
  unfixed: Array<{ path: string; why: string }>;
}

/** Missing files the workload needs, and fallbacks it opened only because something else failed. */
export function splitFallbacks(missing: readonly MissingFile[]): { needed: MissingFile[]; notNeeded: NotNeeded[] } {
  const needed: MissingFile[] = [];
  const notNeeded: NotNeeded[] = [];
  for (const m of missing) {
    const why =
      fallbackOf(m.path) ??
      (m.after
        ? `opened only after the exec of ${m.after.exec} failed (pid ${m.after.pid}, trace line ${m.after.line}), on the process's way out: not needed once that exec works`
        : undefined);
    if (why) notNeeded.push({ path: m.path, why });
    else needed.push(m);
  }
  return { needed, notNeeded };
}

/** Why one still-missing file was not fixed by a round that put nothing back. */
function whyUnfixed(
  m: MissingFile,
  entries: ReadonlyMap<string, JailEntry>,
  apply: Pick<ApplyReport, 'results'>,
  refused: ReadonlyArray<{ path: string; detail?: string }>,
): string {
  const r = refused.find((x) => x.path === m.path);
  if (r) return `refused: ${r.detail ?? 'the write was refused'}`;
  if (m.kind === 'permission')
    return `the jail has it, but the user gets ${m.errno}: copying cannot fix that; look at its mode and owner, and its directories', in the jail`;
  const e = entries.get(m.path);
  if (!e) return 'the rules do not reach it on the host (it may be missing or unreadable there): add it by hand if the workload needs it';
  if (!IN_JAIL.has(e.decision)) return `the rules keep it out of a jail: ${e.reason}`;
  const done = apply.results.find((x) => x.action.path === m.path);
  if (done?.result === 'up-to-date') return 'the jail already has it as the rules want it: the failure lies elsewhere (see the failed steps)';
  return `not put back (${done ? `${done.result}${done.detail ? `: ${done.detail}` : ''}` : 'no action planned'})`;
}

/** A round whose fix put nothing back: the next would fail the same way. */
export function stoppedNoProgress(
  round: number,
  missing: readonly MissingFile[],
  entries: readonly JailEntry[],
  apply: Pick<ApplyReport, 'results'>,
  refused: ReadonlyArray<{ path: string; detail?: string }>,
): Stopped {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return {
    why:
      missing.length > 0
        ? `round ${round} put nothing back, so another round would fail the same way`
        : `nothing is missing and round ${round} had nothing to put back: the workload fails for another reason (see the failed steps and symptoms)`,
    unfixed: missing.map((m) => ({ path: m.path, why: whyUnfixed(m, byPath, apply, refused) })),
  };
}

/** The same missing files and failed steps as the round before, whose fix ran: that fix did not help. */
export function sameAsBefore(
  now: { missing: readonly MissingFile[]; failed: readonly string[] },
  before: { missing: readonly MissingFile[]; failed: readonly string[] },
): boolean {
  const key = (x: { missing: readonly MissingFile[]; failed: readonly string[] }) =>
    JSON.stringify([x.missing.map((m) => `${m.kind}:${m.path}`).sort(), [...x.failed].sort()]);
  return key(now) === key(before);
}

export function stoppedSameAsBefore(round: number, missing: readonly MissingFile[]): Stopped {
  return {
    why: `round ${round} failed exactly as round ${round - 1} did, after round ${round - 1}'s fix: what it put back was not what the workload lacks`,
    unfixed: missing.map((m) => ({
      path: m.path,
      why: 'still missing after it was put back: look at what the program does with it (jailtrace explain PATH --jail JAIL)',
    })),
  };
}
