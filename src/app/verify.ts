/**
 * `jailtrace verify JAIL`: run the workload *inside* the jail (chroot, then drop to the user, then exec — what
 * rssh_chroot_helper does) under the tracer, and report every access that failed in the jail but would succeed on
 * the host. `--fix` copies what is missing through the same plan/apply path as build and runs again.
 */
import path from 'node:path';
import { filterAccounts } from '../expand/accounts.js';
import type { JailEntry } from '../expand/expand.js';
import { judgeRecord } from '../check/judge.js';
import { makePlan, type JailRecord } from '../plan/make-plan.js';
import { UsageError } from '../errors.js';
import { applyPlan, type ApplyReport } from '../jail/apply.js';
import { lockJail, type LockOptions } from '../jail/lock.js';
import { refuseJailRoot } from '../jail/system-dirs.js';
import { makeScratch, removeScratch } from '../jail/scratch.js';
import { jailTraceDir, roundTraceDir } from '../jail/trace-dir.js';
import { ignoreEvents, note, warning, type OnEvent } from './events.js';
import { lookupUser } from '../profiles/workspace.js';
import { findMissing, type MissingFile } from '../verify/analyze.js';
import { symptomsIn } from '../verify/symptoms.js';
import { recordMissing } from '../verify/record-missing.js';
import { chrootPrefix } from '../verify/chroot-command.js';
import { layoutSteps, LAYOUT_PROFILE } from '../verify/layout.js';
import { chrootDirProblems } from '../jail/chroot-rule.js';
import { sameAsBefore, splitFallbacks, stoppedNoProgress, stoppedSameAsBefore, type NotNeeded, type Stopped } from '../verify/rounds.js';
import { readFile } from 'node:fs/promises';
import { VERSION } from '../version.js';
import { findJailRecord } from '../check/jail-read.js';
import type { TraceLimits } from '../limits.js';
import { loadManifests } from './load.js';
import { captureCommand, runWorkloads } from './run-workloads.js';
import { chainServices, rsshChainFor, rsshJailHomes } from '../rssh/chain.js';
import type { Workload } from '../workload.js';

export interface VerifyOptions {
  jail: string;
  profiles: string[];
  command: string[];
  user?: string;
  fix: boolean;
  rounds: number;
  /** Where the runs' traces go; default a folder of this run's in JAIL/.jailtrace/traces/, one `round-N/` per round. */
  outputDir?: string;
  sftpServer?: string;
  scp?: string;
  timeoutMs?: number;
  /** --allow-secret: the only secrets --fix may copy. */
  allowSecrets?: string[];
  /** --allow-device: the only devices beyond the platform's safe list --fix may make. */
  allowDevices?: string[];
  /** Caps on what a trace may make us hold. */
  limits?: TraceLimits;
  /**
   * The jail's lock (src/jail/lock.ts): exclusive with --fix, shared without. `false` when the caller already holds
   * it (the rssh build route verifies the jail it is building).
   */
  lock?: LockOptions | false;
}

export interface VerifyRound {
  round: number;
  missing: MissingFile[];
  steps: Workload['steps'];
  symptoms: Array<{ line: string; cause: string; look: string }>;
  /** Failed accesses that are not needs (a fallback after another failure): never added. */
  notNeeded?: NotNeeded[];
  /** Set on the last round when --fix stopped because a round made no progress. */
  stopped?: Stopped;
  fixed?: { copied: string[]; apply: Pick<ApplyReport, 'counts' | 'stopped'>; refused: Array<{ path: string; result: 'refused' | 'failed'; detail?: string }> };
}

export interface VerifyReport {
  jail: string;
  ok: boolean;
  rounds: VerifyRound[];
}

export async function verifyCommand(o: VerifyOptions, onEvent: OnEvent = ignoreEvents): Promise<VerifyReport> {
  const jail = path.resolve(o.jail);
  await refuseJailRoot(jail); // verify makes its scratch dir in the jail root
  const lock = o.lock === false ? undefined : await lockJail(jail, { mode: o.fix ? 'exclusive' : 'shared', ...(o.lock ?? {}) });
  try {
    return await verifyLocked(jail, o, onEvent);
  } finally {
    lock?.release();
  }
}

