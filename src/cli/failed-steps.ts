/**
 * A failed workload is a failed build: the exit code `build` gives a run (5 when a step failed, 3 when the jail could
 * not be written), and the lines that name each failed step with what it printed last (src/app/failed-steps.ts).
 */
import type { BuildReport } from '../app/build.js';
import { failedSteps } from '../app/failed-steps.js';
import { EXIT, type ExitCode } from '../errors.js';

/** The exit code of one build: the jail not written (3) before a failed workload (5). */
export function buildExit(r: BuildReport): ExitCode {
  if (r.apply && (r.apply.counts.failed > 0 || r.apply.counts.refused > 0)) return EXIT.APPLY;
  if (failedSteps(r.workloads).length > 0) return EXIT.PROGRAM;
  return EXIT.OK;
}

/** The worst of several builds' exit codes (many jails from one config): 3 before 5 before 0. */
export function worstExit(codes: readonly ExitCode[]): ExitCode {
  const rank: readonly ExitCode[] = [EXIT.APPLY, EXIT.PROGRAM];
  return rank.find((c) => codes.includes(c)) ?? codes.find((c) => c !== EXIT.OK) ?? EXIT.OK;
}

/** Lines for stderr: which steps failed, what each printed last, and what the jail now holds. */
export function renderFailedSteps(r: BuildReport): string[] {
  const failed = failedSteps(r.workloads);
  if (failed.length === 0) return [];
  const total = r.workloads.reduce((n, w) => n + w.steps.length, 0);
  const lines = [`${r.jail}: build FAILED: ${failed.length} of ${total} workload steps failed`];
  for (const f of failed) {
    const status = f.exitCode !== undefined ? ` (exit ${f.exitCode})` : f.signal ? ` (${f.signal})` : '';
    lines.push(`  step failed: ${f.step.startsWith(f.workload) ? '' : `${f.workload}: `}${f.step}${status}${f.lastLines.length ? '; its last output:' : ''}`);
    for (const l of f.lastLines) lines.push(`    | ${l}`);
  }
  lines.push(
    r.dryRun
      ? '  nothing was written (dry run); the plan above is what the failed run touched'
      : `  the jail holds what the run touched, and its record: fix the cause and rerun the build, or run jailtrace verify ${r.jail} --fix${r.workloads.some((w) => w.kind === 'command') ? ' -- COMMAND' : ''}`,
  );
  return lines;
}
