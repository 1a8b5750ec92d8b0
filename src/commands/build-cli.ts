/** The CLI side of `build`: gather workloads (profiles, command, traces), run the build, show the report. */
import path from 'node:path';
import type { BuildCliOptions } from './register-build.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { describeAction, renderDryRun, renderReport } from '../jail/render.js';
import { lockJail, withJailLock } from '../jail/lock.js';
import { refuseJailRoot } from '../jail/system-dirs.js';
import { requireJailArg, requireRoot } from './jail-arg.js';
import { lockOptions } from './lock-cli.js';
import { LAYOUT_PROFILE } from '../verify/layout.js';
import type { Output } from '../output.js';
import { buildCommand, type BuildReport, type Workload } from './build.js';
import { sharedBuildOptions } from './build-options.js';
import { plural } from './parse.js';
import { traceLimits } from './trace-limits.js';
import { gatherWorkloads } from './workloads.js';
import { isDirectory } from './trace-output.js';
import { runTraceDir } from '../jail/trace-dir.js';
import { buildExit, failedSteps, renderFailedSteps, worstExit } from './failed-steps.js';

export async function runBuild(jail: string | undefined, command: string[], o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (o.fromRsshConf !== undefined || o.fromSshdConfig !== undefined) {
    requireRoot('build', 'it runs the profiles as the jails\' users and writes the jails as root');
    return runMany(jail, o, out, g);
  }
  if (!jail) throw new UsageError('no jail directory given', 'name it: jailtrace build /srv/jail/NAME --profile sftp --user USER');
  if (o.profile.length === 0 && o.trace.length === 0 && command.length === 0) {
    throw new UsageError('nothing to trace', 'give --profile sftp (and/or scp), --trace FILE, or -- COMMAND ARGS');
  }
  // the profiles run as the jail's users, and a real build writes as root; a dry run of traces or a command does not
  if (!o.dryRun || o.profile.length > 0) requireRoot('build', o.dryRun ? 'the profiles run as the jail\'s users' : 'it writes the jail as root: owners, modes, device nodes');
  await requireJailArg(jail, 'new', 'build'); // a symlinked jail root: refused once, here, dry run or not
  await refuseJailRoot(jail); // before anything is traced
  // one writer per jail (src/jail/lock.ts), from before the trace to the record; a dry run writes nothing
  if (o.dryRun) return runBuildLocked(jail, command, o, out, g);
  return withJailLock(jail, lockOptions(o, out, 'exclusive', jail), () => runBuildLocked(jail, command, o, out, g));
}

async function runBuildLocked(jail: string, command: string[], o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (o.profile.includes('rssh')) return runRsshBuild(jail, o, out, g);
  const progress = out.progress('building');
  const tw = performance.now();
  const jailExisted = await isDirectory(jail);
  // live traces: a folder of this run's in the jail's record dir, --output-dir, or (dry run) a temp dir removed after
  const traces = o.profile.length > 0 || command.length > 0 ? await runTraceDir(o, jail, 'build') : undefined;
  const report = await (async () => {
    const workloads: Workload[] = await gatherWorkloads({ profiles: o.profile, traces: o.trace, command, users: o.user, cwd: o.cwd, sftpServer: o.sftpServer, scp: o.scp, outputDir: traces?.dir ?? '.', limits: traceLimits(o) }, out);
    for (const w of workloads) w.excludes.push(...o.exclude.map((d) => path.resolve(d)));
    return buildCommand({
      jail,
      users: o.user,
      workloads,
      ...sharedBuildOptions(o),
      jailExisted,
      onProgress: progress.update,
    });
  })().finally(async () => {
    progress.done();
    await traces?.done();
  });
  traceMs = Math.round(performance.now() - tw) - report.timings.parseMs - report.timings.expandMs - report.timings.applyMs;
  if (o.json) out.json(jsonReport(report));
  else if (!out.quiet || report.dryRun) out.result(renderBuild(report, Boolean(g.verbose)));
  const failedText = renderFailedSteps(report);
  if (failedText.length) out.error(failedText.join('\n'));
  return buildExit(report);
}

let traceMs = 0;

function jsonReport(r: BuildReport): unknown {
  return {
    timings: { traceMs: Math.max(0, traceMs), ...r.timings },
    schema: 'jailtrace.build/1',
    jail: r.jail,
    failedSteps: failedSteps(r.workloads),
    dryRun: r.dryRun,
    workloads: r.workloads,
    entries: r.entries,
    plan: r.plan.actions.map((a) => (a.kind === 'write' ? { ...a, content: `${a.content.length} bytes` } : a)),
    // a dry run's "would be done" counts (the same measure as apply.counts.done): what Ansible's check mode reports
    preview: r.preview && { counts: r.preview.counts },
    apply: r.apply && { counts: r.apply.counts, stopped: r.apply.stopped, removedTemps: r.apply.removedTemps, results: r.apply.results.filter((x) => x.result !== 'up-to-date' || x.replanned).map((x) => ({ path: x.action.path, kind: x.action.kind, result: x.result, detail: x.detail, ...(x.replanned ? { replanned: x.replanned } : {}) })) },
    warnings: r.warnings,
    rootProblems: r.rootProblems,
    sockets: r.sockets,
    bytes: r.bytes,
  };
}

