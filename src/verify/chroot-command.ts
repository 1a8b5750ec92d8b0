/**
 * The prefix verify runs a workload through: chroot, then drop to the user, then exec. The user's ids and groups are
 * resolved on the host first, as sshd (initgroups) and rssh_chroot_helper do before chroot(), and handed to coreutils
 * chroot numerically with a `+` (no name lookup): otherwise chroot itself looks the names up inside the jail, and the
 * jail would look as if the workload needed nsswitch.conf and the NSS modules.
 */
import { execa } from 'execa';
import type { PasswdEntry } from '../profiles/workspace.js';

/** The user's groups as the host's NSS gives them (`id -G`), primary first; just the primary one if that fails. */
async function hostGroups(user: PasswdEntry): Promise<number[]> {
  const r = await execa('id', ['-G', user.name], { reject: false });
  const ids =
    r.exitCode === 0
      ? String(r.stdout)
          .trim()
          .split(/\s+/)
          .map(Number)
          .filter((n) => Number.isInteger(n) && n >= 0)
      : [];
  return [user.gid, ...ids.filter((g) => g !== user.gid)];
}

export async function chrootPrefix(jail: string, user: PasswdEntry | undefined): Promise<string[]> {
  if (!user) return ['chroot', '--userspec=+0:+0', '--groups=+0', jail];
  const groups = await hostGroups(user);
  return ['chroot', `--userspec=+${user.uid}:+${user.gid}`, `--groups=${groups.map((g) => `+${g}`).join(',')}`, jail];
}
