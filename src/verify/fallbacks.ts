/**
 * Failed accesses in a jail that are a program's fallback, not something the workload needs: rows of data. glibc's
 * syslog() with LOG_CONS (rssh_chroot_helper logs after its chroot) writes to /dev/console when it cannot reach
 * /dev/log; the workload runs the same without either. Copying /dev/console would not help (it is root's, 0600) and
 * would put the host console in the jail. /dev/log itself is reported as a socket, with the syslog advice.
 */
import type { Manifest } from '../manifest/manifest.js';

export interface Fallback {
  /** The path tried as a fallback (inside the jail). */
  path: string;
  /** It is one when the same process first failed to connect to this path. */
  after: string;
  why: string;
}

export const FALLBACKS: readonly Fallback[] = [{ path: '/dev/console', after: '/dev/log', why: "syslog's LOG_CONS fallback when /dev/log is missing: logging, not the workload" }];

/** `jailPath → pids` for which a failed access is only a fallback (their `after` connect failed first). */
export function fallbackPids(m: Manifest): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const f of FALLBACKS) {
    const pids = new Set<number>();
    for (const e of m.entries) for (const a of e.accesses) if (a.jailPath === f.after && a.op === 'connect' && !a.ok) pids.add(a.pid);
    if (pids.size) out.set(f.path, pids);
  }
  return out;
}
