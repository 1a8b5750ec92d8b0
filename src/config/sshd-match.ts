/**
 * Who a `Match User` / `Match Group` block covers, as sshd decides it (OpenSSH match.c, groupaccess.c):
 * - a criterion's value is a comma list of patterns (`*`, `?`); a `!` pattern that matches rejects at once, and at
 *   least one plain pattern must match (match_pattern_list);
 * - `Match User` tests the user name (case-sensitive); `Match Group` tests every group the user is in — the primary
 *   group of passwd and each /etc/group line naming the user — and one negated group match rejects
 *   (ga_match_pattern_list);
 * - all criteria of one Match line must hold.
 * Users are enumerated from the names the patterns spell out (and the members of groups they spell out); a wildcard
 * pattern is enumerated over regular users only (uid 1000–60000, Debian's login.defs), so `Match User *` never puts
 * root or the daemons in a jail. Pure: the caller passes passwd and group.
 */
import { parseGroup, parsePasswd } from './passwd.js';
import type { MatchCriterion } from './sshd-config.js';

export interface SshdUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell?: string;
}

export interface SshdGroup {
  name: string;
  gid: number;
  members: string[];
}

export interface SshdAccounts {
  users: SshdUser[];
  groups: SshdGroup[];
}

const REGULAR_UID = { min: 1000, max: 60000 };

/** One sshd wildcard pattern: `*` any run, `?` one character, everything else literal. */
export function matchPattern(s: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(s);
}

/** match_pattern_list: 1 a plain pattern matched, -1 a negated one did (it wins), 0 none. */
export function matchPatternList(s: string, list: readonly string[]): -1 | 0 | 1 {
  let got = 0 as 0 | 1;
  for (const p of list) {
    const negated = p.startsWith('!');
    if (matchPattern(s, negated ? p.slice(1) : p)) {
      if (negated) return -1;
      got = 1;
    }
  }
  return got;
}

/** The groups sshd sees for a user: the primary group and every group listing them. */
export function groupsOf(user: SshdUser, accounts: SshdAccounts): string[] {
  return accounts.groups.filter((g) => g.gid === user.gid || g.members.includes(user.name)).map((g) => g.name);
}

/** Does a user satisfy one criterion? `undefined`: the criterion is not about users (Address, Host...). */
export function userMatches(c: MatchCriterion, user: SshdUser | { name: string }, accounts: SshdAccounts): boolean | undefined {
  if (c.kind === 'all') return true;
  if (c.kind === 'user') return matchPatternList(user.name, c.values) === 1;
  if (c.kind === 'group') {
    if (!('gid' in user)) return false;
    let found = false;
    for (const g of groupsOf(user, accounts)) {
      const m = matchPatternList(g, c.values);
      if (m === -1) return false;
      if (m === 1) found = true;
    }
    return found;
  }
  return undefined;
}

const isWild = (p: string): boolean => /[*?]/.test(p);
const regular = (u: SshdUser): boolean => u.uid >= REGULAR_UID.min && u.uid <= REGULAR_UID.max;

/**
 * The users a Match line may cover: names its User/Group patterns spell out, members of the groups they spell out,
 * regular users matching a wildcard. `undefined` when it has no User/Group criterion (Match All, Match Address): it
 * covers users sshd cannot know before they connect.
 */
export function candidates(criteria: readonly MatchCriterion[], accounts: SshdAccounts): string[] | undefined {
  const about = criteria.filter((c) => c.kind === 'user' || c.kind === 'group');
  if (about.length === 0) return undefined;
  const out = new Set<string>();
  for (const c of about) {
    for (const p of c.values.filter((v) => !v.startsWith('!'))) {
      if (isWild(p)) {
        for (const u of accounts.users.filter(regular)) out.add(u.name);
      } else if (c.kind === 'user') out.add(p);
      else for (const u of accounts.users) if (groupsOf(u, accounts).includes(p)) out.add(u.name);
    }
  }
  return [...out];
}

/** Every User/Group criterion of the line holds for the user (other criteria are left to the connection). */
export function coversUser(criteria: readonly MatchCriterion[], name: string, accounts: SshdAccounts): boolean {
  const user = accounts.users.find((u) => u.name === name) ?? { name };
  return criteria.every((c) => userMatches(c, user, accounts) !== false);
}

/** passwd and group files → accounts (read by ./passwd.ts). */
export function parseAccounts(passwd: string, group: string): SshdAccounts {
  const users = parsePasswd(passwd).map((u) => ({ name: u.name, uid: u.uid, gid: u.gid, home: u.home, shell: u.shell }));
  const groups = parseGroup(group).map((g) => ({ name: g.name, gid: g.gid, members: g.members }));
  return { users, groups };
}
