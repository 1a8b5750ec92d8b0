/**
 * Directories that are never a jail root: the running system's own. A jail root is written as root with the host's
 * layout (etc/, usr/, lib/, dev/, a user-owned home/...): pointed at /etc it would make /etc/etc, /etc/usr and a
 * user-owned /etc/home. Rows, not branches: a prefix, whether its subdirectories are refused too, and why.
 */
import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { swappableBy } from '../host-chain.js';

interface SystemDirRow {
  dir: string;
  /** Refuse every directory below it too (/usr/local/jail is still the system's /usr). */
  below: boolean;
  why: string;
}

export const SYSTEM_DIRS: readonly SystemDirRow[] = [
  { dir: '/', below: false, why: "the host's root file system" },
  { dir: '/etc', below: true, why: "the host's configuration" },
  { dir: '/usr', below: true, why: "the host's programs and libraries" },
  { dir: '/bin', below: true, why: "the host's programs" },
  { dir: '/sbin', below: true, why: "the host's programs" },
  { dir: '/lib', below: true, why: "the host's libraries" },
  { dir: '/lib32', below: true, why: "the host's libraries" },
  { dir: '/lib64', below: true, why: "the host's libraries" },
  { dir: '/libx32', below: true, why: "the host's libraries" },
  { dir: '/boot', below: true, why: "the host's kernels and boot loader" },
  { dir: '/dev', below: true, why: "the host's device nodes" },
  { dir: '/proc', below: true, why: "the kernel's process file system" },
  { dir: '/sys', below: true, why: "the kernel's sysfs" },
  { dir: '/run', below: false, why: "the host's runtime state" },
  { dir: '/var', below: false, why: "the host's variable data (use a directory below it, such as /var/jail)" },
  { dir: '/home', below: false, why: "the host users' home directories (use a directory below it)" },
  { dir: '/root', below: true, why: "root's home directory" },
  { dir: '/tmp', below: false, why: 'a world-writable directory (OpenSSH refuses it as a ChrootDirectory)' },
  { dir: '/var/tmp', below: false, why: 'a world-writable directory (OpenSSH refuses it as a ChrootDirectory)' },
  { dir: '/var/lib', below: false, why: "the host's state directory (use a directory below it, such as /var/lib/jails/NAME)" },
  { dir: '/var/cache', below: false, why: "the host's caches" },
  { dir: '/var/log', below: true, why: "the host's logs" },
  { dir: '/var/spool', below: true, why: "the host's spools (mail, cron)" },
  { dir: '/var/mail', below: true, why: "the host users' mail" },
  { dir: '/var/backups', below: true, why: "the host's backups (shadow.bak, ...)" },
  { dir: '/run/sshd', below: true, why: "sshd's privilege-separation directory" },
  { dir: '/opt', below: false, why: 'the add-on software directory (use a directory below it)' },
  { dir: '/srv', below: false, why: 'the directory of all served data (use a directory below it, such as /srv/jail)' },
  { dir: '/mnt', below: false, why: 'the mount point directory (use a directory below it)' },
  { dir: '/media', below: false, why: 'the removable media directory' },
];

/**
 * Host files whose presence under the jail root, as the very same inode, means the "jail" is the running system
 * (a bind mount of /, a path that reaches / through another name).
 */
export const SYSTEM_MARKERS: readonly string[] = ['/etc/passwd', '/etc/shadow', '/usr/bin', '/bin/sh'];

/** The rule a (real, absolute) path falls under, if any. */
export function systemDirRule(real: string): SystemDirRow | undefined {
  const p = path.posix.normalize(real).replace(/(.)\/+$/, '$1');
  return SYSTEM_DIRS.find((r) => p === r.dir || (r.below && p.startsWith(r.dir === '/' ? '/' : `${r.dir}/`)));
}

interface Mount {
  dev: string;
  root: string;
  at: string;
}

/** /proc/self/mountinfo's mounts (field 3 the device, 4 the root within its file system, 5 the mount point). */
async function mounts(): Promise<Mount[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const unoctal = (f: string): string => f.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').flatMap((l) => {
    const f = l.split(' ');
    return f.length > 5 ? [{ dev: f[2], root: unoctal(f[3]), at: unoctal(f[4]) }] : [];
  });
}

