/**
 * `jailtrace capture`: trace a command (it owns the terminal) or built-in profiles, parse what they touched, and
 * optionally store the whole run as a baseline. Returns the workloads and their manifests; src/cli/capture.ts shows
 * them and picks the exit code.
 */
import path from 'node:path';
import type { TraceLimits } from '../limits.js';
import type { Manifest } from '../manifest/manifest.js';
import type { Workload } from '../workload.js';
import { ignoreEvents, type OnEvent } from './events.js';
import { loadManifests } from './load.js';
import { captureCommand, runWorkloads } from './run-workloads.js';

export interface CaptureOptions {
  output?: string;
  outputDir?: string;
  cwd: string;
  user?: string;
  profile: string[];
  timeoutMs?: number;
  limits: TraceLimits;
  /** Store the run as this baseline (src/diff/baseline.ts), in `baselines` or the default store. */
  baseline?: string;
  baselines?: string;
}

export interface CaptureResult {
  workloads: Workload[];
  manifests: Manifest[];
  /** Where the baseline went, when one was asked for. */
  baselineFile?: string;
}

const stampNow = (): string => new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');

export async function captureRun(command: string[], o: CaptureOptions, onEvent: OnEvent = ignoreEvents): Promise<CaptureResult> {
  const { limits, timeoutMs } = o;
  const stamp = stampNow();
  const workloads =
    command.length > 0
      ? [
          await captureCommand(command, {
            cwd: path.resolve(o.cwd),
            user: o.user,
            output: path.resolve(o.output ?? path.join(o.outputDir ?? '.', `${path.basename(command[0])}-${stamp}.strace`)),
            timeoutMs,
            limits,
            terminal: true,
          }),
        ]
      : await runWorkloads(
          {
            profiles: o.profile,
            traces: [],
            command: [],
            users: o.user ? [o.user] : [],
            cwd: o.cwd,
            outputDir: o.outputDir ?? `${o.profile.join('+')}-${stamp}`,
            limits,
          },
          onEvent,
        );
  const manifests = await loadManifests(workloads, limits);
  if (!o.baseline) return { workloads, manifests };
  // one baseline for the whole workload, without its scratch data (two runs of it must compare equal)
  const { saveBaseline } = await import('../diff/baseline.js');
  const { mergeManifests, withoutScratch } = await import('../manifest/merge.js');
  const baselineFile = await saveBaseline(
    o.baseline,
    withoutScratch(
      mergeManifests(manifests),
      workloads.flatMap((w) => w.excludes),
    ),
    o.baselines,
  );
  return { workloads, manifests, baselineFile };
}
