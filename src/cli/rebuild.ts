/**
 * build's no-op rebuild (issue 14): before anything is traced, ask whether the jail's recorded inputs are all
 * unchanged for the same request (src/app/up-to-date.ts); then the trace and the apply are skipped. `--force` always
 * traces; -v says why a rebuild traces again.
 */
import { requestKey, upToDate } from '../app/up-to-date.js';
import type { BuildCliOptions } from './build-options.js';
import type { Output } from './output.js';

/** The options that change what a build makes (not how it reports, waits or where it keeps its traces). */
export function rebuildKey(jail: string, command: readonly string[], o: BuildCliOptions): Promise<string | undefined> {
  return requestKey({
    users: o.user,
    profiles: o.profile,
    command,
    traces: o.trace,
    sftpServer: o.sftpServer,
    scp: o.scp,
    options: {
      jail,
      cwd: o.cwd,
      exclude: o.exclude,
      fullPasswd: Boolean(o.fullPasswd),
      allowSecret: o.allowSecret,
      allowDevice: o.allowDevice,
      keepSetuid: o.keepSetuid,
      fixPerms: Boolean(o.fixPerms),
      withStaticDeps: Boolean(o.withStaticDeps),
      maxPaths: o.maxPaths,
    },
  });
}

/**
 * The key to record (undefined: this build records no inputs), and whether the build is already done: then the
 * report is shown here and the caller returns.
 */
export async function skipIfUpToDate(
  jail: string,
  jailExisted: boolean,
  command: readonly string[],
  o: BuildCliOptions,
  out: Output,
): Promise<{ key?: string; done: boolean }> {
  // only live traces are worth skipping; a --trace rebuild parses again and reports what it compared
  if (o.dryRun || (o.profile.length === 0 && command.length === 0)) return { done: false };
  const key = await rebuildKey(jail, command, o);
  if (!key || !jailExisted || o.force) {
    if (o.force && jailExisted && out.verbose) out.note(`${jail}: --force: tracing again`);
    return { key, done: false };
  }
  const f = await upToDate(jail, key);
  if (!f.upToDate) {
    if (out.verbose) out.note(`${jail}: tracing again: ${f.why}`);
    return { key, done: false };
  }
  if (o.json) out.json(upToDateJson(jail, f.inputs));
  else if (!out.quiet) out.result(`${jail}: up to date (${f.inputs} inputs unchanged)\n`);
  return { key, done: true };
}

/** `jailtrace.build/1` for a build that did nothing: no trace, no apply (apply.counts all 0), `upToDate` set. */
function upToDateJson(jail: string, inputs: number): unknown {
  return {
    timings: { traceMs: 0, parseMs: 0, expandMs: 0, applyMs: 0 },
    schema: 'jailtrace.build/1',
    jail,
    upToDate: { inputs },
    failedSteps: [],
    dryRun: false,
    workloads: [],
    entries: [],
    plan: [],
    apply: { counts: { done: 0, 'up-to-date': 0, refused: 0, failed: 0 }, results: [] },
    warnings: [],
    rootProblems: [],
    sockets: [],
    bytes: 0,
  };
}
