/**
 * Directories that are never a jail root: the running system's own. A jail root is written as root with the host's
 * layout (etc/, usr/, lib/, dev/, a user-owned home/...): pointed at /etc it would make /etc/etc, /etc/usr and a
 * user-owned /etc/home. Rows, not branches: a prefix, whether its subdirectories are refused too, and why.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

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
  { dir: '/proc', below: true, why: 'the kernel\'s process file system' },
  { dir: '/sys', below: true, why: "the kernel's sysfs" },
  { dir: '/run', below: false, why: "the host's runtime state" },
  { dir: '/var', below: false, why: "the host's variable data (use a directory below it, such as /var/jail)" },
  { dir: '/home', below: false, why: "the host users' home directories (use a directory below it)" },
  { dir: '/root', below: true, why: "root's home directory" },
  { dir: '/tmp', below: false, why: 'a world-writable directory (OpenSSH refuses it as a ChrootDirectory)' },
  { dir: '/var/tmp', below: false, why: 'a world-writable directory (OpenSSH refuses it as a ChrootDirectory)' },
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
  for (const marker of SYSTEM_MARKERS) {
    const [host, inJail] = await Promise.all([lstat(marker).catch(() => undefined), lstat(path.join(real, marker)).catch(() => undefined)]);
    if (host && inJail && host.dev === inJail.dev && host.ino === inJail.ino) return `${abs} holds the running system's ${marker} (same device and inode): it is the host's own tree, not a jail; refusing to build a jail there`;
  }
  return undefined;
}

/** The jail argument's gate, for every route (a jail argument, `--from-rssh-conf`, `--from-sshd-config`, verify). */
export async function refuseSystemJail(jail: string): Promise<void> {
  const problem = await systemJailProblem(jail);
  if (problem) throw new UsageError(problem, 'name a directory of its own for the jail, such as /srv/jail/NAME or /var/jail/NAME (docs/security.md)');
}
