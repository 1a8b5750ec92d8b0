/**
 * Tracers running now, and how to end each one with everything it traces: an interrupt (src/interrupt.ts, `kill`
 * phase) or a timeout ends them. Two kinds:
 * - a tracer in its own process group (the usual, piped run): the whole group is signalled at once;
 * - a tracer in the terminal's foreground group (`capture -- COMMAND`, whose program owns the terminal and its
 *   /dev/tty): it has no group of its own, so its tracees are found by their TracerPid (/proc/PID/status). strace
 *   blocks fatal signals while it runs a program (-I3), and a tracee outlives a SIGKILLed strace: the tracees are
 *   signalled, and strace gets SIGKILL only with them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { onInterrupt } from '../interrupt.js';

export type Killer = (signal: NodeJS.Signals) => void;

const live = new Map<number, Killer>();
onInterrupt(() => killLiveTracers('SIGKILL'), 'kill');

/** Synchronous: for the CLI's SIGINT/SIGTERM handler, before exit. */
export function killLiveTracers(signal: NodeJS.Signals = 'SIGKILL'): number {
  const n = live.size;
  for (const kill of live.values()) kill(signal);
  live.clear();
  return n;
}

const send = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone
  }
};

/** Signal process group `pid` (a tracer started `detached`). */
export const groupKiller =
  (pid: number): Killer =>
  (signal) =>
    send(-pid, signal);

interface Proc {
  pid: number;
  ppid: number;
  tracer: number;
  /** Start time (clock ticks since boot): a pid seen again with another start time is another process. */
  start: string;
}

/** Process `n` now, from /proc; undefined when gone or unreadable. */
function processOf(n: string): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${n}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const m = /^TracerPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${n}/status`, 'latin1'));
    return { pid: Number(n), ppid: Number(f[1]), tracer: m ? Number(m[1]) : 0, start: f[19] };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every process now, from /proc (pid, parent, tracer, start time); skipped when unreadable. */
function processes(): Proc[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).flatMap((n) => processOf(n) ?? []);
}

/** How often a terminal tracer's tracees are noted: a tracee outlives a strace that dies, and is then no one's. */
const WATCH_MS = 200;

/**
 * Signal what `tracer` (in the foreground group) traces; SIGKILL ends the tracer too. The tracees are noted while it
 * runs, so that when strace itself dies (its tracees then run on, untraced and reparented) they can still be ended:
 * those noted, still the same processes (start time), and their descendants.
 */
export function traceeKiller(tracer: number): Killer & { stop: () => void } {
  const noted = new Map<number, string>();
  // one process's files, not a scan of /proc: a short run (capture -- /bin/true) ends before the first look
  const tracerStart = processOf(String(tracer))?.start;
  const note = (): void => {
    for (const p of processes()) if (p.tracer === tracer) noted.set(p.pid, p.start);
  };
  const timer = setInterval(note, WATCH_MS);
  timer.unref();
  const first = setTimeout(note, 20);
  first.unref();
  const kill = (signal: NodeJS.Signals): void => {
    const all = processes();
    const targets = new Set(all.filter((p) => p.tracer === tracer || noted.get(p.pid) === p.start).map((p) => p.pid));
    // and what they started since the last look
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of all) if (!targets.has(p.pid) && targets.has(p.ppid)) grew = targets.add(p.pid).size > 0;
    }
    for (const t of targets) send(t, signal);
    // strace itself, while it is still the process we started (it may have exited and its pid been reused)
    if (signal === 'SIGKILL' && tracerStart !== undefined && all.find((p) => p.pid === tracer)?.start === tracerStart) send(tracer, 'SIGKILL');
  };
  return Object.assign(kill, {
    stop: () => {
      clearInterval(timer);
      clearTimeout(first);
    },
  });
}

/** Track a running tracer until `release`; `kill` signals it (and what it traces) now. */
export function track(pid: number | undefined, make: (pid: number) => Killer & { stop?: () => void } = groupKiller): { kill: Killer; release: () => void } {
  if (pid === undefined) return { kill: () => undefined, release: () => undefined };
  const kill = make(pid);
  live.set(pid, kill);
  return {
    kill,
    release: () => {
      kill.stop?.();
      live.delete(pid);
    },
  };
}
