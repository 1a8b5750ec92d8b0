/**
 * `jailtrace build`: traces (recorded, a command, or built-in profiles) → manifest → expansion → plan → apply.
 * Returns a report; the CLI prints it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { filterAccounts, type Accounts } from '../expand/accounts.js';
import { Expander, type JailEntry } from '../expand/expand.js';
import { makePlan, RECORD_FILE, type JailRecord } from '../plan/make-plan.js';
import { UsageError } from '../errors.js';
import { applyPlan, countResults, type ApplyReport } from '../jail/apply.js';
import type { Action, Plan } from '../plan/plan.js';
import { makeJailRoot } from '../jail/root.js';
import { refuseJailRoot } from '../jail/system-dirs.js';
import type { Manifest } from '../manifest/manifest.js';
import { platformInfo } from '../platforms/index.js';
import { hashFile } from '../check/hash.js';
import type { TraceLimits } from '../limits.js';
import { chrootDirProblems } from '../jail/chroot-rule.js';
import { loadManifests } from './load.js';
import type { Workload } from '../workload.js';
import { VERSION } from '../version.js';
import { collectInputs } from './up-to-date.js';

export interface BuildOptions {
  jail: string;
  users: string[];
  workloads: Workload[];
  dryRun: boolean;
  fullPasswd: boolean;
  allowSecrets: string[];
  /** --allow-device: device nodes made beyond the platform's safe list. */
  allowDevices?: string[];
  keepSetuid: string[];
  fixPerms: boolean;
  withStaticDeps: boolean;
  onProgress?: (done: number, total: number, what: string) => void;
  /** Caps on what a trace may make us hold. */
  limits?: TraceLimits;
  /** Profiles the jail's record names (what verify runs); default: the profile workloads' names. */
  recordProfiles?: string[];
  /** Where each user's home goes in the jail (see makePlan); default the passwd home. */
  homeInJail?: (u: { name: string; home: string }) => string | undefined;
  /**
   * Was the jail a directory before this run? Its traces may have made it (src/jail/trace-dir.ts); a jail new to
   * this run still gets the root's owner and mode from the plan. Default: whether it is one now.
   */
  jailExisted?: boolean;
  /**
   * Content hashes already taken in this run, by file identity (path, device, inode, size, mtime): many jails built
   * from one config hash each host file once. Default: none kept.
   */
  hashes?: Map<string, string>;
  /**
   * The request's key (src/app/up-to-date.ts requestKey): given, the record lists the build's inputs so that a later
   * rebuild with the same key can tell nothing changed. Not given: no inputs are recorded (never up to date).
   */
  inputsKey?: string;
}

export interface BuildReport {
  jail: string;
  dryRun: boolean;
  workloads: Workload[];
  manifests: Manifest[];
  entries: JailEntry[];
  plan: Plan;
  apply?: ApplyReport;
  /** Dry run: the plan compared with the jail as it is (applyPlan's dry run: nothing written), for "N to do". */
  preview?: ApplyReport;
  warnings: string[];
  /** Problems with the jail root and its ancestors under OpenSSH's ChrootDirectory rule. */
  rootProblems: string[];
  /** Sockets the programs used: they need a server-side setup, not a copy. */
  /** Sockets the traces used: `advice` to give the jail one when it matters; `note` when the jail does not need one. */
  sockets: Array<{ path: string; advice: string[]; note?: string }>;
  bytes: number;
  /** Wall time of each phase (ms): parsing traces, expansion and planning, apply. */
  timings: { parseMs: number; expandMs: number; applyMs: number };
}

async function readAccounts(users: string[]): Promise<Accounts> {
  const [pw, gr] = await Promise.all([readFile('/etc/passwd', 'utf8'), readFile('/etc/group', 'utf8')]);
  return filterAccounts(pw, gr, users);
}

/**
 * A build whose traces name no file would make an empty jail and exit 0: an empty trace (strace never ran, the output
 * was truncated) or a workload that did nothing. That is an input error, said with the trace's name.
 */
