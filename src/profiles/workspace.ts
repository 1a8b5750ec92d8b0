/**
 * The workload's surroundings: who runs the server (passwd entry, clean environment) and payloads of known bytes to
 * check transfers against. Its scratch directories are ./private-tree.ts.
 */
import { execa } from 'execa';
import { whichExecutable } from '../capture/find.js';
import { parsePasswdLine } from '../config/passwd.js';
import { UsageError } from '../errors.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** The login shell field of passwd ('' means /bin/sh to sshd). */
  shell?: string;
}

export async function lookupUser(nameOrUid: string | number): Promise<PasswdEntry> {
  const r = await execa('getent', ['passwd', String(nameOrUid)], { reject: false });
  const e = r.exitCode === 0 ? parsePasswdLine(String(r.stdout).split('\n')[0]) : undefined;
  if (!e) throw new UsageError(`no such user: ${nameOrUid}`, 'check --user (getent passwd NAME)');
  return { name: e.name, uid: e.uid, gid: e.gid, home: e.home, shell: e.shell };
}

/** The user the servers run as: the named one, or whoever runs jailtrace. */
export const runAs = (user?: string): Promise<PasswdEntry> => lookupUser(user ?? process.getuid?.() ?? 0);

/** env -i like: what a login would give, nothing of ours. */
export function cleanEnv(u: PasswdEntry): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: u.home, USER: u.name, LOGNAME: u.name, LANG: 'C' };
}

/** Known bytes: every byte value, NULs and newlines included, different per seed. */
export function payload(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 97 === 0 ? 0 : i % 89 === 0 ? 10 : x >>> 24;
  }
  return b;
}

/** sftp -D splits its argument on whitespace and execs it without a shell: no word may contain any. */
export function sftpDirectCommand(argv: string[]): string {
  const bad = argv.find((a) => /\s/.test(a) || a === '');
  if (bad !== undefined) {
    throw new UsageError(
      `cannot run ${JSON.stringify(bad)} through sftp -D: it splits its command on whitespace`,
      'use paths without spaces (e.g. a symlink or a wrapper script) for --sftp-server, the jail and the temp dir',
    );
  }
  return argv.join(' ');
}

/**
 * The chroot prefix with its program made absolute: the traced run gets a clean PATH (/usr/bin:/bin), and chroot
 * lives in /usr/sbin.
 */
export async function resolvePrefix(prefix: string[] | undefined): Promise<string[] | undefined> {
  if (!prefix || prefix.length === 0) return prefix;
  const found = await whichExecutable(prefix[0], `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin`);
  if (!found) throw new UsageError(`${prefix[0]}: not found`, 'the chroot command prefix must name an installed program');
  return [found, ...prefix.slice(1)];
}
