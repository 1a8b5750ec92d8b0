/**
 * sshd_config → jails, as sshd would chroot each user: for every user a Match line names (by name, by group, or by a
 * wildcard over regular users), the settings sshd would apply to them (the first value among the Match blocks that
 * cover them, in file order, Included files in place; else the global value), ChrootDirectory's `%h %u %U %%`
 * expanded, and what the jail must hold for the command sshd runs there. Blocks that cover users sshd knows only when
 * they connect (Match All, Match Address) and a global ChrootDirectory give a jail without users (name them with
 * --user).
 */
import { ConfigError } from '../config/diagnostics.js';
import { expandChroot, parseSshdConfig, type MatchCriterion, type SshdBlock, type SshdParseOptions, type SshdSettings } from '../config/sshd-config.js';
import { candidates, coversUser, type SshdAccounts } from '../config/sshd-match.js';
import { sessionShell, shCommand, shWord } from '../profiles/login-shell.js';
import { mergeSpec, type JailSpec } from './jail-spec.js';

export interface SshdJailOptions extends SshdParseOptions {
  /** Home directory and uid of a user, for %h / %U (when `accounts` does not know them). */
  userInfo?: (name: string) => { home: string; uid: number; shell?: string } | undefined;
  /** passwd and group: who Match User/Group cover. */
  accounts?: SshdAccounts;
}

const USER_KINDS = new Set(['user', 'group', 'all']);
const firstWord = (cmd: string | undefined): string | undefined => cmd?.trim().split(/\s+/)[0];

export const INTERNAL_SFTP_LAYOUT =
  'sshd serves sftp itself (internal-sftp): the jail needs no program, so only its layout is built — the root-owned jail root and the home sshd chdirs to; ' +
  'for internal-sftp to log (ForceCommand internal-sftp -l INFO) give the jail a /dev/log socket from the host syslog';

interface Need {
  profiles: string[];
  notes: string[];
  /** Nothing to trace, and nothing needed: build the layout and the home (internal-sftp). */
  layoutOnly?: boolean;
}

/** What a jail needs for the command sshd runs: a ForceCommand decides; else the sftp Subsystem and `scp -t`. */
export function sshdNeeds(
  force: string | undefined,
  sftp: string | undefined,
  jail: string,
  users: readonly string[],
  shellOf: (u: string) => string | undefined,
): Need {
  const cmd = firstWord(force);
  if (cmd === 'internal-sftp')
    return {
      profiles: [],
      notes: [`ForceCommand internal-sftp: ${INTERNAL_SFTP_LAYOUT}; scp -O (scp -t) is refused, plain scp (sftp protocol) works`],
      layoutOnly: true,
    };
  const shellNotes = users.flatMap((u) => {
    const s = sessionShell(shellOf(u));
    return s.shell === undefined ? [`${u}: ${s.why}`] : [];
  });
  if (cmd?.endsWith('sftp-server')) return { profiles: ['sftp'], notes: shellNotes };
  if (cmd !== undefined && cmd !== 'none') {
    const how = (users.length ? users : ['USER']).map(
      (u) => `jailtrace build ${shWord(jail)} --user ${shWord(u)} -- ${shCommand([sessionShell(shellOf(u)).shell ?? '/bin/sh', '-c', force!])}`,
    );
    return { profiles: [], notes: [...shellNotes, `ForceCommand ${force}: sshd runs it through the login shell; trace it the same way: ${how.join(' ; ')}`] };
  }
  if (firstWord(sftp) === 'internal-sftp')
    return {
      profiles: ['scp'],
      notes: [...shellNotes, 'Subsystem sftp internal-sftp: sftp needs no program in the jail (only scp -O does: scp -t through the login shell)'],
    };
  return { profiles: sftp ? ['sftp', 'scp'] : ['scp'], notes: shellNotes };
}

