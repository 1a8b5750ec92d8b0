/**
 * Where a run's raw traces go when no --output-dir is given: a folder of its own in the jail's root-only record
 * directory, `JAIL/.jailtrace/traces/<time>-<command>/`. So traces never litter the current directory, never
 * overwrite another run's (two builds and a verify keep three folders), and live as long as the jail: the record's
 * `traces` and its entries' "seen at FILE:LINE" (jailtrace explain) point there.
 *
 * Written by the confined writer's rules (docs/security.md): nothing is made unless no user could swap a directory on
 * the way (src/host-chain.ts: the jail root must be root's and not writable by others, as OpenSSH requires anyway);
 * `.jailtrace` and `traces` are made 0700 by mkdir (which never follows a symlink) or, when there, must be root's
 * own directories; the run's folder is a new name (mkdir fails on any existing one).
 *
 * A dry run writes nothing anywhere: its traces go to a private temp dir that is removed when the run ends, or is
 * interrupted.
 */
import { rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RECORD_DIR } from '../plan/make-plan.js';
import { UsageError } from '../errors.js';
import { swappableBy } from '../host-chain.js';
import { onInterrupt } from '../interrupt.js';

export const TRACES_DIR = `${RECORD_DIR}/traces`;

export interface RunTraceDir {
  dir: string;
  /** Kept (the jail's, or the admin's --output-dir), or a dry run's temp dir that `done` removes. */
  kept: boolean;
  done(): Promise<void>;
}

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-').replace('Z', '');

/** An existing directory of the record must be root's own, not a symlink (mkdir does not follow one, lstat tells). */
async function ownDir(p: string, mode: number): Promise<void> {
  try {
    await mkdir(p, { mode });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new UsageError(
        `cannot make ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        'check the jail directory and the disk, or give --output-dir DIR',
      );
  }
  const st = await lstat(p);
  const me = process.geteuid?.() ?? 0;
  if (!st.isDirectory() || (st.uid !== 0 && st.uid !== me)) {
    throw new UsageError(
      `${p} is not jailtrace's own directory (${st.isSymbolicLink() ? 'a symlink' : st.isDirectory() ? `owned by uid ${st.uid}` : 'not a directory'}): traces are not written there`,
      'remove it (the record dir is root-only), or give --output-dir DIR',
    );
  }
}

/**
 * Make `JAIL/.jailtrace/traces/<time>-<label>/` and return it. `makeJail`: create a missing jail directory (build);
 * otherwise a missing jail is an error (verify).
 */
export async function jailTraceDir(jail: string, label: string, opts: { makeJail: boolean; now?: Date }): Promise<string> {
  const abs = path.resolve(jail);
  const traces = path.join(abs, TRACES_DIR);
  const why = await swappableBy(path.join(traces, 'run'));
  if (why) {
    throw new UsageError(
      `${abs}: a user could swap a directory on the way to its record (${why}): its traces are not written there`,
      `make the jail root root-owned and not writable by others (chown root ${abs}; chmod go-w ${abs}: OpenSSH requires it too), or give --output-dir DIR`,
    );
  }
  const st = await lstat(abs).catch(() => undefined);
  if (!st) {
    if (!opts.makeJail) throw new UsageError(`${abs} does not exist`, 'name the jail directory');
    await mkdir(abs, { recursive: true, mode: 0o755 });
  } else if (!st.isDirectory()) throw new UsageError(`${abs} is not a directory`, 'name the jail directory');
  await ownDir(path.join(abs, RECORD_DIR), 0o700);
  await ownDir(traces, 0o700);
  const base = `${stamp(opts.now ?? new Date())}-${label}`;
  for (let i = 1; i < 1000; i++) {
    const dir = path.join(traces, i === 1 ? base : `${base}-${i}`);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new UsageError(`cannot make ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the disk, or give --output-dir DIR');
    }
  }
  throw new UsageError(`${traces}: no free name for ${base}`, 'remove old trace folders');
}

/** verify's `round-N/` folder in its run's trace folder (root-only, like the folder). */
export async function roundTraceDir(runDir: string, round: number): Promise<string> {
  const dir = path.join(runDir, `round-${round}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** Traces read and not kept (a dry run's, diff's): a private temp dir (0700), removed by `done` or on an interrupt. */
export async function privateTraceDir(label = 'dry-run'): Promise<RunTraceDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `jailtrace-${label}-`));
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    kept: false,
    done: async () => {
      await rm(dir, { recursive: true, force: true });
      forget();
    },
  };
}

/** The traces of one run of `label` (build, verify) on `jail`: --output-dir, a dry run's temp dir, or the jail's. */
export async function runTraceDir(o: { outputDir?: string; dryRun?: boolean }, jail: string, label: string): Promise<RunTraceDir> {
  const keep = (dir: string): RunTraceDir => ({ dir, kept: true, done: async () => undefined });
  if (o.outputDir !== undefined) return keep(path.resolve(o.outputDir));
  if (o.dryRun) return privateTraceDir();
  return keep(await jailTraceDir(jail, label, { makeJail: true }));
}
