/**
 * What rssh does for one user, read as rssh 2.3.4 reads its config (rsshconf.c, rssh_chroot_helper.c). Pure.
 *
 * - The user's first `user=` line decides alone (rssh stops reading there): its access bits, and its chroot path or
 *   none. Without one, the global `allow*` keywords and `chrootpath` apply.
 * - rssh_chroot_helper chroots, then chdirs to the passwd home with the chroot path cut from its front
 *   (`extract_root()`): home /srv/jail/home/alice, chroot /srv/jail → /home/alice inside the jail. A home not under
 *   the chroot path (or cut mid-name: /srv/jail2/x under /srv/jail) gives NULL there, and the helper logs "couldn't
 *   find HOME in chroot jail" and stays in `/` of the jail; a chdir that fails is only logged too.
 */
import type { RsshAccessBits, RsshConf, RsshService } from '../config/rssh-conf.js';

export interface RsshUserView {
  user: string;
  /** The jail the helper chroots into; absent: rssh runs the server on the host (no chroot). */
  chroot?: string;
  services: RsshService[];
  /** The `user=` line that decides (absent: the global settings). */
  line?: number;
  bits?: RsshAccessBits;
}

export function rsshUserView(conf: RsshConf, user: string): RsshUserView {
  const u = conf.users.find((x) => x.name === user);
  if (u) return { user, chroot: u.chrootpath, services: u.access, line: u.line, bits: u.bits };
  return { user, chroot: conf.chrootpath, services: conf.allow };
}

/** rssh's `extract_root(root, path)`: the home inside the jail, or undefined where rssh gets NULL (then it uses `/`). */
export function extractRoot(root: string, home: string): string | undefined {
  const r = root.endsWith('/') ? root.slice(0, -1) : root; // rssh drops one trailing `/` (so `/` becomes ``)
  if (!home.startsWith(r)) return undefined;
  if (home[r.length] !== '/') return undefined;
  return home.slice(r.length);
}

/** Where the helper leaves the user in the jail: the stripped home, or `/` (with why). */
export function rsshHomeInJail(chroot: string, home: string): { dir: string; why?: string } {
  const dir = extractRoot(chroot, home);
  if (dir === undefined)
    return { dir: '/', why: `the home ${home} is not under the chroot path ${chroot}: rssh_chroot_helper leaves the user in / of the jail` };
  return { dir };
}
