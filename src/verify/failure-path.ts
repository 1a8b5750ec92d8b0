/**
 * The failure path of a process: what it touches after one of its execs failed, until an exec works. A process that
 * was to become another program and could not is on its way out: it prints an error, syslog()s it (and with LOG_CONS,
 * when /dev/log is not there, opens /dev/console, after reading /etc/localtime for the time stamp), and exits. What it
 * opens then is not a need: once the exec works, that path is never taken. execvp's search of PATH (a failed exec,
 * then one that works) closes the window at once. Accesses are compared within one trace file and one pid.
 */
import type { AccessRecord, Manifest } from '../manifest/manifest.js';

export interface FailedExec {
  /** The program the process could not exec (as it named it). */
  exec: string;
  pid: number;
  /** Trace line of the failed exec. */
  line: number;
}

interface ExecSighting {
  line: number;
  ok: boolean;
  path: string;
}

const key = (a: Pick<AccessRecord, 'file' | 'pid'>): string => `${a.file ?? 0}:${a.pid}`;

/** For an access: the failed exec of its process that it follows (none in between worked), or undefined. */
export function failedExecIndex(m: Manifest): (a: AccessRecord) => FailedExec | undefined {
  const byProc = new Map<string, ExecSighting[]>();
  for (const e of m.entries) {
    for (const a of e.accesses) {
      if (a.op !== 'exec') continue;
      const k = key(a);
      const list = byProc.get(k) ?? [];
      list.push({ line: a.line, ok: a.ok, path: a.jailPath ?? e.path });
      byProc.set(k, list);
    }
  }
  for (const list of byProc.values()) list.sort((x, y) => x.line - y.line);
  return (a) => {
    if (a.op === 'exec') return undefined;
    const list = byProc.get(key(a));
    if (!list) return undefined;
    let last: ExecSighting | undefined;
    for (const x of list) {
      if (x.line >= a.line) break;
      last = x;
    }
    return last && !last.ok ? { exec: last.path, pid: a.pid, line: last.line } : undefined;
  };
}
