/** Test accounts: made with useradd when missing (never changed when present), read back from /etc/passwd. */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { parsePasswd } from '../../src/config/passwd.js';

export interface UserOptions {
  /** Login shell (default /bin/sh). */
  shell?: string;
  /** `make` (useradd -m, the default), `none` (-M), or a path (-m -d PATH). */
  home?: 'make' | 'none' | string;
  /** Supplementary groups (useradd -G), which must exist. */
  groups?: readonly string[];
}

export interface UserIds {
  uid: number;
  gid: number;
  home: string;
}

const exists = async (name: string): Promise<boolean> => (await execa('id', ['-u', name], { reject: false })).exitCode === 0;

/** The user `name`, made when missing; its ids and home. Two test files making the same user at once is fine. */
export async function ensureUser(name: string, opts: UserOptions = {}): Promise<UserIds> {
  if (!(await exists(name))) {
    const home = opts.home ?? 'make';
    const args = [home === 'none' ? '-M' : '-m', ...(home === 'make' || home === 'none' ? [] : ['-d', home]), '-s', opts.shell ?? '/bin/sh'];
    if (opts.groups?.length) args.push('-G', opts.groups.join(','));
    const r = await execa('useradd', [...args, name], { reject: false });
    if (r.exitCode !== 0 && !(await exists(name))) throw new Error(`useradd ${name}: ${r.stderr}`);
  }
  const u = parsePasswd(await readFile('/etc/passwd', 'utf8')).find((e) => e.name === name);
  if (!u) throw new Error(`${name} is not in /etc/passwd (a user from NSS only?)`);
  return { uid: u.uid, gid: u.gid, home: u.home };
}
