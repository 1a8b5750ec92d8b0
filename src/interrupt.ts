/**
 * What must be undone when the CLI is interrupted (SIGINT/SIGTERM): stages register a synchronous cleanup (apply: its
 * temp files; capture: its tracer process groups), and src/cli.ts, the only signal handler, runs them before exiting.
 * Kept tiny so the CLI can install its handler without loading the stages.
 */
import { spawn } from 'node:child_process';

/**
 * Two phases: `kill` cleanups (tracer process groups) run first, so nothing is still writing when the `clean` ones
 * (temp files, scratch trees) run, newest first: a tree registered inside another is removed before its parent.
 */
export type InterruptPhase = 'kill' | 'clean';
const cleanups: Record<InterruptPhase, Array<() => void>> = { kill: [], clean: [] };

/** Register a synchronous cleanup; returns the function that unregisters it (call it once the thing is gone). */
export function onInterrupt(fn: () => void, phase: InterruptPhase = 'clean'): () => void {
  cleanups[phase].push(fn);
  return () => {
    const i = cleanups[phase].lastIndexOf(fn);
    if (i >= 0) cleanups[phase].splice(i, 1);
  };
}

export function runInterruptCleanups(): void {
  for (const fn of [...cleanups.kill, ...[...cleanups.clean].reverse()]) {
    try {
      fn();
    } catch {
      // best effort: we are exiting; the next run sweeps temp files and nothing else is left to undo
    }
  }
}

/**
 * While a program owns the terminal (`capture -- COMMAND`), SIGINT (Ctrl-C) is the program's, as under
 * `strace -o FILE COMMAND`: the terminal sends it to the program too, which decides; jailtrace reports when it ends.
 * src/cli.ts asks here before treating SIGINT as an interrupt. Returns the function that ends it.
 */
let programOwnsSigint = 0;
export function giveSigintToProgram(): () => void {
  programOwnsSigint++;
  let done = false;
  return () => {
    if (!done) programOwnsSigint--;
    done = true;
  };
}
export const sigintIsTheProgramsNow = (): boolean => programOwnsSigint > 0;

/**
 * Exit with `code` now, even with a file-system call stuck in the kernel. process.exit waits for libuv's thread pool,
 * and a call stuck there (an open() of a FIFO nobody writes) would keep the process alive for ever. When fs calls are
 * pending, a watchdog (`sh`, reading a pipe from us) re-sends the signal after a second if the pipe is still open,
 * i.e. if we are still alive; our handlers are gone by then, so the process dies by the signal itself (the shell still
 * sees 128+N: 130 for SIGINT). The pipe closes only with our last fd, so the watchdog never signals a reused pid.
 */
export function exitWithin(sig: NodeJS.Signals, code: number): never {
  if (process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'))) {
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    try {
      const dog = spawn('sh', ['-c', `timeout 1 cat >/dev/null; [ $? -eq 124 ] && kill -s ${sig.slice(3)} ${process.pid}`], {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      });
      dog.on('error', () => undefined);
      dog.unref();
    } catch {
      // no sh: exit as usual
    }
  }
  process.exit(code);
}
