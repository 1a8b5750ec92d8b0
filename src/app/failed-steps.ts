/**
 * A failed workload is a failed build: the workload steps that failed, each named with what it printed last
 * (src/cli/failed-steps.ts shows them and picks the exit code). The jail is still applied (what was traced, and the
 * record), so a rerun or `verify --fix` can go on from it.
 */
import type { Workload } from '../workload.js';

/** How many of a step's last output lines a failure shows. */
export const LAST_LINES = 5;

export interface FailedStep {
  /** The workload the step belongs to (a profile name, or the command line). */
  workload: string;
  step: string;
  exitCode?: number;
  signal?: string;
  /** The step's last lines of output (stderr; stdout when stderr is empty), oldest first. */
  lastLines: string[];
}

const tail = (text: string | undefined): string[] =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-LAST_LINES);

export function failedSteps(workloads: readonly Workload[]): FailedStep[] {
  return workloads.flatMap((w) =>
    w.steps
      .filter((s) => !s.ok)
      .map((s) => {
        const err = tail(s.stderr);
        return { workload: w.name, step: s.description, exitCode: s.exitCode, signal: s.signal, lastLines: err.length ? err : tail(s.stdout) };
      }),
  );
}
