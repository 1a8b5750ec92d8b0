/** Shared preconditions of the capture and profile tests: stated reasons for skipping. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRoot } from '../support/root.js';
import { ensureUser } from '../support/users.js';

export const hasStrace = ['/usr/bin/strace', '/bin/strace', '/usr/local/bin/strace'].some((p) => existsSync(p));

/** Why these tests cannot run here, or undefined. */
export function skipReason(...bins: string[]): string | undefined {
  if (!isRoot) return 'skipped: needs root (strace -u, chown of scratch dirs)';
  if (!hasStrace) return 'skipped: strace is not installed';
  for (const b of bins) if (!existsSync(b)) return `skipped: ${b} is not installed`;
  return undefined;
}

export const TEST_USER = 'jt-cap-test';

/** Create the test user (no home) when missing; returns its uid. */
export async function ensureTestUser(): Promise<number> {
  return (await ensureUser(TEST_USER, { home: 'none', shell: '/usr/sbin/nologin' })).uid;
}

/** pgrep -f PATTERN: the matching pids (none → []). */
export function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
