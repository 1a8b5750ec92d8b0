/**
 * When may two jails share one trace? (`build --from-rssh-conf` / `--from-sshd-config`, issue 14.) A profile trace
 * depends on what runs and what the loader and libc read on the way, not on the jail's name: the key is built from
 * facts — the profiles, each resolved server binary with its identity (device, inode, size, mtime, ctime), the user's
 * login shell resolved the same way, and the identity of the files the loader and NSS read (a missing
 * /etc/ld.so.preload is a fact too). Per jail, what differs is redone by the build itself: the account lines, the
 * home, the chroot path.
 *
 * When a fact cannot be settled the key is `unsure` and the jail is traced again: a login shell that reads startup
 * files from the user's home (~/.bashrc may source anything), a binary that cannot be stat'ed. The CLI says why with -v.
 */
import { realpath, lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { findScp, findSftpServer } from '../profiles/find.js';
import { sessionShell } from '../profiles/login-shell.js';
import { lookupUser, type PasswdEntry } from '../profiles/workspace.js';

/** Read by the loader and by glibc's NSS for every traced server: a change in any of them can change the trace. */
export const NSS_FILES: readonly string[] = [
  '/etc/nsswitch.conf',
  '/etc/ld.so.cache',
  '/etc/ld.so.preload',
  '/etc/ld.so.conf',
  '/etc/host.conf',
  '/etc/gai.conf',
  '/etc/localtime',
];

/** Startup files a login shell run by sshd may read from the home: the user's, so their effect is not known. */
const STARTUP_FILES: readonly string[] = ['.bashrc', '.bash_profile', '.bash_login', '.profile', '.zshenv', '.zshrc', '.kshrc', '.mkshrc', '.cshrc', '.tcshrc'];

export type WorkloadKey = { key: string } | { key?: undefined; unsure: string };

export interface KeyInput {
  profiles: readonly string[];
  /** The user the profiles run as (the first of the jail's users), if any. */
  user?: string;
  sftpServer?: string;
  scp?: string;
  /** How to find the user (default getent, one process a call; many jails pass a reader of /etc/passwd read once). */
  lookup?: (name: string) => Promise<PasswdEntry | undefined>;
}

/** A file's identity, `missing`, or undefined when it cannot be told (then the key is unsure). */
async function identity(p: string): Promise<string | undefined> {
  try {
    const real = await realpath(p);
    const s = await stat(real);
    return `${real}:${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${p}:missing` : undefined;
  }
}

export async function workloadKey(k: KeyInput): Promise<WorkloadKey> {
  const facts: string[] = [`profiles=${[...k.profiles].sort().join(',')}`];
  const binaries: Array<[string, () => Promise<string>]> = [];
  if (k.profiles.includes('sftp')) binaries.push(['sftp-server', () => findSftpServer(k.sftpServer)]);
  if (k.profiles.includes('scp')) binaries.push(['scp', () => findScp(k.scp)]);
  for (const [name, find] of binaries) {
    const bin = await find().catch(() => undefined);
    const id = bin && (await identity(bin));
    if (!id || id.endsWith(':missing')) return { unsure: `${name}: not found on this host` };
    facts.push(`${name}=${id}`);
  }
  if (k.user !== undefined) {
    const who = await (k.lookup ?? ((u: string) => lookupUser(u).catch(() => undefined)))(k.user);
    if (!who) return { unsure: `no passwd entry for ${k.user}` };
    const s = sessionShell(who.shell);
    if (s.shell === undefined) facts.push(`shell=none:${path.basename(who.shell ?? '')}`);
    else {
      const id = await identity(s.shell);
      if (!id) return { unsure: `${k.user}'s login shell ${s.shell} cannot be stat'ed` };
      facts.push(`shell=${id}`);
      // lstat only (never follows the user's links): any startup file in the home makes the trace the user's own
      if (who.home.startsWith('/') && who.home !== '/') {
        for (const f of STARTUP_FILES) {
          if (
            await lstat(path.join(who.home, f)).then(
              () => true,
              () => false,
            )
          )
            return { unsure: `${k.user}'s login shell ${s.shell} may read ${path.join(who.home, f)}, which is the user's` };
        }
      }
    }
  }
  for (const f of NSS_FILES) {
    const id = await identity(f);
    if (!id) return { unsure: `${f} cannot be stat'ed` };
    facts.push(`nss=${id}`);
  }
  return { key: facts.join('\n') };
}
