/** The CLI side of `build`: gather workloads (profiles, command, traces), run the build, show the report. */
import path from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { lockJail, withJailLock } from '../jail/lock.js';
import { refuseJailRoot } from '../jail/system-dirs.js';
import { requireJailArg, requireRoot } from '../app/jail-arg.js';
import { isDirectory } from '../app/trace-output.js';
import type { Workload } from '../workload.js';
import { sharedBuildOptions, type BuildCliOptions } from './build-options.js';
import { showEvents } from './events.js';
import { lockOptions } from './lock-cli.js';
import type { Output } from './output.js';

/**
 * The build's stages, loaded only when the build really runs: a no-op rebuild (src/cli/rebuild.ts) answers before
 * them, at the cost of the CLI's start and the record's inputs.
 */
async function stages() {
  const [{ buildCommand }, { gatherWorkloads }, { runTraceDir }, { jsonReport, renderBuild }, { buildExit, renderFailedSteps, worstExit }, { LAYOUT_PROFILE }] = await Promise.all([
    import('../app/build.js'),
    import('../app/workloads.js'),
    import('../jail/trace-dir.js'),
    import('./render-build.js'),
    import('./failed-steps.js'),
    import('../verify/layout.js'),
  ]);
  return { buildCommand, gatherWorkloads, runTraceDir, jsonReport, renderBuild, buildExit, renderFailedSteps, worstExit, LAYOUT_PROFILE };
}
import { traceLimits } from './trace-limits.js';
import { skipIfUpToDate } from './rebuild.js';

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
  if (o.profile.includes('rssh')) return (await import('./build-rssh.js')).runRsshBuild(jail, o, out, g);
  const progress = out.progress('building');
  const tw = performance.now();
  const jailExisted = await isDirectory(jail);
  const fresh = await skipIfUpToDate(jail, jailExisted, command, o, out);
  if (fresh.done) {
    progress.done();
    return EXIT.OK;
  }
  const { buildCommand, gatherWorkloads, runTraceDir, jsonReport, renderBuild, buildExit, renderFailedSteps } = await stages();
  // live traces: a folder of this run's in the jail's record dir, --output-dir, or (dry run) a temp dir removed after
  const traces = o.profile.length > 0 || command.length > 0 ? await runTraceDir(o, jail, 'build') : undefined;
  const report = await (async () => {
    const workloads: Workload[] = await gatherWorkloads({ profiles: o.profile, traces: o.trace, command, users: o.user, cwd: o.cwd, sftpServer: o.sftpServer, scp: o.scp, outputDir: traces?.dir ?? '.', limits: traceLimits(o) }, showEvents(out));
    for (const w of workloads) w.excludes.push(...o.exclude.map((d) => path.resolve(d)));
    return buildCommand({
      jail,
      users: o.user,
      workloads,
      ...sharedBuildOptions(o),
      jailExisted,
      inputsKey: fresh.key,
      onProgress: (done, total) => progress.update(done, total),
    });
  })().finally(async () => {
    progress.done();
    await traces?.done();
  });
  // the rest of the wall time: running the workloads under the tracer
  const traceMs = Math.round(performance.now() - tw) - report.timings.parseMs - report.timings.expandMs - report.timings.applyMs;
  if (o.json) out.json(jsonReport(report, traceMs));
  else if (!out.quiet || report.dryRun) out.result(renderBuild(report, Boolean(g.verbose)));
  const failedText = renderFailedSteps(report);
  if (failedText.length) out.error(failedText.join('\n'));
  return buildExit(report);
}

/** Profiles jailtrace can trace, from the service names the configs use. */
const TRACEABLE = new Set(['sftp', 'scp']);

async function runMany(jail: string | undefined, o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (jail) throw new UsageError('a jail directory and --from-rssh-conf/--from-sshd-config: choose one', 'the config names the jails');
  const { buildMany, manyConfig, readManyConfig, jailSpecsFromConfig } = await import('../app/many.js');
  const { buildCommand, gatherWorkloads, runTraceDir, jsonReport, renderBuild, buildExit, renderFailedSteps, worstExit, LAYOUT_PROFILE } = await stages();
  const { file, rssh } = manyConfig(o);
  const text = await readManyConfig(file);
  const chain = rssh ? await import('./build-rssh.js').then((m) => m.rsshManyRoute(file, out)) : undefined;
  const specs = await jailSpecsFromConfig(file, text, rssh, { installedBits: chain?.installedBits });
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
      const { layoutWorkload } = await import('../app/sshd-many.js');
      const jailExisted = await isDirectory(spec.jail);
      const traces = profiles.length === 0 ? undefined : await runTraceDir(o, spec.jail, 'build');
      const r = await (async () => {
        const workloads = !traces ? [layoutWorkload('internal-sftp')] : await gatherWorkloads({ profiles, traces: [], command: [], users, cwd: o.cwd, sftpServer: o.sftpServer, scp: o.scp, outputDir: traces.dir, limits: traceLimits(o) }, showEvents(out));
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

