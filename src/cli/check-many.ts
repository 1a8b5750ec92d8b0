/**
 * `check JAIL...` and `sync JAIL...` (issue 14): many jails in one run, named on the command line or by a config
 * (`--from-rssh-conf` / `--from-sshd-config`, as build reads them). Jail by jail, each under its own lock; one inode
 * table for the run, so a file hard-linked into every jail (build's --link) is read and hashed once. Each jail's
 * findings are shown as `check JAIL` shows them; the exit code is the worst of the jails' (an error: 2 for check).
 * With --json, one document: `{ schema: 'jailtrace.check-many/1' | 'jailtrace.sync-many/1', jails: [...] }`.
 */
import path from 'node:path';
import { requireJailArg } from '../app/jail-arg.js';
import { InodeHashes } from '../check/hash.js';
import { EXIT, JailtraceError, UsageError, type ExitCode } from '../errors.js';
import { withJailLock } from '../jail/lock.js';
import { runCheck, runSync, type JudgeCliOptions } from './check.js';
import { lockOptions } from './lock-cli.js';
import type { Output } from './output.js';

export interface ManyJudgeOptions extends JudgeCliOptions {
  dryRun?: boolean;
  wait?: number;
  fromRsshConf?: string | boolean;
  fromSshdConfig?: string | boolean;
}

/** The jails to look at: the arguments, or every absolute ChrootDirectory / chrootpath the config names. */
export async function jailsToJudge(args: readonly string[], o: ManyJudgeOptions, out: Output, command: string): Promise<string[]> {
  const fromConfig = o.fromRsshConf !== undefined || o.fromSshdConfig !== undefined;
  if (fromConfig && args.length > 0) throw new UsageError(`jail directories and --from-rssh-conf/--from-sshd-config: choose one`, 'the config names the jails');
  if (!fromConfig) {
    if (args.length === 0)
      throw new UsageError('no jail directory given', `name them: jailtrace ${command} /srv/jail/a /srv/jail/b, or --from-rssh-conf / --from-sshd-config`);
    return [...new Set(args)];
  }
  const { manyConfig, readManyConfig, jailSpecsFromConfig } = await import('../app/many.js');
  const { file, rssh } = manyConfig(o);
  const specs = await jailSpecsFromConfig(file, await readManyConfig(file), rssh);
  for (const s of specs.filter((s) => !path.isAbsolute(s.jail)))
    out.note(`${s.jail}: not a jail directory (${(s.notes ?? []).join('; ') || 'no user named'}): passed over`);
  return [...new Set(specs.map((s) => s.jail).filter((j) => path.isAbsolute(j)))];
}

/** An error for one jail is said with the jail's name; the others are still looked at. */
const failed = (jail: string, e: unknown, out: Output): ExitCode => {
  if (!(e instanceof JailtraceError)) throw e;
  out.error(e.message.includes(path.resolve(jail)) || e.message.includes(jail) ? e.message : `${jail}: ${e.message}`);
  return e.exitCode;
};

/** Worst first: an error outranks findings (sync: a jail not written outranks both). */
const RANK: readonly ExitCode[] = [EXIT.APPLY, EXIT.BUSY, EXIT.USAGE, EXIT.FOUND];
const worst = (codes: readonly ExitCode[]): ExitCode => RANK.find((c) => codes.includes(c)) ?? codes.find((c) => c !== EXIT.OK) ?? EXIT.OK;

export async function runJudgeMany(command: 'check' | 'sync', jails: readonly string[], o: ManyJudgeOptions, out: Output): Promise<number> {
  const hashes = new InodeHashes();
  const docs: unknown[] = [];
  const codes: ExitCode[] = [];
  const each: JudgeCliOptions & { dryRun?: boolean } = { ...o, hashes, collect: (v) => docs.push(v) };
  const mode = command === 'sync' && !o.dryRun ? 'exclusive' : 'shared';
  for (const jail of jails) {
    try {
      await requireJailArg(jail, 'existing', command);
      const run = () => (command === 'check' ? runCheck(jail, each, out) : runSync(jail, each, out));
      codes.push((await withJailLock(jail, lockOptions(o, out, mode, jail), run)) as ExitCode);
    } catch (e) {
      codes.push(failed(jail, e, out));
      if (o.json) docs.push({ jail: path.resolve(jail), error: (e as Error).message });
    }
  }
  if (o.json) out.json({ schema: `jailtrace.${command}-many/1`, jails: docs });
  return worst(codes);
}
