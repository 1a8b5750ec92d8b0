/**
 * What must be undone when the CLI is interrupted (SIGINT/SIGTERM): stages register a synchronous cleanup (apply: its
 * temp files; capture: its tracer process groups), and src/cli.ts, the only signal handler, runs them before exiting.
 * Kept tiny so the CLI can install its handler without loading the stages.
 */
const cleanups = new Set<() => void>();

export function onInterrupt(fn: () => void): void {
  cleanups.add(fn);
}

export function runInterruptCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: we are exiting; the next run sweeps temp files and nothing else is left to undo
    }
  }
}
