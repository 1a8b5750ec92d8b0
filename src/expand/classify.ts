/**
 * Roles and decisions, as rows: which kind of file a path is (executable, library, NSS module, shell, config...) and
 * what the jail does with it (copy, create, generate, report-only, skip) and why. Pure: the caller gives the facts.
 */
import type { PlatformInfo } from '../platforms/types.js';
import type { Op } from '../syscalls.js';
import { fallbackOf } from './fallbacks.js';

export type Role =
  | 'executable'
  | 'shell'
  | 'loader'
  | 'library'
  | 'nss-module'
  | 'config'
  | 'account'
  | 'locale'
  | 'device'
  | 'socket'
  | 'kernel'
  | 'directory'
  | 'secret'
  | 'shared-tmp'
  | 'user-controlled'
  | 'symlink'
  | 'data';

export type Decision = 'copy' | 'create' | 'generate' | 'report-only' | 'skip';

export type HostType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'socket' | 'fifo' | 'missing';

export interface Facts {
  path: string;
  /** Ops of successful accesses (of the failed ones when every access failed). */
  ops: ReadonlySet<Op>;
  /** Some access failed and none succeeded. */
  failedOnly: boolean;
  /** What the host has at the path (after following symlinks for the final type). */
  type: HostType;
  /** How the path came in: seen in the trace, or added (interp, shebang, symlink on the way, parent). */
  via: 'trace' | 'interp' | 'needed' | 'shebang' | 'symlink' | 'parent' | 'user';
  /** The path this one was reached from (a device's traced name, before symlinks: --allow-device may name either). */
  from?: string;
  /** Reached through a symlink whose name is a secret's: the file is one too. */
  secretName?: string;
  /**
   * The world-writable directory (/tmp, /var/tmp, /dev/shm...) the path lies under, when a user could have changed a
   * name on the way below it (a name a user owns, or a directory without the sticky bit): workload data that root
   * never walks, follows or copies.
   */
  sharedDir?: string;
  /** sharedDir is not world-writable but a user's (or a group's) to write: role `user-controlled`. */
  userDir?: boolean;
}

/** Secrets: never copied unless named with --allow-secret. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  // with their backup copies: shadow-, shadow~, shadow.bak, shadow.dpkg-old, and Debian's /var/backups/shadow.bak
  /^\/etc\/(g?shadow|master\.passwd|spwd\.db|security\/passwd)(-|~|\.[^/]*)?$/,
  /^\/var\/backups\/(g?shadow|master\.passwd|spwd\.db)(-|~|\.[^/]*)?$/,
  /^\/etc\/ssh\/[^/]*_key(-|~|\.(bak|old|orig|save|dpkg-old|dpkg-dist|ucf-old|rpmsave))?$/,
  /^\/root(\/|$)/,
  /^\/etc\/sudoers/,
  /^\/etc\/ssl\/private(\/|$)/,
  /\/\.ssh\/id_[^/]*$/,
  /\.key$/, // private keys by name (certificates, *.pem under /etc/ssl/certs, are public)
  /^\/etc\/krb5\.keytab$/,
  /(^|\/)privkey[^/]*\.pem$/, // certbot: /etc/letsencrypt/live/*/privkey.pem -> ../../archive/*/privkey1.pem
  /^\/etc\/security\/opasswd$/,
];

export const isSecret = (path: string): boolean => SECRET_PATTERNS.some((re) => re.test(path));

/** NSS databases jailtrace generates from the host's, filtered to the jail's users. */
export const ACCOUNT_FILES: readonly string[] = ['/etc/passwd', '/etc/group'];

interface RoleRule {
  role: Role;
  test: (f: Facts, p: PlatformInfo) => boolean;
}

const matchGlob = (pattern: string, path: string): boolean =>
  new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  ).test(path) ||
  (pattern.startsWith('*/') &&
    new RegExp(
      '/' +
        pattern
          .slice(2)
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*') +
        '$',
    ).test(path));

/** First matching row wins. */
const ROLE_RULES: readonly RoleRule[] = [
  { role: 'kernel', test: (f) => /^\/(proc|sys)(\/|$)/.test(f.path) },
  { role: 'secret', test: (f) => isSecret(f.path) || (f.secretName !== undefined && f.type !== 'dir') },
  { role: 'user-controlled', test: (f) => f.sharedDir !== undefined && f.userDir === true },
  { role: 'shared-tmp', test: (f) => f.sharedDir !== undefined },
  { role: 'account', test: (f) => ACCOUNT_FILES.includes(f.path) },
  { role: 'socket', test: (f) => f.ops.has('connect') || f.type === 'socket' },
  { role: 'device', test: (f) => f.type === 'char' || f.type === 'block' },
  { role: 'directory', test: (f) => f.type === 'dir' },
  { role: 'symlink', test: (f) => f.type === 'symlink' },
  { role: 'loader', test: (f, p) => f.via === 'interp' || p.loaders.includes(f.path) },
  { role: 'shell', test: (f, p) => f.ops.has('exec') && p.wordexpShells.includes(f.path) },
  { role: 'executable', test: (f) => f.ops.has('exec') || f.via === 'shebang' },
  { role: 'nss-module', test: (f, p) => p.nss.modules.some((m) => matchGlob(m, f.path)) },
  { role: 'library', test: (f) => f.via === 'needed' || /\.so(\.[0-9.]+)?$/.test(f.path) || /\/lib[^/]*\.so/.test(f.path) },
  { role: 'locale', test: (f) => /\/(locale|gconv|zoneinfo|i18n)(\/|$)/.test(f.path) || f.path === '/etc/localtime' },
  { role: 'config', test: (f, p) => p.nss.config.includes(f.path) || f.path.startsWith('/etc/') },
];

