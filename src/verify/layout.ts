/**
 * `verify` of a jail for `internal-sftp`: sshd serves sftp itself, in the session process that has chrooted and
 * dropped to the user, so no program of the jail runs and there is nothing to trace. What sshd still needs of the
 * jail is checked instead: OpenSSH's ChrootDirectory rule on the jail and every parent (session.c safely_chroot), and
 * each user's home inside the jail, a directory of theirs (sshd chdirs there; missing, the user lands in / and cannot
 * write). Read with lstat: a symlink where the home should be is not a home.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { PasswdEntry } from '../profiles/workspace.js';

export const LAYOUT_PROFILE = 'internal-sftp';

export interface LayoutStep {
  description: string;
  ok: boolean;
  stderr?: string;
}

/** `problems`: what OpenSSH's rule finds on the jail and its parents (chrootDirProblems). */
export async function layoutSteps(jail: string, users: readonly PasswdEntry[], problems: readonly string[]): Promise<LayoutStep[]> {
  const steps: LayoutStep[] = [
    {
      description: `OpenSSH's ChrootDirectory rule on ${jail} and its parents (root-owned, not group/other-writable)`,
      ok: problems.length === 0,
      ...(problems.length ? { stderr: problems.join('\n') } : {}),
    },
  ];
  for (const u of users) {
    const home = path.join(jail, u.home);
    const st = await lstat(home).catch(() => undefined);
    const why = !st
      ? 'missing: sshd leaves the user in / of the jail, where they cannot write'
      : !st.isDirectory()
        ? 'not a directory'
        : st.uid !== u.uid
          ? `owned by uid ${st.uid}, not ${u.name}`
          : undefined;
    steps.push({
      description: `${u.name}'s home ${u.home} inside the jail, a directory of theirs`,
      ok: why === undefined,
      ...(why ? { stderr: `${home}: ${why}` } : {}),
    });
  }
  return steps;
}
