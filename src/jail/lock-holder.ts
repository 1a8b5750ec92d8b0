/**
 * Who holds a jail's lock, as the lock file records it, and how a message names them. A leaf of ./lock.ts: the CLI's
 * `--wait` option (src/cli/lock-cli.ts) names the holder without loading the locker (child_process, crypto) at start.
 */
export type LockMode = 'exclusive' | 'shared';

export interface Holder {
  pid: number;
  command: string;
  since: string;
  mode: LockMode;
}

export const describeHolder = (h: Holder | undefined): string =>
  h ? `pid ${h.pid} (${h.command}${h.mode === 'shared' ? ', reading it' : ''}), since ${h.since}` : 'another jailtrace run';