function refuseEmptyInput(workloads: readonly Workload[], manifests: readonly Manifest[]): void {
  if (manifests.length === 0) return; // a layout with no program to trace (internal-sftp): nothing was traced
  if (manifests.some((m) => m.entries.some((e) => e.path.startsWith('/') && e.accesses.some((a) => a.ok)))) return;
  const empty = manifests.flatMap((m) => (m.source.bytes === 0 ? m.source.files : []));
  const names = workloads.flatMap((w) => w.traces);
  const failed = workloads
    .flatMap((w) => w.steps.filter((s) => !s.ok))
    .map((s) => `${s.description} (${s.signal ? `killed by ${s.signal}` : `exit ${s.exitCode}`})`);
  const why =
    empty.length > 0
      ? `empty trace: ${empty.join(', ')}`
      : `the trace${names.length === 1 ? '' : 's'} ${names.join(', ') || '(live run)'} name no file the program opened`;
  throw new UsageError(
    `${why}${failed.length ? `; the workload failed: ${failed.join('; ')}` : ''}: nothing to build a jail from`,
    'check that the trace is the one strace wrote (strace -f -o FILE), that the program ran, and that --format matches it',
  );
}

/**
 * Copies apply re-planned because the host replaced their source since planning (an upgrade: see apply.ts
 * `upgradedSource`) carry the new file's facts: the entries and the record take them, so `check` compares with what
 * the jail really got. The record is written again (apply's write: compared, replaced by rename).
 */
async function recordReplanned(report: BuildReport): Promise<void> {
  const fresh = new Map(
    (report.apply?.results ?? []).flatMap((x) =>
      x.replanned && x.action.kind === 'copy' && (x.result === 'done' || x.result === 'up-to-date') ? [[x.action.path, x.replanned] as const] : [],
    ),
  );
  if (fresh.size === 0) return;
  const update = (e: JailEntry): JailEntry => {
    const f = fresh.get(e.path);
    if (!f || !e.host) return e;
    const { why: _why, ...facts } = f;
    void _why;
    return { ...e, host: { ...e.host, ...facts } };
  };
  report.entries = report.entries.map(update);
  const write = report.plan.actions.find((a): a is Extract<Action, { kind: 'write' }> => a.kind === 'write' && a.path === RECORD_FILE);
  if (!write) return;
  const record = JSON.parse(write.content) as JailRecord;
  const content = JSON.stringify({ ...record, entries: record.entries.map(update) }, null, 1) + '\n';
  const again = await applyPlan({
    jail: report.jail,
    actions: [{ ...write, content, reason: 'record updated: files the host replaced during the build (an upgrade) were copied with their new facts' }],
  });
  report.apply!.results.push(...again.results.filter((x) => x.result !== 'up-to-date'));
  for (const x of again.results) report.apply!.counts[x.result]++;
}

async function hashOnce(
  p: string,
  h: { dev?: number; ino?: number; size: number; mtimeMs: number },
  hashes?: Map<string, string>,
): Promise<string | undefined> {
  const id = h.dev !== undefined && h.ino !== undefined ? `${p}\0${h.dev}\0${h.ino}\0${h.size}\0${h.mtimeMs}` : undefined;
  const have = id !== undefined ? hashes?.get(id) : undefined;
  if (have) return have;
  const sum = await hashFile(p).catch(() => undefined);
  if (sum && id !== undefined) hashes?.set(id, sum);
  return sum;
}

