/**
 * rssh.conf (rssh 2.3.4, rssh.conf(5), read as its `rsshconf.c` reads it): `keyword` or `keyword = value`,
 * case-insensitive keywords, `#` comments. A `'` or `"` quote may sit anywhere in a value: rssh's `get_token()` strips
 * every matched pair and keeps what is between them (spaces, `=`, `#`) as it is; an unmatched quote is an error.
 * Per-user lines:
 *
 *     user = NAME:UMASK:ACCESS[:CHROOTPATH]      (the trailing colon and path may be left out: no chroot)
 *
 * The value of a `user` line is tokenised twice, as rssh's `process_user()` does: once as the assignment's value
 * (quotes stripped), then field by field on `:` (quotes stripped again), so `user=rudy:01"1:00001:/usr/local/chroot"`
 * (rssh.conf.default) is rudy, 011, 00001, /usr/local/chroot.
 *
 * ACCESS: upstream rssh 2.3.4 takes exactly **5** binary digits, rsync rdist cvs sftp scp (`NUM_ACCESS_BITS 5` in
 * util.c; rssh.conf(5): "Five binary digits"). Some distributions patched in a 6th, svnserve. Both are read here;
 * which one the installed rssh takes is for the caller to check (`rsshBitProblems`): a line of the other length makes
 * that rssh print "This user is locked out". rssh locks every user out when its config has an error, so a bad line is
 * a diagnostic with its line number and the caller refuses to act. Pure: text in, records out.
 */
import type { ConfigDiagnostic } from './diagnostics.js';

/** The access bits in order: upstream's 5, then the patched svnserve bit. */
export const RSSH_SERVICES = ['rsync', 'rdist', 'cvs', 'sftp', 'scp', 'svnserve'] as const;
export type RsshService = (typeof RSSH_SERVICES)[number];
/** Access digits per `user=` line: 5 upstream (rssh 2.3.4), 6 with the distributions' svnserve patch. */
export type RsshAccessBits = 5 | 6;
export const RSSH_GLOBAL_KEYWORDS = ['umask', 'logfacility', 'chrootpath', 'user'] as const;

export interface RsshUser {
  name: string;
  umask: string;
  access: RsshService[];
  /** How many access digits the line has (5 upstream, 6 patched). */
  bits: RsshAccessBits;
  /** Absent: the user is not chrooted (rssh ignores the global chrootpath for a user with a user= line). */
  chrootpath?: string;
  line: number;
}

export interface RsshConf {
  /** Services the global `allow*` keywords allow. */
  allow: RsshService[];
  umask?: string;
  logfacility?: string;
  /** The global chroot path, and the line that set it (the last one wins, as in rssh). */
  chrootpath?: string;
  chrootpathLine?: number;
  users: RsshUser[];
}

const ALLOW: Record<string, RsshService> = Object.fromEntries(RSSH_SERVICES.map((s) => [`allow${s}`, s]));
const UMASK = /^[0-7]{3,4}$/;

/**
 * One token as rssh's `get_token()` reads it: leading blanks skipped; then up to a blank (unless `keepSpaces`), `=`,
 * `#` (or `:` with `colon`), where a quote runs to its matching quote and both quotes are dropped. `=`/`#`/`:` alone
 * is a token. Returns the token and the rest, or an error for an unmatched quote.
 */
export function rsshToken(s: string, o: { colon: boolean; keepSpaces: boolean }): { token: string; rest: string } | { error: string } {
  let i = 0;
  while (i < s.length && /\s/.test(s[i])) i++;
  const start = i;
  let token = '';
  const stop = (c: string): boolean => c === '=' || c === '#' || (o.colon && c === ':');
  if (i < s.length && stop(s[i])) return { token: s[i], rest: s.slice(i + 1) };
  while (i < s.length) {
    const c = s[i];
    if (!o.keepSpaces && /\s/.test(c)) break;
    if (stop(c)) break;
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return { error: `unterminated ${c} quote` };
      token += s.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    token += c;
    i++;
  }
  if (i === start && token === '') return { token: '', rest: s.slice(i) };
  return { token, rest: s.slice(i) };
}

