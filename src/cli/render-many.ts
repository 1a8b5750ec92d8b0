/**
 * `build --from-rssh-conf` / `--from-sshd-config` as text: a line per jail (renderBuild without what the jails share),
 * then, once for all jails, the socket advice (syslog, nscd) and the warnings, and a summary line.
 */
import type { BuildReport } from '../app/build.js';
import { plural } from './parse.js';
import { renderBuild } from './render-build.js';

export class ManyText {
  private readonly warnings = new Map<string, number>();
  private readonly sockets = new Map<string, { first: BuildReport['sockets'][number]; jail: string; jails: number }>();

  /** The jail's own lines; what it shares with the others is kept for `shared()`. */
  jail(r: BuildReport, verbose: boolean): string {
    for (const w of new Set(r.warnings)) this.warnings.set(w, (this.warnings.get(w) ?? 0) + 1);
    for (const s of r.sockets) {
      const have = this.sockets.get(s.path);
      if (have) have.jails++;
      else this.sockets.set(s.path, { first: s, jail: r.jail, jails: 1 });
    }
    return renderBuild(r, verbose, { shared: false });
  }

  /** Said once: the sockets the jails' programs used, with the advice for the first jail, and the warnings. */
  shared(verbose: boolean): string {
    const lines: string[] = [];
    for (const { first: s, jail, jails } of this.sockets.values()) {
      if (s.note && !verbose) continue;
      const where = jails > 1 ? ` in ${jails} jails` : '';
      lines.push(
        `socket ${s.path}${where}: not copied (a server makes it)${s.note ? `; ${s.note}` : s.advice.length ? `; to give ${jails > 1 ? `each jail one (shown for ${jail}; the same with each jail's path)` : 'the jail one'}:` : ''}`,
      );
      for (const a of s.advice) lines.push(`    ${a}`);
    }
    const ws = [...this.warnings];
    for (const [w, n] of ws.slice(0, verbose ? undefined : 10)) lines.push(`warning: ${w}${n > 1 ? ` (${n} jails)` : ''}`);
    if (!verbose && ws.length > 10) lines.push(`(${ws.length - 10} more warnings: -v shows them)`);
    return lines.length ? lines.join('\n') + '\n' : '';
  }
}

export function manySummary(s: { jails: number; failed: number; traced: number; reused: number }): string {
  const traces = s.reused > 0 ? `; ${plural(s.traced, 'jail')} traced, ${s.reused} reused a trace` : '';
  return `${plural(s.jails, 'jail')} built${s.failed ? `, ${s.failed} FAILED` : ''}${traces}\n`;
}

/** -v: whether a jail's workload trace was shared, and why not when it was traced again. */
export function sharingNote(jail: string, s: { from?: string; unsure?: string }): string | undefined {
  if (s.from) return `${jail}: the trace of ${s.from} serves here too (the same servers, login shell and NSS files)`;
  if (s.unsure) return `${jail}: traced again, not shared: ${s.unsure}`;
  return undefined;
}
