/**
 * Account databases for the jail: the host's /etc/passwd and /etc/group filtered to root and the jail's users (and
 * their groups), so the jail doesn't leak the host's accounts. Pure over the files' text.
 */
import { parseGroup, parsePasswd, type PasswdEntry } from '../config/passwd.js';
import { UsageError } from '../errors.js';

export interface Accounts {
  passwd: string;
  group: string;
  users: PasswdEntry[];
}

/** root + the named users; groups: root's, each user's primary group, and supplementary groups naming a user. */
export function filterAccounts(passwdText: string, groupText: string, userNames: readonly string[]): Accounts {
  const pw = parsePasswd(passwdText);
  const gr = parseGroup(groupText);
  const users: PasswdEntry[] = [];
  for (const name of userNames) {
    const u = pw.find((e) => e.name === name);
    if (!u) throw new UsageError(`no user ${JSON.stringify(name)} in /etc/passwd`, 'create the user first (useradd), or name an existing one with --user');
    users.push(u);
  }
  const root = pw.find((e) => e.uid === 0);
  const keep = [root, ...users].filter((x, i, a): x is PasswdEntry => x !== undefined && a.findIndex((y) => y?.name === x.name) === i);
  const names = new Set(keep.map((u) => u.name));
  const gids = new Set(keep.map((u) => u.gid));
  const groups = gr
    .filter((g) => gids.has(g.gid) || g.members.some((m) => names.has(m)))
    .map((g) => `${g.name}:x:${g.gid}:${g.members.filter((m) => names.has(m)).join(',')}`);
  // passwd lines keep their fields but never a password hash: `x` (the jail has no shadow)
  const passwd = keep.map((u) => {
    const f = u.line.split(':');
    f[1] = 'x';
    return f.join(':');
  });
  return { passwd: passwd.join('\n') + '\n', group: groups.join('\n') + '\n', users };
}