/** Only blanks or a comment left (rssh's `eat_comment`). */
const onlyComment = (s: string): boolean => /^\s*(#.*)?$/.test(s);

function parseUser(value: string, line: number): RsshUser | string {
  // second pass, as process_user: name, umask, access (colon-separated, quotes stripped again), then the path
  const fields: string[] = [];
  let rest = value;
  for (let f = 0; f < 4; f++) {
    const t = rsshToken(rest, { colon: true, keepSpaces: f === 0 || f === 3 });
    if ('error' in t) return `user=${value}: ${t.error}`;
    if (t.token === ':' || t.token === '') {
      if (f < 3) return `user=${value}: want NAME:UMASK:ACCESS[:CHROOTPATH]`;
      fields.push('');
      rest = t.rest;
      break;
    }
    fields.push(t.token);
    rest = t.rest;
    if (f === 3) break;
    const colon = rsshToken(rest, { colon: true, keepSpaces: false });
    if ('error' in colon) return `user=${value}: ${colon.error}`;
    if (colon.token !== ':') {
      if (f < 2) return `user=${value}: want NAME:UMASK:ACCESS[:CHROOTPATH]`;
      break; // no chroot path
    }
    rest = colon.rest;
  }
  if (!/^\s*$/.test(rest)) return `user=${value}: unexpected ${JSON.stringify(rest.trim())} after the chroot path (want NAME:UMASK:ACCESS[:CHROOTPATH])`;
  const [name, umask, bits, chroot] = fields;
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(name)) return `user=${value}: bad user name ${JSON.stringify(name)}`;
  if (!UMASK.test(umask)) return `user=${value}: bad umask ${JSON.stringify(umask)} (octal, like 022)`;
  if (!/^[01]{5,6}$/.test(bits))
    return `user=${value}: bad access bits ${JSON.stringify(bits)} (5 binary digits upstream: rsync rdist cvs sftp scp; 6 with the svnserve patch)`;
  const access = [...bits].flatMap((b, i) => (b === '1' ? [RSSH_SERVICES[i]] : []));
  const u: RsshUser = { name, umask, access, bits: bits.length as RsshAccessBits, line };
  if (chroot !== undefined && chroot !== '') {
    if (!chroot.startsWith('/')) return `user=${value}: chroot path ${JSON.stringify(chroot)} is not absolute`;
    u.chrootpath = chroot;
  }
  return u;
}

/** `keyword` or `keyword = value` of one line, tokenised as rssh does. */
function splitLine(raw: string): { key?: string; value?: string; error?: string } {
  const k = rsshToken(raw, { colon: false, keepSpaces: false });
  if ('error' in k) return { error: k.error };
  if (k.token === '' || k.token === '#') return {};
  if (k.token === '=') return { error: 'a value with no keyword' };
  const eq = rsshToken(k.rest, { colon: false, keepSpaces: false });
  if ('error' in eq) return { error: eq.error };
  if (eq.token === '' || eq.token === '#') return { key: k.token };
  if (eq.token !== '=') return { key: k.token, error: `${k.token}: unexpected ${JSON.stringify(eq.token)} (want ${k.token} = value)` };
  const v = rsshToken(eq.rest, { colon: false, keepSpaces: false });
  if ('error' in v) return { key: k.token, error: v.error };
  if (v.token === '#' || v.token === '') return { key: k.token, value: '' };
  if (!onlyComment(v.rest)) return { key: k.token, error: `${k.token}: value has spaces: quote it` };
  return { key: k.token, value: v.token };
}

export function parseRsshConf(text: string): { conf: RsshConf; errors: ConfigDiagnostic[] } {
  const conf: RsshConf = { allow: [], users: [] };
  const errors: ConfigDiagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const err = (message: string): void => {
      errors.push({ line, message });
    };
    const w = splitLine(raw);
    if (w.error) return err(w.error);
    if (w.key === undefined) return;
    const key = w.key.toLowerCase();
    const value = w.value;
    if (ALLOW[key]) {
      if (value !== undefined) return err(`${w.key} takes no value`);
      if (!conf.allow.includes(ALLOW[key])) conf.allow.push(ALLOW[key]);
      return;
    }
    if (!(RSSH_GLOBAL_KEYWORDS as readonly string[]).includes(key)) return err(`unknown keyword ${JSON.stringify(w.key)}`);
    if (value === undefined || value === '') return err(`${w.key} needs a value`);
    switch (key) {
      case 'umask':
        if (!UMASK.test(value)) return err(`bad umask ${JSON.stringify(value)} (octal, like 022)`);
        conf.umask = value;
        return;
      case 'logfacility':
        conf.logfacility = value;
        return;
      case 'chrootpath':
        if (!value.startsWith('/')) return err(`chrootpath ${JSON.stringify(value)} is not absolute`);
        conf.chrootpath = value;
        conf.chrootpathLine = line;
        return;
      case 'user': {
        const u = parseUser(value, line);
        if (typeof u === 'string') return err(u);
        if (conf.users.some((x) => x.name === u.name))
          return err(`user ${u.name} already configured on line ${conf.users.find((x) => x.name === u.name)!.line} (rssh reads only the first)`);
        conf.users.push(u);
        return;
      }
    }
  });
  return { conf, errors };
}

/**
 * `user=` lines the installed rssh would reject, locking that user out ("This user is locked out."): their digit count
 * differs from the binary's (5 upstream, 6 patched: src/rssh/info.ts tells which).
 */
export function rsshBitProblems(conf: RsshConf, installed: RsshAccessBits): ConfigDiagnostic[] {
  const name = (n: RsshAccessBits): string => (n === 5 ? '5 (upstream rssh 2.3.4: rsync rdist cvs sftp scp)' : '6 (patched rssh with the svnserve bit)');
  return conf.users
    .filter((u) => u.bits !== installed)
    .map((u) => ({
      line: u.line,
      message: `user ${u.name}: ${u.bits} access bits, but the installed rssh takes ${name(installed)}: it will print "This user is locked out." for ${u.name}; write ${installed} digits`,
    }));
}