export async function buildCommand(o: BuildOptions): Promise<BuildReport> {
  if (o.workloads.length === 0) throw new UsageError('nothing to trace', 'give --profile sftp / --profile scp, --trace FILE, or -- COMMAND ARGS');
  const jail = path.resolve(o.jail);
  await refuseJailRoot(jail);
  const platform = platformInfo('linux');

  const t0 = performance.now();
  const manifests: Manifest[] = await loadManifests(o.workloads, o.limits);
  refuseEmptyInput(o.workloads, manifests);
  const t1 = performance.now();
  const ex = new Expander({
    platform,
    excludes: o.workloads.flatMap((w) => w.excludes).concat([jail]),
    allowSecrets: new Set(o.allowSecrets),
    allowDevices: new Set(o.allowDevices ?? []),
    fullPasswd: o.fullPasswd,
    withStaticDeps: o.withStaticDeps,
  });
  await ex.addManifests(manifests);
  await ex.addInterpreters();
  if (o.withStaticDeps) {
    await ex.addStaticDeps();
    await ex.addInterpreters();
  }
  const entries = [...ex.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Content hashes of what is copied, so `check` can tell a stale host copy from a tampered jail copy.
  for (const e of entries)
    if (e.decision === 'copy' && e.host?.type === 'file' && e.host.sha256 === undefined) e.host.sha256 = await hashOnce(e.path, e.host, o.hashes);
  const readsAccounts = entries.some((e) => e.role === 'account' && e.decision !== 'report-only');
  const accounts = readsAccounts || o.users.length > 0 ? await readAccounts(o.users) : undefined;

  // the dependency set (issue 14): every host path the entries name, and the accounts build generates (or, with
  // --full-passwd, copies)
  const inputs =
    o.inputsKey && !o.dryRun
      ? await collectInputs(entries, o.fullPasswd ? ['/etc/passwd', '/etc/group'] : [], o.inputsKey, o.fullPasswd ? undefined : { users: o.users })
      : undefined;

  const plan = makePlan({
    jail,
    entries,
    accounts,
    homes: o.users.length > 0,
    homeInJail: o.homeInJail,
    record: {
      version: VERSION,
      jail,
      users: o.users,
      profiles: o.recordProfiles ?? o.workloads.filter((w) => w.kind === 'profile').map((w) => w.name),
      commands: o.workloads.filter((w) => w.kind === 'command').map((w) => w.argv ?? []),
      // every trace the entries cite ("seen at FILE:LINE"): recorded ones, and this run's live ones where they are kept
      traces: o.workloads.flatMap((w) => w.traces),
      warnings: ex.warnings,
      ...(inputs ? { inputs } : {}),
    },
  });

  // The jail root: OpenSSH's rule. Existing and wrong: warn (or fix with --fix-perms); the plan's root mkdir only
  // sets the root's mode when the jail is new or --fix-perms asks.
  const existed =
    o.jailExisted ??
    (await stat(jail).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  let rootProblems = existed ? await chrootDirProblems(jail) : [];
  if (existed && !o.fixPerms) plan.actions = plan.actions.filter((a) => a.path !== '/');

  const sockets = entries
    .filter((e) => e.role === 'socket')
    .map((e) => ({
      path: e.path,
      advice: e.path === '/dev/log' ? platform.syslog.map((s) => s.replaceAll('{jail}', jail)) : [],
      ...(e.path.includes('nscd') ? { note: 'not needed: glibc falls back to the files in the jail' } : {}),
    }));

  const t2 = performance.now();
  const report: BuildReport = {
    timings: { parseMs: Math.round(t1 - t0), expandMs: Math.round(t2 - t1), applyMs: 0 },
    jail,
    dryRun: o.dryRun,
    workloads: o.workloads,
    manifests,
    entries,
    plan,
    warnings: ex.warnings,
    rootProblems,
    sockets,
    bytes: plan.actions.reduce((n, a) => n + (a.kind === 'copy' ? a.size : 0), 0),
  };
  if (o.dryRun) {
    report.preview = await applyPlan(plan, { dryRun: true, keepSetuid: new Set(o.keepSetuid) });
    return report;
  }

  if (!existed) {
    await makeJailRoot(jail);
    rootProblems = await chrootDirProblems(jail);
    report.rootProblems = rootProblems;
  }
  const t3 = performance.now();
  report.apply = await applyPlan(plan, {
    keepSetuid: new Set(o.keepSetuid),
    onProgress: (done, total, a) => o.onProgress?.(done, total, a.path),
  });
  await recordReplanned(report);
  report.timings.applyMs = Math.round(performance.now() - t3);
  // build made the jail root itself (above, before applying): that is a change, as the dry run's "to do" counted it
  if (!existed) {
    report.apply.results = report.apply.results.map((x) =>
      x.action.path === '/' && x.result === 'up-to-date' ? { ...x, result: 'done' as const, detail: `created the jail root ${jail}` } : x,
    );
    report.apply.counts = countResults(report.apply.results);
  }
  if (o.fixPerms || !existed) report.rootProblems = await chrootDirProblems(jail);
  return report;
}
