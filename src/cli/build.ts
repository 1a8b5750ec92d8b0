/** The CLI side of `build`: gather workloads (profiles, command, traces), run the build, show the report. */
import path from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import { withJailLock } from '../jail/lock.js';
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
  const [{ buildCommand }, { gatherWorkloads }, { runTraceDir }, { jsonReport, renderBuild }, { buildExit, renderFailedSteps, worstExit }, { LAYOUT_PROFILE }] =
    await Promise.all([
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
    requireRoot('build', "it runs the profiles as the jails' users and writes the jails as root");
    return (await import('./build-many.js')).runMany(jail, o, out, g);
  }
  if (!jail) throw new UsageError('no jail directory given', 'name it: jailtrace build /srv/jail/NAME --profile sftp --user USER');
  if (o.profile.length === 0 && o.trace.length === 0 && command.length === 0) {
    throw new UsageError('nothing to trace', 'give --profile sftp (and/or scp), --trace FILE, or -- COMMAND ARGS');
  }
  // the profiles run as the jail's users, and a real build writes as root; a dry run of traces or a command does not
  if (!o.dryRun || o.profile.length > 0)
    requireRoot('build', o.dryRun ? "the profiles run as the jail's users" : 'it writes the jail as root: owners, modes, device nodes');
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
    const workloads: Workload[] = await gatherWorkloads(
      {
        profiles: o.profile,
        traces: o.trace,
        command,
        users: o.user,
        cwd: o.cwd,
        sftpServer: o.sftpServer,
        scp: o.scp,
        outputDir: traces?.dir ?? '.',
        limits: traceLimits(o),
      },
      showEvents(out),
    );
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