async function verifyLocked(jail: string, o: VerifyOptions, onEvent: OnEvent): Promise<VerifyReport> {
  // A jail jailtrace did not build (say, from ldd output): verify works from --user/--profile, and --fix starts a record.
  const found = await findJailRecord(jail);
  if (!found.found) onEvent(note(`${jail} has no jailtrace record: checking it with --user/--profile only`));
  const record: JailRecord = found.found
    ? found.record
    : {
        schema: 'jailtrace.jail/1',
        version: VERSION,
        jail,
        users: o.user ? [o.user] : [],
        profiles: o.profiles,
        commands: [],
        traces: [],
        entries: [],
        warnings: [],
      };
  const userName = o.user ?? record.users[0];
  const profiles = o.profiles.length || o.command.length ? o.profiles : record.profiles;
  if (profiles.length === 0 && o.command.length === 0) throw new UsageError('nothing to run in the jail', 'give --profile sftp / scp or -- COMMAND ARGS');
  if (o.command.length === 0 && profiles.every((p) => p === LAYOUT_PROFILE)) {
    // internal-sftp: sshd serves sftp itself, nothing of the jail runs; check what sshd needs of it (src/verify/layout.ts)
    const users = await Promise.all((o.user ? [o.user] : record.users).map((n) => lookupUser(n)));
    const steps = await layoutSteps(jail, users, await chrootDirProblems(jail));
    return { jail, ok: steps.every((s) => s.ok), rounds: [{ round: 1, missing: [], steps, symptoms: [] }] };
  }
  // rssh: the real chain from the host (rssh → setuid helper → chroot into this jail), never rssh inside the jail
  const chain = profiles.includes('rssh') && o.command.length === 0 ? await rsshChainFor(jail, userName) : undefined;
  for (const w of chain?.warnings ?? []) onEvent(warning(w));
  const user = userName ? await lookupUser(userName) : undefined;
  const rounds: VerifyRound[] = [];
  let entries: JailEntry[] = record.entries;
  // never the build's traces, nor another verify's: a folder of this run's in the record dir (src/jail/trace-dir.ts)
  const runDir = o.outputDir === undefined ? await jailTraceDir(jail, 'verify', { makeJail: false }) : undefined;

  for (let round = 1; round <= Math.max(1, o.rounds); round++) {
    const outputDir = runDir ? await roundTraceDir(runDir, round) : path.resolve(o.outputDir!);
    const scratch = await makeScratch(jail, user?.uid ?? 0);
    let workloads: Workload[];
    try {
      const chroot = await chrootPrefix(jail, user);
      workloads =
        o.command.length > 0
          ? [
              await captureCommand([...chroot, ...o.command], {
                cwd: '/',
                output: path.join(outputDir, `verify-${round}.strace`),
                timeoutMs: o.timeoutMs,
                limits: o.limits,
              }),
            ]
          : await runWorkloads(
              {
                profiles,
                traces: [],
                command: [],
                users: userName ? [userName] : [],
                cwd: '/',
                outputDir,
                sftpServer: o.sftpServer,
                scp: o.scp,
                limits: o.limits,
                profileExtra: {
                  chrootCommand: chroot,
                  scratchRoot: scratch.host,
                  scratchInJail: scratch.inJail,
                  timeoutMs: o.timeoutMs,
                  ...(chain ? { rsshChain: { jail }, rsshServices: chainServices(chain.view) } : {}),
                },
              },
              onEvent,
            );
    } finally {
      await removeScratch(scratch.host, user?.uid ?? 0, user?.gid ?? 0);
    }
    const manifests = await loadManifests(workloads, o.limits);
    const traced: MissingFile[] = [];
    for (const m of manifests)
      for (const x of await findMissing(m, jail, [scratch.inJail, ...workloads.flatMap((w) => w.excludes)]))
        if (!traced.some((y) => y.path === x.path)) traced.push(x);
    // the whole story at once: what the record says should be there and is not, beside what the run tripped over
    traced.push(
      ...(await recordMissing(jail, { ...record, entries }, traced, {
        allowSecrets: new Set(o.allowSecrets ?? []),
        allowDevices: new Set(o.allowDevices ?? []),
      })),
    );
    const { needed: missing, notNeeded } = splitFallbacks(traced);
    const steps = workloads.flatMap((w) => w.steps);
    const symptoms = symptomsIn(
      steps
        .filter((s) => !s.ok)
        .map((s) => s.stderr ?? '')
        .join('\n'),
    );
    const r: VerifyRound = { round, missing, steps, symptoms, ...(notNeeded.length ? { notNeeded } : {}) };
    rounds.push(r);
    const passed = missing.length === 0 && steps.every((s) => s.ok);
    if (passed || !o.fix || round === o.rounds) break;
    // the previous round's fix changed nothing the workload lacks: another fix would not either
    const before = rounds[rounds.length - 2];
    const failedOf = (x: VerifyRound) => x.steps.filter((s) => !s.ok).map((s) => s.description);
    if (before?.fixed && sameAsBefore({ missing, failed: failedOf(r) }, { missing: before.missing, failed: failedOf(before) })) {
      r.stopped = stoppedSameAsBefore(round, missing);
      break;
    }
    // --fix: the same expansion and confined apply as build, then run again
    const fixed = await fixMissing(jail, record, entries, missing, o.allowSecrets ?? [], o.allowDevices ?? []);
    entries = fixed.entries;
    const refused = [
      ...fixed.suspicious,
      ...fixed.apply.results.flatMap((x) =>
        x.result === 'refused' || x.result === 'failed' ? [{ path: x.action.path, result: x.result, detail: x.detail }] : [],
      ),
    ];
    r.fixed = { copied: fixed.copied, apply: { counts: fixed.apply.counts, stopped: fixed.apply.stopped }, refused };
    if (fixed.apply.stopped) break;
    // nothing put back (everything refused, kept out by the rules, or already there): another round would fail the same way
    if (fixed.copied.length === 0) {
      r.stopped = stoppedNoProgress(round, missing, fixed.entries, fixed.apply, refused);
      break;
    }
  }
  const last = rounds[rounds.length - 1];
  return { jail, ok: last.missing.length === 0 && last.steps.every((s) => s.ok), rounds };
}

