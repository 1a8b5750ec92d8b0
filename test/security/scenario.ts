/**
 * One attack, start to end: a fresh OUTSIDE, the jail (a new one for build, a copy of the template otherwise), the
 * attacker racing as the jailed user, the CLI under the guard, then what changed. The tests assert on the outcome.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startAttacker, type Plant } from './attacker.js';
import { ATTACKER, outsideChanges, secretsIn, type Arena } from './arena.js';
import { guarded, type GuardedRun } from './guarded-run.js';

export type Where = 'build-sftp' | 'build-scp' | 'verify';

export interface Scenario {
  tag: string;
  /** build (sftp+scp, fresh jail) or verify (template copy, with `args` after the jail). */
  command: 'build' | 'verify';
  args?: string[];
  /** build: which profile's scratch dirs ($TMPDIR/jailtrace-sftp-*, -scp-*); verify: JAIL/.jailtrace-verify-*. */
  attack: Where[];
  plants?: Plant[];
  swap?: boolean;
  /** Remove the jail's sftp-server first, so verify --fix has a round 1 to fix and a round 2 to run. */
  breakJail?: boolean;
  timeoutMs?: number;
  rssCapMiB?: number;
}

export interface Outcome {
  run: GuardedRun;
  planted: string[];
  /** What changed outside (empty: nothing). */
  changes: string[];
  /** Jail files holding a secret's bytes (empty: none). */
  secrets: string[];
  jail: string;
}

const PREFIX: Record<Exclude<Where, 'verify'>, string> = { 'build-sftp': 'jailtrace-sftp-', 'build-scp': 'jailtrace-scp-' };

export async function attackRun(arena: Arena, s: Scenario): Promise<Outcome> {
  const o = await arena.outside(s.tag);
  const jail = s.command === 'build' ? path.join(arena.base, `jail-${s.tag}`) : await arena.jail(s.tag);
  if (s.breakJail) await rm(path.join(jail, 'usr/lib/openssh/sftp-server'));
  const watch = s.attack.map((w) => (w === 'verify' ? { parent: jail, prefix: '.jailtrace-verify-' } : { parent: arena.tmp, prefix: PREFIX[w] }));
  const attacker = await startAttacker(arena.bin, {
    ...arena.user,
    watch,
    plants: s.plants,
    swap: s.swap,
    outsideDir: o.dir,
    outsideFile: o.file,
    trapDir: path.join(arena.tmp, `jt-trap-${s.tag}`),
    ms: 20_000,
  });
  const out = path.join(arena.base, `traces-${s.tag}`);
  const cli =
    s.command === 'build'
      ? ['build', jail, '--profile', 'sftp', '--profile', 'scp', '--user', ATTACKER, '--output-dir', out, '-q']
      : ['verify', jail, '--user', ATTACKER, '--output-dir', out, '--timeout', '20', ...(s.args ?? [])];
  const run = await guarded(cli, { tmp: arena.tmp, timeoutMs: s.timeoutMs ?? 60_000, rssCapMiB: s.rssCapMiB });
  const planted = await attacker.stop();
  return { run, planted, changes: await outsideChanges(o), secrets: await secretsIn(jail, o.secrets), jail };
}

/**
 * attackRun until the attacker won the race it is there for (`proves`), at most `tries` times: on a loaded machine
 * the fixed code can finish a step before the attacker acts, and a run where nothing was planted proves nothing. What
 * every attempt changed outside, and the secrets any attempt let in, are kept: an attempt that lost its race must
 * still have done no harm.
 */
export async function attackUntil(arena: Arena, s: Scenario, proves: (planted: string[]) => boolean, tries = 4): Promise<Outcome & { attempts: number }> {
  const changes: string[] = [];
  const secrets: string[] = [];
  for (let i = 0; ; i++) {
    const r = await attackRun(arena, { ...s, tag: i === 0 ? s.tag : `${s.tag}r${i}` });
    changes.push(...r.changes);
    secrets.push(...r.secrets);
    if (proves(r.planted) || i + 1 >= tries) return { ...r, changes, secrets, attempts: i + 1 };
    await arena.resetTmp();
  }
}
