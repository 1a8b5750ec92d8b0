/**
 * The rssh side of a jail: the installed rssh (./info.ts), its config as it reads it (../config/rssh-conf.ts) and
 * what it does for one user (./user.ts). Used by `build --profile rssh`, `build --from-rssh-conf` and `verify` of an
 * rssh jail, which run the real chain — rssh → rssh_chroot_helper (setuid root) → chroot → chdir → drop privileges →
 * exec — from the host. rssh and its helper run before the chroot: they are never jail content.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/diagnostics.js';
import { parsePasswd } from '../config/passwd.js';
import { parseRsshConf, rsshBitProblems, type RsshConf } from '../config/rssh-conf.js';
import { UsageError } from '../errors.js';
import { lookupUser } from '../profiles/workspace.js';
import { rsshInfo, type RsshInfo } from './info.js';
import { extractRoot, rsshHomeInJail, rsshUserView, type RsshUserView } from './user.js';

export interface RsshSetup {
  info: RsshInfo;
  conf: RsshConf;
  file: string;
  view: RsshUserView;
  /** `FILE:LINE: ...` lines for the admin (bit counts the installed rssh rejects, a login shell that is not rssh). */
  warnings: string[];
}

/** rssh.conf lines whose bit count the installed rssh rejects, as `FILE:LINE: message`. */
export function bitWarnings(conf: RsshConf, file: string, info: Pick<RsshInfo, 'accessBits'>): string[] {
  return rsshBitProblems(conf, info.accessBits).map((d) => `${file}:${d.line}: ${d.message}`);
}

export async function rsshSetup(user: string): Promise<RsshSetup> {
  const info = await rsshInfo();
  const file = info.configFile;
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(
      `${file} (the installed rssh's config): ${e.code === 'ENOENT' ? 'no such file' : e.code}`,
      `write it: allowscp, allowsftp and user=${user}:022:00011:/srv/jail (5 access bits)`,
    );
  });
  const { conf, errors } = parseRsshConf(text);
  if (errors.length) throw new ConfigError(file, errors, 'rssh locks every user out while its config has errors; fix these lines first');
  const view = rsshUserView(conf, user);
  // only this user's line: rssh stops reading at it, so the others do not concern this user
  const warnings = bitWarnings(conf, file, info).filter((w) => view.line !== undefined && w.startsWith(`${file}:${view.line}:`));
  const pw = await lookupUser(user);
  const shell = await readFile('/etc/passwd', 'utf8').then((t) => parsePasswd(t).find((u) => u.name === user)?.shell);
  if (shell !== undefined && shell !== info.rssh)
    warnings.push(
      `${user}'s login shell is ${shell || '(none)'}, not ${info.rssh}: sshd runs the login shell, so rssh restricts ${user} only with usermod -s ${info.rssh} ${user}`,
    );
  if (view.chroot) {
    const home = rsshHomeInJail(view.chroot, pw.home);
    if (home.why)
      warnings.push(
        `${user}: ${home.why} (root's, not writable by ${user}); set the home under it: usermod -d ${path.posix.join(view.chroot, 'home', user)} ${user}`,
      );
  }
  return { info, conf, file, view, warnings };
}

/** The jail the chain enters must be the one being built or verified: rssh.conf decides where the helper chroots. */
export function checkChainTarget(s: RsshSetup, jail: string): void {
  const where = s.view.line !== undefined ? `${s.file}:${s.view.line}` : s.file;
  if (!s.view.chroot) {
    throw new UsageError(
      `${where}: rssh does not chroot ${s.view.user} (${s.view.line !== undefined ? 'the user= line has no chroot path' : 'no chrootpath and no user= line'}): there is no jail to build for the rssh route`,
      `chroot them: user=${s.view.user}:022:00011:${jail} in ${s.file} (or chrootpath = ${jail})`,
    );
  }
  if (path.resolve(s.view.chroot) !== path.resolve(jail)) {
    throw new UsageError(`${where}: rssh chroots ${s.view.user} into ${s.view.chroot}, not ${jail}`, `build ${s.view.chroot}, or point ${s.file} at ${jail}`);
  }
}

/** The rssh services jailtrace can drive (sftp, scp), of those the user may use. */
export const chainServices = (v: RsshUserView): Array<'sftp' | 'scp'> => (['sftp', 'scp'] as const).filter((x) => v.services.includes(x));

/** For verify: the setup of an rssh jail's user, checked to chroot into `jail`. */
export async function rsshChainFor(jail: string, user: string | undefined): Promise<RsshSetup> {
  if (!user) throw new UsageError('the rssh profile runs the real chain as a user', 'give --user NAME (an rssh user chrooted into this jail)');
  const s = await rsshSetup(user);
  checkChainTarget(s, jail);
  return s;
}

/** makePlan's homeInJail for an rssh jail: where rssh_chroot_helper chdirs (the home minus the chroot path). */
export const rsshJailHomes =
  (jail: string) =>
  (u: { home: string }): string | undefined =>
    extractRoot(jail, u.home);

/** Is `file` the config the installed rssh reads? Only then can the real chain run for the jails it names. */
export async function installedRssh(file: string): Promise<RsshInfo | undefined> {
  const info = await rsshInfo().catch(() => undefined);
  return info && path.resolve(file) === path.resolve(info.configFile) ? info : undefined;
}