async function fixMissing(
  jail: string,
  record: JailRecord,
  entries: JailEntry[],
  missing: MissingFile[],
  allowSecrets: readonly string[],
  allowDevices: readonly string[],
): Promise<{ entries: JailEntry[]; copied: string[]; apply: ApplyReport; suspicious: Array<{ path: string; result: 'refused'; detail: string }> }> {
  // The recorded entries judged again by the current rules, with fresh host facts (src/check/judge.ts): never the
  // record's own decisions, so a record cannot ask for a secret; its suspicious entries and users are left out.
  const judged = await judgeRecord(jail, { ...record, entries }, { allowSecrets: new Set(allowSecrets), allowDevices: new Set(allowDevices) });
  const ex = judged.expander;
  for (const m of missing) {
    if (m.kind === 'record') continue; // the judged record holds it already
    await ex.addPath(m.path, {
      via: 'trace',
      ops: m.kind === 'interpreter' ? ['exec'] : ['read'],
      first: { op: 'read', ok: false, errno: m.errno, pid: m.pid, line: m.line, syscall: `${m.syscall} (verify)`, ...(m.file ? { file: m.file } : {}) },
    });
  }
  await ex.addInterpreters();
  const all = [...ex.entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const needsAccounts = all.some((e) => e.role === 'account' && e.decision === 'generate');
  const accounts = needsAccounts ? filterAccounts(await readFile('/etc/passwd', 'utf8'), await readFile('/etc/group', 'utf8'), judged.users) : undefined;
  const plan = makePlan({
    jail,
    entries: all,
    accounts,
    homes: judged.users.length > 0,
    homeInJail: record.profiles.includes('rssh') ? rsshJailHomes(jail) : undefined,
    // the traces the new entries cite (this verify's, kept in its own folder) join the record's
    record: {
      version: VERSION,
      jail,
      users: record.users,
      profiles: record.profiles,
      commands: record.commands,
      traces: [...new Set([...record.traces, ...missing.flatMap((m) => (m.kind !== 'record' && m.file ? [m.file] : []))])],
      warnings: record.warnings,
    },
  });
  plan.actions = plan.actions.filter((a) => a.path !== '/'); // never touch the jail root's mode here
  const apply = await applyPlan(plan, {});
  // what this round put back: new entries, and recorded ones that had gone missing from the jail
  const copied = apply.results.filter((x) => x.result === 'done' && !x.action.path.startsWith('/.jailtrace')).map((x) => x.action.path);
  return {
    entries: all,
    copied,
    apply,
    suspicious: judged.suspicious.map((x) => ({ path: x.path, result: 'refused' as const, detail: `suspicious record: ${x.why}` })),
  };
}
