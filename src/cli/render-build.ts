/** `jailtrace build`'s report as text and as `jailtrace.build/1` JSON. */
import type { BuildReport } from '../app/build.js';
import { failedSteps } from '../app/failed-steps.js';
import { describeAction, renderDryRun, renderReport } from '../jail/render.js';
import { plural } from './parse.js';

/** The report as JSON; `traceMs` is the time the workloads ran under the tracer (0 when nothing ran here). */
export function jsonReport(r: BuildReport, traceMs = 0): unknown {
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
    apply: r.apply && {
      counts: r.apply.counts,
      stopped: r.apply.stopped,
      removedTemps: r.apply.removedTemps,
      results: r.apply.results
        .filter((x) => x.result !== 'up-to-date' || x.replanned)
        .map((x) => ({ path: x.action.path, kind: x.action.kind, result: x.result, detail: x.detail, ...(x.replanned ? { replanned: x.replanned } : {}) })),
    },
    warnings: r.warnings,
    rootProblems: r.rootProblems,
    sockets: r.sockets,
    bytes: r.bytes,
  };
}

/**
 * `shared: false` leaves out what many jails have in common (socket advice, the expander's warnings): `build
 * --from-rssh-conf` says those once for all its jails (./render-many.ts).
 */
export function renderBuild(r: BuildReport, verbose: boolean, opts: { shared?: boolean } = {}): string {
  const shared = opts.shared ?? true;
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
    else
      for (const x of r.apply.results.filter((x) => x.result === 'refused' || x.result === 'failed'))
        lines.push(`  ${x.result}: ${describeAction(x.action)}${x.detail ? ` — ${x.detail}` : ''}`);
    for (const x of r.apply.results.filter((x) => x.replanned)) lines.push(`  re-planned: ${x.action.path}: ${x.replanned!.why}`);
    if (r.apply.stopped) lines.push(`stopped: ${r.apply.stopped.path}: ${r.apply.stopped.message}`);
    if (r.apply.removedTemps?.length)
      lines.push(`removed ${plural(r.apply.removedTemps.length, 'temp file')} an interrupted run left: ${r.apply.removedTemps.join(', ')}`);
  }
  const skipped = r.entries.filter((e) => e.decision === 'skip' && e.role === 'secret');
  for (const e of skipped) lines.push(`not copied: ${e.path}: ${e.reason}`);
  for (const e of r.entries.filter((x) => x.decision === 'skip' && x.role === 'device')) lines.push(`device ${e.path}: ${e.reason}`);
  for (const s of shared ? r.sockets : []) {
    // said once, and only when it matters: a socket the jail does not need is shown with -v
    if (s.note && !verbose) continue;
    lines.push(`socket ${s.path}: not copied (a server makes it)${s.note ? `; ${s.note}` : s.advice.length ? '; to give the jail one:' : ''}`);
    for (const a of s.advice) lines.push(`    ${a}`);
  }
  // --fix-perms changes the jail root's owner and modes, nothing above it: offered for the jail root's own problems
  for (const p of r.rootProblems)
    lines.push(`warning: ${p}${p.startsWith(`${r.jail} (the jail root) is `) && /chown|chmod/.test(p) ? ' (or build with --fix-perms)' : ''}`);
  for (const w of shared ? r.warnings.slice(0, verbose ? undefined : 10) : []) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}
