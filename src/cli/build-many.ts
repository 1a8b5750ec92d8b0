/**
 * The CLI side of `build --from-rssh-conf [FILE]` / `--from-sshd-config [FILE]`: every jail the config names, each
 * distinct workload traced once (src/app/trace-share.ts), a line per jail, what the jails share said once, a summary,
 * and on a TTY a bar of jails done and left.
 */
import path from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { lockJail } from '../jail/lock.js';
import { refuseJailRoot } from '../jail/system-dirs.js';
import { requireJailArg } from '../app/jail-arg.js';
import { LAYOUT_PROFILE } from '../verify/layout.js';
import { buildCommand } from '../app/build.js';
import { gatherWorkloads } from '../app/workloads.js';
import { isDirectory } from '../app/trace-output.js';
import { TraceShare } from '../app/trace-share.js';
import { runTraceDir, type RunTraceDir } from '../jail/trace-dir.js';
import type { Workload } from '../workload.js';
import { sharedBuildOptions, type BuildCliOptions } from './build-options.js';
import { showEvents } from './events.js';
import { buildExit, renderFailedSteps, worstExit } from './failed-steps.js';
import { lockOptions } from './lock-cli.js';
import type { Output } from './output.js';
import { jsonReport } from './render-build.js';
import { ManyText, manySummary, sharingNote } from './render-many.js';
import { traceLimits } from './trace-limits.js';

/** Profiles jailtrace can trace, from the service names the configs use. */
const TRACEABLE = new Set(['sftp', 'scp']);

/** `out` with the progress bar cleared before anything else is written, and drawn again after each jail. */
function withBar(out: Output): { out: Output; step: (done: number, total: number) => void; end: () => void } {
  const bar = out.progress('building', { items: 'jails' });
  const clear =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      bar.done();
      f(...a);
    };
  return { out: { ...out, result: clear(out.result), note: clear(out.note), error: clear(out.error), json: clear(out.json) }, step: bar.update, end: bar.done };
}

export async function runMany(jail: string | undefined, o: BuildCliOptions, rawOut: Output, g: { verbose?: boolean }): Promise<number> {
  if (jail) throw new UsageError('a jail directory and --from-rssh-conf/--from-sshd-config: choose one', 'the config names the jails');
  const { buildMany, manyConfig, readManyConfig, jailSpecsFromConfig } = await import('../app/many.js');
  const { file, rssh } = manyConfig(o);
  const text = await readManyConfig(file);
  const { out, step, end } = withBar(rawOut);
  const share = new TraceShare();
  const shown = new ManyText();
  const chain = rssh ? await import('./build-rssh.js').then((m) => m.rsshManyRoute(file, out, { share, text: shown })) : undefined;
  const specs = await jailSpecsFromConfig(file, text, rssh, { installedBits: chain?.installedBits });
  const verbose = Boolean(g.verbose);
  let chainFailed = false;
  let done = 0;
  const codes: ExitCode[] = [];
  step(0, specs.length);
  const report = await buildMany(specs, { link: o.link }, async (spec) => {
    try {
      return await buildOne(spec);
    } finally {
      step(++done, specs.length);
    }
  }).finally(end);
  async function buildOne(spec: (typeof specs)[number]) {
    const users = spec.users.length ? spec.users : o.user;
    const profiles = spec.profiles.filter((p) => TRACEABLE.has(p));
    for (const p of spec.profiles.filter((p) => !TRACEABLE.has(p)))
      out.note(`${spec.jail}: ${p}: no built-in profile; trace it with jailtrace build ${spec.jail} -- COMMAND`);
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
      if (chain?.installed && users.length > 0 && profiles.length > 0)
        return chain.build(spec.jail, users, o, g, (failedChain) => (chainFailed ||= failedChain));
      const { layoutWorkload } = await import('../app/sshd-many.js');
      const jailExisted = await isDirectory(spec.jail);
      let traces: RunTraceDir | undefined;
      const r = await (async () => {
        let workloads: Workload[] = [layoutWorkload('internal-sftp')];
        if (profiles.length > 0) {
          const got = await share.workloads(spec.jail, { profiles, user: users[0], sftpServer: o.sftpServer, scp: o.scp }, traceLimits(o), async () => {
            // live traces: a folder of this run's in the jail's record dir (made only when this jail traces)
            traces = await runTraceDir(o, spec.jail, 'build');
            return gatherWorkloads(
              { profiles, traces: [], command: [], users, cwd: o.cwd, sftpServer: o.sftpServer, scp: o.scp, outputDir: traces.dir, limits: traceLimits(o) },
              showEvents(out),
            );
          });
          const said = verbose ? sharingNote(spec.jail, 'shared' in got ? { from: got.shared.tracedFor } : { unsure: got.unsure }) : undefined;
          if (said) out.note(said);
          workloads = 'shared' in got ? got.shared.workloads : got.traced;
        }
        return buildCommand({
          jail: spec.jail,
          users,
          workloads,
          ...sharedBuildOptions(o),
          jailExisted,
          hashes: share.hashes,
          ...(chain ? chain.fallback(spec.jail) : {}),
          ...(profiles.length === 0 ? { recordProfiles: [LAYOUT_PROFILE] } : {}),
        });
      })().finally(() => traces?.done());
      if (!o.json) out.result(shown.jail(r, verbose));
      const failedText = renderFailedSteps(r);
      if (failedText.length) out.error(failedText.join('\n'));
      codes.push(buildExit(r));
      return r;
    }
  }
  let failed = 0;
  for (const r of report.results)
    if (r.error) {
      failed++;
      codes.push(EXIT.APPLY);
      out.error(`${r.spec.jail}: ${(r.error as Error).message}`);
    }
  if (!o.json) {
    out.result(shown.shared(verbose));
    if (report.link)
      out.result(
        `hard-linked ${report.link.linked} identical files across ${specs.length} jails, ${(report.link.savedBytes / 1048576).toFixed(1)} MiB saved\n`,
      );
    out.result(manySummary({ jails: report.results.filter((r) => !r.error && r.result).length, failed, traced: share.traced, reused: share.reused }));
  }
  if (o.json)
    out.json({
      schema: 'jailtrace.build-many/1',
      jails: report.results.map((r) => ({
        jail: r.spec.jail,
        users: r.spec.users,
        profiles: r.spec.profiles,
        notes: r.spec.notes,
        error: r.error ? String((r.error as Error).message) : undefined,
        report: r.result ? jsonReport(r.result) : undefined,
      })),
      link: report.link,
      traces: { traced: share.traced, reused: share.reused },
    });
  return worstExit([...codes, ...(chainFailed ? [EXIT.PROGRAM] : [])]);
}