export function roleOf(f: Facts, p: PlatformInfo): Role {
  return ROLE_RULES.find((r) => r.test(f, p))?.role ?? 'data';
}

export interface Decided {
  role: Role;
  decision: Decision;
  reason: string;
}

/** Why a device node that is not on the platform's safe list is left out (build output, check, explain, the sh script). */
export const DEVICE_NOT_MADE =
  "not made: a device gives the jailed user the host's hardware/kernel interface; name it with --allow-device PATH if the jail needs it";

/**
 * Is this device node made? The platform's safe list (`PlatformInfo.devices`: /dev/null, /dev/zero...) always; any
 * other only when --allow-device names it. The name is the node's own path or the traced name that led to it through
 * symlinks (Solaris' /dev/null → /devices/pseudo/mm@0:null; /dev/disk/by-id/... → /dev/sda).
 */
export const deviceAllowed = (path: string, p: PlatformInfo, allowDevices: ReadonlySet<string> | undefined): 'safe' | 'allowed' | undefined =>
  p.devices.includes(path) ? 'safe' : allowDevices?.has(path) ? 'allowed' : undefined;

/** The exceptions the admin allowed, by name. */
export interface DecideOptions {
  allowSecrets: ReadonlySet<string>;
  /** Device nodes beyond the platform's safe list (--allow-device). */
  allowDevices?: ReadonlySet<string>;
  fullPasswd: boolean;
}

/** What to do with a path of a given role. Options name the exceptions the admin allowed. */
export function decide(f: Facts, p: PlatformInfo, opts: DecideOptions): Decided {
  const role = roleOf(f, p);
  const d = (decision: Decision, reason: string): Decided => ({ role, decision, reason });
  const fallback = fallbackOf(f.path);
  if (fallback) return d('report-only', fallback);
  if (f.failedOnly && role !== 'socket') return d('report-only', 'every access failed: the program tried it and went on');
  switch (role) {
    case 'kernel':
      return d('skip', 'kernel filesystem: mount proc/sys in the jail if the program needs it');
    case 'user-controlled':
      return d(
        'skip',
        `in ${f.sharedDir}, a directory a user can write: they could swap this name, so root does not follow, read or copy it (make the directory root's if the jail needs what is there)`,
      );
    case 'shared-tmp':
      return d(
        'skip',
        `under ${f.sharedDir}, a world-writable directory, through a name a user controls: workload data, never jail content (root does not follow it)`,
      );
    case 'secret':
      return opts.allowSecrets.has(f.path) || (f.secretName !== undefined && opts.allowSecrets.has(f.secretName))
        ? d('copy', 'secret copied because --allow-secret names it')
        : d('skip', 'secret: not copied (name it with --allow-secret PATH to copy it)');
    case 'account':
      return opts.fullPasswd ? d('copy', '--full-passwd: the host file as it is') : d('generate', 'generated: root and the jail users only');
    case 'socket':
      return d('report-only', 'a socket is made by its server, not copied');
    case 'device': {
      const allowed = deviceAllowed(f.path, p, opts.allowDevices) ?? (f.from === undefined ? undefined : deviceAllowed(f.from, p, opts.allowDevices));
      if (allowed === 'safe') return d('create', "device node safe for any jail, made with the host's major/minor and mode");
      if (allowed === 'allowed') return d('create', "device node made because --allow-device names it, with the host's major/minor and mode");
      return d('skip', DEVICE_NOT_MADE);
    }
    case 'directory':
      return d('create', "directory with the host's mode and owner");
    case 'symlink':
      return d('create', 'symlink kept as a symlink, so both spellings work');
    default:
      break;
  }
  if (f.type === 'missing') return d('report-only', 'no longer on the host');
  if (f.type === 'fifo') return d('report-only', 'a FIFO is made by the program that uses it');
  const onlyWritten = [...f.ops].every((o) => o === 'create' || o === 'other');
  if (f.via === 'trace' && onlyWritten) return d('skip', 'created or changed by the program: runtime data, not copied');
  return d('copy', reasonFor(role));
}

function reasonFor(role: Role): string {
  switch (role) {
    case 'executable':
      return 'executed';
    case 'shell':
      return 'shell executed (wordexp/system)';
    case 'loader':
      return 'ELF interpreter: the kernel maps it without an open';
    case 'library':
      return 'shared library loaded';
    case 'nss-module':
      return 'NSS module loaded for a name lookup (invisible to ldd)';
    case 'locale':
      return 'locale/timezone data read';
    case 'config':
      return 'configuration read';
    default:
      return 'read by the program';
  }
}
