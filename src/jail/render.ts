/** Human-readable text for plans and apply reports. Pure: returns strings, the CLI prints them. */
import { displayPath } from '../display-path.js';
import type { ApplyReport } from './apply.js';
import { effectiveMode, octal, type Action, type Plan } from '../plan/plan.js';

const who = (id: number): string => (id === 0 ? 'root' : String(id));
const owner = (uid: number, gid: number): string => `${who(uid)}:${who(gid)}`;

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** What one action does, without its reason: `mkdir   /usr/lib (0755 root:root)`. */
export function describeAction(a: Action, keepSetuid = false): string {
  const p = displayPath(a.path);
  const mode = octal(effectiveMode(a, keepSetuid));
  switch (a.kind) {
    case 'mkdir':
      return `mkdir   ${p} (${mode} ${owner(a.uid, a.gid)})`;
    case 'copy':
      return `copy    ${p} <- ${displayPath(a.source)} (${mode} ${owner(a.uid, a.gid)}, ${size(a.size)})`;
    case 'symlink':
      return `symlink ${p} -> ${displayPath(a.target)}`;
    case 'mknod':
      return `mknod   ${p} (${a.type} ${a.major},${a.minor} ${mode} ${owner(a.uid, a.gid)})`;
    case 'write': {
      const lines = a.content === '' ? 0 : a.content.split('\n').length - (a.content.endsWith('\n') ? 1 : 0);
      return `write   ${p} (${mode} ${owner(a.uid, a.gid)}, ${lines} line${lines === 1 ? '' : 's'})`;
    }
  }
}

/**
 * One line per action, in plan order: `mkdir   /usr/lib (0755 root:root)  — parent of /usr/lib/libc.so.6`.
 * Modes are shown as they will be applied (setuid/setgid stripped unless the path is in keepSetuid).
 */
export function renderDryRun(plan: Plan, opts: { keepSetuid?: ReadonlySet<string> } = {}): string {
  const head = `# jail ${displayPath(plan.jail)}: ${plan.actions.length} action${plan.actions.length === 1 ? '' : 's'}\n`;
  return head + plan.actions.map((a) => `${describeAction(a, opts.keepSetuid?.has(a.path))}  — ${displayPath(a.reason)}\n`).join('');
}

/** One line per action that was not up-to-date, then a count line. */
export function renderReport(report: ApplyReport): string {
  const lines = report.results
    .filter((r) => r.result !== 'up-to-date')
    .map(
      (r) =>
        `${report.dryRun && r.result === 'done' ? 'would' : r.result}: ${describeAction(r.action).replace(/ +/, ' ')}${r.detail ? ` — ${displayPath(r.detail)}` : ''}\n`,
    );
  const c = report.counts;
  const tail = `${report.dryRun ? 'dry run: ' : ''}${c.done} ${report.dryRun ? 'to do' : 'done'}, ${c['up-to-date']} up-to-date, ${c.refused} refused, ${c.failed} failed${report.stopped ? ` (stopped: ${report.stopped.code})` : ''}\n`;
  return lines.join('') + tail;
}
