/**
 * rssh.conf (rssh 2.3, rssh.conf(5)): `keyword` or `keyword = value`, case-insensitive keywords, `#` comments
 * anywhere, single or double quotes around values with spaces (anywhere in the value). Per-user lines:
 *
 *     user = NAME:UMASK:ACCESS[:CHROOTPATH]      (the trailing colon and path may be left out: no chroot)
 *
 * ACCESS is six binary digits for rsync, rdist, cvs, sftp, scp and svnserve, in that order (rssh 2.3.4's
 * rssh.conf.default: "Six binary digits, which indicate whether the user is allowed to use rsync, rdist, cvs,
 * sftp, scp and svnserve, in that order"; e.g. `user=alice:011:000110:/chroot` allows sftp and scp). The five-digit
 * form of older releases (no svnserve digit) is accepted. rssh locks every user out when its config has an error, so
 * a bad line is a diagnostic with its line number and the caller refuses to act. Pure: text in, records out.
 */
import { words, type ConfigDiagnostic } from './diagnostics.js';

export const RSSH_SERVICES = ['rsync', 'rdist', 'cvs', 'sftp', 'scp', 'svnserve'] as const;
export type RsshService = (typeof RSSH_SERVICES)[number];

export interface RsshUser {
  name: string;
  umask: string;
  access: RsshService[];
  /** Absent: the user is not chrooted. */
  chrootpath?: string;
  line: number;
}

export interface RsshConf {
  /** Services the global `allow*` keywords allow. */
  allow: RsshService[];
  umask?: string;
  logfacility?: string;
  chrootpath?: string;
  users: RsshUser[];
}

const ALLOW: Record<string, RsshService> = Object.fromEntries(RSSH_SERVICES.map((s) => [`allow${s}`, s]));
const UMASK = /^[0-7]{3,4}$/;

function parseUser(value: string, line: number): RsshUser | string {
  const f = value.split(':');
  if (f.length < 3 || f.length > 4) return `user=${value}: want NAME:UMASK:ACCESS[:CHROOTPATH]`;
  const [name, umask, bits, chroot] = f;
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(name)) return `user=${value}: bad user name ${JSON.stringify(name)}`;
  if (!UMASK.test(umask)) return `user=${value}: bad umask ${JSON.stringify(umask)} (octal, like 022)`;
  if (!/^[01]{5,6}$/.test(bits)) return `user=${value}: bad access bits ${JSON.stringify(bits)} (six 0/1 digits: rsync rdist cvs sftp scp svnserve)`;
  const access = [...bits].flatMap((b, i) => (b === '1' ? [RSSH_SERVICES[i]] : []));
  const u: RsshUser = { name, umask, access, line };
  if (chroot !== undefined && chroot !== '') {
    if (!chroot.startsWith('/')) return `user=${value}: chroot path ${JSON.stringify(chroot)} is not absolute`;
    u.chrootpath = chroot;
  }
  return u;
}

export function parseRsshConf(text: string): { conf: RsshConf; errors: ConfigDiagnostic[] } {
  const conf: RsshConf = { allow: [], users: [] };
  const errors: ConfigDiagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const err = (message: string): void => {
      errors.push({ line, message });
    };
    const w = words(raw, '=');
    if (w.error) return err(w.error);
    if (w.words.length === 0) return;
    const key = w.words[0].toLowerCase();
    const hasEq = w.words[1] === '=';
    const value = hasEq ? w.words.slice(2).join(' ') : undefined;
    if (!hasEq && w.words.length > 1) return err(`${w.words[0]}: unexpected ${JSON.stringify(w.words[1])} (want ${w.words[0]} = value)`);
    if (hasEq && w.words.length > 3) return err(`${w.words[0]}: value has spaces: quote it`);
    if (ALLOW[key]) {
      if (value !== undefined) return err(`${w.words[0]} takes no value`);
      if (!conf.allow.includes(ALLOW[key])) conf.allow.push(ALLOW[key]);
      return;
    }
    if (value === undefined || value === '') return err(ALLOW[key] === undefined && !['umask', 'logfacility', 'chrootpath', 'user'].includes(key) ? `unknown keyword ${JSON.stringify(w.words[0])}` : `${w.words[0]} needs a value`);
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
        return;
      case 'user': {
        const u = parseUser(value, line);
        if (typeof u === 'string') return err(u);
        if (conf.users.some((x) => x.name === u.name)) return err(`user ${u.name} already configured on line ${conf.users.find((x) => x.name === u.name)!.line}`);
        conf.users.push(u);
        return;
      }
      default:
        return err(`unknown keyword ${JSON.stringify(w.words[0])}`);
    }
  });
  return { conf, errors };
}
