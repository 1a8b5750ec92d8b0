/**
 * Failed accesses in a jail that are logging, not something the workload needs: rows of data. glibc's syslog() drops
 * a message it cannot send to /dev/log and goes on; with LOG_CONS (rssh_chroot_helper logs after its chroot) it then
 * tries /dev/console. The workload runs the same without either. Neither can be copied: /dev/log is a socket that a
 * syslog daemon makes (build prints how to give the jail one). The LOG_CONS fallback to /dev/console is a row of
 * src/expand/fallbacks.ts: verify reports it as not needed, with the reason, and never adds it.
 */
import type { Manifest } from '../manifest/manifest.js';

export interface Fallback {
  /** The path tried (inside the jail). */
  path: string;
  /** Only logging when the same process first failed to connect to this path (absent: always, for its `op`). */
  after?: string;
  op?: 'connect';
  why: string;
}

export const FALLBACKS: readonly Fallback[] = [
  { path: '/dev/log', op: 'connect', why: 'syslog socket: the message is dropped and the program goes on (a syslog daemon can listen in the jail to keep it)' },
];

/** `jailPath → pids` for which a failed access is only logging (`'*'`: any pid). */
export function fallbackPids(m: Manifest): Map<string, Set<number | '*'>> {
  const out = new Map<string, Set<number | '*'>>();
  for (const f of FALLBACKS) {
    if (f.after === undefined) {
      out.set(f.path, new Set(['*']));
      continue;
    }
    const pids = new Set<number | '*'>();
    for (const e of m.entries) for (const a of e.accesses) if (a.jailPath === f.after && a.op === 'connect' && !a.ok) pids.add(a.pid);
    if (pids.size) out.set(f.path, pids);
  }
  return out;
}

/** Is this failed access in a jail only logging? */
export function onlyLogging(fallbacks: Map<string, Set<number | '*'>>, jailPath: string, a: { pid: number; op: string }): boolean {
  const row = FALLBACKS.find((f) => f.path === jailPath);
  const pids = fallbacks.get(jailPath);
  if (!row || !pids || (row.op !== undefined && row.op !== a.op)) return false;
  return pids.has('*') || pids.has(a.pid);
}