const ORDER: readonly string[] = ['sftp', 'scp'];
const spec = (jail: string, users: string[], need: Need, extra: string[] = []): JailSpec => {
  const notes = [...extra, ...need.notes];
  return {
    jail,
    users,
    profiles: [...need.profiles].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)),
    ...(notes.length ? { notes } : {}),
    ...(need.layoutOnly ? { layoutOnly: true } : {}),
  };
};
const describe = (cs: readonly MatchCriterion[]): string => cs.map((c) => `${c.kind}${c.values.length ? ` ${c.values.join(',')}` : ''}`).join(' ');

export function jailsFromSshdConfig(text: string, opts: SshdJailOptions = {}): JailSpec[] {
  const file = opts.file ?? 'sshd_config';
  const { config, errors } = parseSshdConfig(text, opts);
  if (errors.length) throw new ConfigError(file, errors, 'sshd -t shows how sshd reads it');
  const accounts: SshdAccounts = opts.accounts ?? { users: [], groups: [] };
  const info = (u: string): { home?: string; uid?: number; shell?: string } => accounts.users.find((x) => x.name === u) ?? opts.userInfo?.(u) ?? {};
  const shellOf = (u: string): string | undefined => info(u).shell;
  const g = config.global;
  const specs: JailSpec[] = [];

  // 1. Every user a Match line names: the settings sshd would give them.
  const named: string[] = [];
  const open: SshdBlock[] = [];
  for (const b of config.matches) {
    const c = candidates(b.criteria, accounts);
    if (c === undefined || c.length === 0) open.push(b);
    for (const u of c ?? []) if (!named.includes(u)) named.push(u);
  }
  for (const u of named) {
    const eff: SshdSettings = { subsystems: {} };
    const notes: string[] = [];
    for (const b of config.matches) {
      if (!coversUser(b.criteria, u, accounts)) continue;
      const before = eff.chrootDirectory;
      eff.chrootDirectory ??= b.chrootDirectory;
      eff.forceCommand ??= b.forceCommand;
      eff.subsystems.sftp ??= b.subsystems.sftp;
      const other = b.criteria.filter((c) => !USER_KINDS.has(c.kind));
      if (other.length && before === undefined && b.chrootDirectory !== undefined)
        notes.push(`Match ${describe(other)}: ${u} is chrooted there only when the connection matches too`);
    }
    const dir = eff.chrootDirectory ?? g.chrootDirectory;
    if (!dir || dir === 'none') continue;
    const who = info(u);
    const jail = expandChroot(dir, { name: u, home: who.home, uid: who.uid });
    if (jail === undefined)
      throw new ConfigError(
        file,
        [{ line: config.matches.find((b) => b.chrootDirectory === dir)?.line ?? 0, message: `ChrootDirectory ${dir}: no home/uid known for ${u}` }],
        'create the user first',
      );
    mergeSpec(specs, spec(jail, [u], sshdNeeds(eff.forceCommand ?? g.forceCommand, eff.subsystems.sftp ?? g.subsystems.sftp, jail, [u], shellOf), notes));
  }

  // 2. Blocks (and the global setting) whose users sshd learns only when they connect.
  const unnamed = [...open.map((b) => ({ b, global: false })), { b: { criteria: [], line: 0, ...g } as SshdBlock, global: true }];
  for (const { b, global } of unnamed) {
    const dir = b.chrootDirectory ?? (global ? undefined : g.chrootDirectory);
    if (!dir || dir === 'none') continue;
    const need = sshdNeeds(b.forceCommand ?? (global ? undefined : g.forceCommand), b.subsystems.sftp ?? g.subsystems.sftp, dir, [], shellOf);
    const who = global ? 'every user' : `Match ${describe(b.criteria)}`;
    const why = [
      ...(global ? [] : [`${who}: users not resolved (name them with --user)`]),
      ...(/%[hUu]/.test(dir) ? [`ChrootDirectory ${dir}: one jail per user; name the users to build them`] : []),
    ];
    mergeSpec(specs, spec(dir, [], need, why.length ? why : [`${who}: users not resolved (name them with --user)`]));
  }
  return specs;
}
