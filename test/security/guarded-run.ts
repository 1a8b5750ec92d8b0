/**
 * The CLI under watch: its own process group (so a hung run is killed whole), a time bound, a memory bound (the
 * resident size of the jailtrace process, sampled every 25 ms) and a way to interrupt it. A run the guard had to
 * kill says so in `killedBy`: that is the failure the tests look for, never a timing measurement.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { CLI } from '../hardening/helpers.js';

export interface GuardedRun {
  code: number | undefined;
  signal: string | undefined;
  /** Set when the guard ended the run: it would have gone on (time; or kill()) or was eating memory (memory). */
  killedBy?: 'time' | 'memory';
  maxRssMiB: number;
  all: string;
}

export interface Guard {
  pid: number;
  /** Send a signal to the jailtrace process (not its group: as a terminal's ^C reaches the foreground process). */
  signal(sig: NodeJS.Signals): void;
  /** Kill the whole run now (it is stuck and the test has seen enough); `killedBy` says `time`. */
  kill(): void;
  /** Resolves when the run ends, or after `ms` with `false`. */
  endsWithin(ms: number): Promise<boolean>;
  result: Promise<GuardedRun>;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  return kb ? Number(kb[1]) / 1024 : 0;
}

export function guardedRun(args: string[], o: { tmp: string; timeoutMs: number; rssCapMiB?: number }): Guard {
  // nice 19: the attacker (nice -20) wins the CPU whenever both want it, so a race is decided by what the code does
  const child = execa('nice', ['-n', '19', 'node', CLI, ...args], { reject: false, all: true, detached: true, stdin: 'ignore', env: { TMPDIR: o.tmp } });
  const pid = child.pid!;
  let killedBy: GuardedRun['killedBy'];
  let maxRss = 0;
  let ended = false;
  const killGroup = (why: NonNullable<GuardedRun['killedBy']>): void => {
    if (ended) return;
    killedBy ??= why;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => killGroup('time'), o.timeoutMs);
  const cap = o.rssCapMiB ?? 1024;
  const sampler = setInterval(() => {
    void rssMiB(pid).then((m) => {
      maxRss = Math.max(maxRss, m);
      if (m > cap) killGroup('memory');
    });
  }, 25);
  const result = child.then((r) => {
    ended = true;
    clearTimeout(timer);
    clearInterval(sampler);
    try {
      process.kill(-pid, 'SIGKILL'); // anything the run left behind in its group
    } catch {
      // nothing left
    }
    return { code: r.exitCode, signal: r.signal, killedBy, maxRssMiB: Math.round(maxRss), all: String(r.all ?? '') };
  });
  return {
    pid,
    signal: (sig) => {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    },
    kill: () => killGroup('time'),
    endsWithin: (ms) => Promise.race([result.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]),
    result,
  };
}

/** Run to the end under the guard. */
export const guarded = (args: string[], o: { tmp: string; timeoutMs: number; rssCapMiB?: number }): Promise<GuardedRun> => guardedRun(args, o).result;