export function renderBuild(r: BuildReport, verbose: boolean): string {
  const lines: string[] = [];
  const count = (k: string) => r.plan.actions.filter((a) => a.kind === k).length;
  if (r.dryRun) {
    // the same measure as the real run's "N changed" and -v's "N done": actions that would change the jail
    const c = r.preview?.counts;
    lines.push(`dry run: nothing written. Plan for ${r.jail}${c ? `: ${c.done} to do, ${c['up-to-date']} up to date` : ''}:`, renderDryRun(r.plan).trimEnd());
  } else if (r.apply) {
    const c = r.apply.counts;
    // every action done is a change, the record's own included (-v's "N done" counts the same); it is named when it was
    const recordUpdated = r.apply.results.some((x) => x.result === 'done' && x.action.path.startsWith('/.jailtrace'));
    lines.push(
      `${r.jail}: ${plural(count('copy'), 'file')} (${(r.bytes / 1048576).toFixed(1)} MiB), ${plural(count('mkdir'), 'directory', 'directories')}, ${plural(count('symlink'), 'symlink')}, ` +
        `${plural(count('mknod'), 'device')}, ${count('write')} generated — ${c.done} changed, ${c['up-to-date']} up to date` +
        (recordUpdated ? ' (record updated)' : '') +
        (c.refused ? `, ${c.refused} REFUSED` : '') +
        (c.failed ? `, ${c.failed} FAILED` : ''),
    );
    if (verbose) lines.push(renderReport(r.apply).trimEnd());
    else for (const x of r.apply.results.filter((x) => x.result === 'refused' || x.result === 'failed')) lines.push(`  ${x.result}: ${describeAction(x.action)}${x.detail ? ` — ${x.detail}` : ''}`);
    for (const x of r.apply.results.filter((x) => x.replanned)) lines.push(`  re-planned: ${x.action.path}: ${x.replanned!.why}`);
    if (r.apply.stopped) lines.push(`stopped: ${r.apply.stopped.path}: ${r.apply.stopped.message}`);
    if (r.apply.removedTemps?.length) lines.push(`removed ${plural(r.apply.removedTemps.length, 'temp file')} an interrupted run left: ${r.apply.removedTemps.join(', ')}`);
  }
  const skipped = r.entries.filter((e) => e.decision === 'skip' && e.role === 'secret');
  for (const e of skipped) lines.push(`not copied: ${e.path}: ${e.reason}`);
  for (const e of r.entries.filter((x) => x.decision === 'skip' && x.role === 'device')) lines.push(`device ${e.path}: ${e.reason}`);
  for (const s of r.sockets) {
    // said once, and only when it matters: a socket the jail does not need is shown with -v
    if (s.note && !verbose) continue;
    lines.push(`socket ${s.path}: not copied (a server makes it)${s.note ? `; ${s.note}` : s.advice.length ? '; to give the jail one:' : ''}`);
    for (const a of s.advice) lines.push(`    ${a}`);
  }
  // --fix-perms changes the jail root's owner and modes, nothing above it: offered for the jail root's own problems
  for (const p of r.rootProblems) lines.push(`warning: ${p}${p.startsWith(`${r.jail} (the jail root) is `) && /chown|chmod/.test(p) ? ' (or build with --fix-perms)' : ''}`);
  for (const w of r.warnings.slice(0, verbose ? undefined : 10)) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

export const relativeTo = (p: string) => path.relative(process.cwd(), p) || '.';

/** Profiles jailtrace can trace, from the service names the configs use. */
const TRACEABLE = new Set(['sftp', 'scp']);

async function runMany(jail: string | undefined, o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (jail) throw new UsageError('a jail directory and --from-rssh-conf/--from-sshd-config: choose one', 'the config names the jails');
  const { readFile } = await import('node:fs/promises');
  const { jailsFromRsshConf, buildMany } = await import('./many.js');
  const rssh = o.fromRsshConf !== undefined;
  const file = rssh ? (typeof o.fromRsshConf === 'string' ? o.fromRsshConf : '/etc/rssh.conf') : typeof o.fromSshdConfig === 'string' ? o.fromSshdConfig : '/etc/ssh/sshd_config';
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code}`, 'name the config file');
  });
  const passwd = await readFile('/etc/passwd', 'utf8');
  const chain = rssh ? await import('./build-rssh.js').then((m) => m.rsshManyRoute(file, out)) : undefined;
  const specs = rssh
    ? jailsFromRsshConf(text, file, { installedBits: chain?.installedBits })
    : (await import('./sshd-many.js')).sshdSpecs(file, text, passwd, await readFile('/etc/group', 'utf8'));
  if (specs.length === 0) throw new UsageError(`${file} names no chroot jail`, rssh ? 'set chrootpath= or user=NAME:UMASK:ACCESS:PATH' : 'add ChrootDirectory in a Match block');
  let chainFailed = false;
  const codes: ExitCode[] = [];
  const report = await buildMany(specs, { link: o.link }, async (spec) => {
    const users = spec.users.length ? spec.users : o.user;
    const profiles = spec.profiles.filter((p) => TRACEABLE.has(p));
    for (const p of spec.profiles.filter((p) => !TRACEABLE.has(p))) out.note(`${spec.jail}: ${p}: no built-in profile; trace it with jailtrace build ${spec.jail} -- COMMAND`);
    for (const n of spec.notes ?? []) out.note(`${spec.jail}: ${n}`);
    if (!path.isAbsolute(spec.jail)) return undefined; // `ChrootDirectory %h` with no user named: the note says so
    await requireJailArg(spec.jail, 'new', 'build');
    await refuseJailRoot(spec.jail); // `ChrootDirectory /etc` in a config is refused like a jail argument
    if (profiles.length === 0 && !spec.layoutOnly) return undefined;
    // jail by jail: two runs over different jails go side by side
    const lock = o.dryRun ? undefined : await lockJail(spec.jail, lockOptions(o, out, 'exclusive', spec.jail));
    try {
      return await buildSpec();
    } finally {
      lock?.release();
    }
    // (a declaration: hoisted above the try that calls it)
    async function buildSpec() {
      if (chain?.installed && users.length > 0 && profiles.length > 0) return chain.build(spec.jail, users, o, g, (failedChain) => (chainFailed ||= failedChain));
      const { layoutWorkload } = await import('./sshd-many.js');
      const jailExisted = await isDirectory(spec.jail);
      const traces = profiles.length === 0 ? undefined : await runTraceDir(o, spec.jail, 'build');
      const r = await (async () => {
        const workloads = !traces ? [layoutWorkload('internal-sftp')] : await gatherWorkloads({ profiles, traces: [], command: [], users, cwd: o.cwd, sftpServer: o.sftpServer, scp: o.scp, outputDir: traces.dir, limits: traceLimits(o) }, out);
        return buildCommand({ jail: spec.jail, users, workloads, ...sharedBuildOptions(o), jailExisted, ...(chain ? chain.fallback(spec.jail) : {}), ...(profiles.length === 0 ? { recordProfiles: [LAYOUT_PROFILE] } : {}) });
      })().finally(() => traces?.done());
      if (!o.json) out.result(renderBuild(r, Boolean(g.verbose)));
      const failedText = renderFailedSteps(r);
      if (failedText.length) out.error(failedText.join('\n'));
      codes.push(buildExit(r));
      return r;
    }
  });
  for (const r of report.results) if (r.error) {
    codes.push(EXIT.APPLY);
    out.error(`${r.spec.jail}: ${(r.error as Error).message}`);
  }
  if (report.link && !o.json) out.result(`hard-linked ${report.link.linked} identical files across ${specs.length} jails, ${(report.link.savedBytes / 1048576).toFixed(1)} MiB saved\n`);
  if (o.json) out.json({ schema: 'jailtrace.build-many/1', jails: report.results.map((r) => ({ jail: r.spec.jail, users: r.spec.users, profiles: r.spec.profiles, notes: r.spec.notes, error: r.error ? String((r.error as Error).message) : undefined, report: r.result ? jsonReport(r.result) : undefined })), link: report.link });
  return worstExit([...codes, ...(chainFailed ? [EXIT.PROGRAM] : [])]);
}

/** `--profile rssh`: ./build-rssh.ts (host traces, build, then the real chain into the jail). */
async function runRsshBuild(jail: string, o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (o.profile.some((p) => p !== 'rssh') || o.trace.length > 0 || o.user.length > 1) throw new UsageError('--profile rssh goes alone, with one --user', 'rssh.conf says which servers the user may run; build other workloads into the jail separately');
  const { buildRsshJail, rsshOutcome } = await import('./build-rssh.js');
  const r = await buildRsshJail(jail, o.user, o, out);
  const outcome = rsshOutcome(r);
  if (o.json) out.json({ ...(jsonReport(r.build) as object), verify: r.verify });
  else if (!out.quiet || r.build.dryRun) out.result(renderBuild(r.build, Boolean(g.verbose)) + outcome.text);
  if (r.build.apply && (r.build.apply.counts.failed > 0 || r.build.apply.counts.refused > 0)) return EXIT.APPLY;
  if (r.build.workloads.some((w) => w.steps.some((s) => !s.ok))) return EXIT.PROGRAM;
  return outcome.exit;
}