const under = (p: string, dir: string): boolean => dir === '/' || p === dir || p.startsWith(`${dir}/`);

/**
 * Where `real` is, seen through its file system's own mount (the one whose root is the file system's root): a bind
 * mount of /usr/lib at /srv/x makes /srv/x/jail into /usr/lib/jail. Undefined when that cannot be told.
 */
async function canonicalPath(real: string): Promise<string | undefined> {
  const all = await mounts();
  const m = all.filter((x) => under(real, x.at)).sort((a, b) => b.at.length - a.at.length)[0];
  if (!m) return undefined;
  // the file system's own mount: its root at the shortest mount point (a bind of / at /srv/x has root / too)
  const home = all.filter((x) => x.dev === m.dev && x.root === '/').sort((a, b) => a.at.length - b.at.length)[0];
  if (!home || (home.at === m.at && m.root === '/')) return undefined;
  return path.posix.join(home.at, m.root, path.posix.relative(m.at, real));
}

/** The path with every existing ancestor's symlinks resolved (the jail itself may not exist yet). */
async function realish(abs: string): Promise<string> {
  const rest: string[] = [];
  let p = abs;
  for (;;) {
    const r = await realpath(p).catch(() => undefined);
    if (r !== undefined) return path.join(r, ...rest.reverse());
    const up = path.dirname(p);
    if (up === p) return abs;
    rest.push(path.basename(p));
    p = up;
  }
}

/**
 * Why `jail` may not be a jail root, or undefined when it may. Checks the path as given, as resolved through its
 * ancestors' symlinks, and whether it holds the running system's files (same device and inode).
 */
export async function systemJailProblem(jail: string): Promise<string | undefined> {
  const abs = path.resolve(jail);
  const real = await realish(abs);
  for (const p of new Set([abs, real])) {
    const rule = systemDirRule(p);
    if (rule) return `${abs}${p !== abs ? ` (${p})` : ''} is ${rule.dir === p ? '' : `inside ${rule.dir}, `}${rule.why}: refusing to build a jail there`;
  }
  // The same directories under another name: a bind mount of /usr/lib (or of / or /usr) at /srv/x. The mount table
  // says which file system the jail lies on and where in it: that path, as the file system's own mount shows it.
  const canonical = await canonicalPath(real);
  if (canonical !== undefined && canonical !== real) {
    const rule = systemDirRule(canonical);
    if (rule)
      return `${abs} (${canonical}, through a bind mount) is ${rule.dir === canonical ? '' : `inside ${rule.dir}, `}${rule.why}: refusing to build a jail there`;
  }
  for (const marker of SYSTEM_MARKERS) {
    const [host, inJail] = await Promise.all([lstat(marker).catch(() => undefined), lstat(path.join(real, marker)).catch(() => undefined)]);
    if (host && inJail && host.dev === inJail.dev && host.ino === inJail.ino)
      return `${abs} holds the running system's ${marker} (same device and inode): it is the host's own tree, not a jail; refusing to build a jail there`;
  }
  return undefined;
}

/**
 * The jail argument's gate, for every route (a jail argument, `--from-rssh-conf`, `--from-sshd-config`, verify): not
 * one of the system's directories, and not reached through a name a user could swap (a jail below a user's
 * directory: root would build, or verify would make and remove its scratch dir, wherever the user points it).
 */
export async function refuseJailRoot(jail: string): Promise<void> {
  const problem = await systemJailProblem(jail);
  if (problem) throw new UsageError(problem, 'name a directory of its own for the jail, such as /srv/jail/NAME or /var/jail/NAME (docs/security.md)');
  const swappable = await swappableBy(path.resolve(jail));
  if (swappable)
    throw new UsageError(
      `${path.resolve(jail)}: a user could swap a directory on the way to it (${swappable}): refusing to write there as root`,
      'put the jail under directories only root can write (OpenSSH requires it of a ChrootDirectory too), e.g. /srv/jail/NAME',
    );
}
