/**
 * Decisions come from rules, not from records. A jail's record (`JAIL/.jailtrace/manifest.json`) may come with a jail
 * restored from a backup or copied from elsewhere, so its `decision`, `role`, `host` facts and `users` are claims.
 * `judgeRecord` walks every recorded path on the host again with the Expander (fresh lstat facts, every symlink on
 * the way, a secret's name carried along a symlink chain), classifies it with the current rules and secret patterns,
 * and names where the record asks for more than the rules give: those entries are suspicious and never acted on.
 * A device node beyond the platform's safe list that --allow-device does not name is one (like a secret that
 * --allow-secret does not name): the record may come from elsewhere, and its node is the host's kernel interface.
 * Reads the host; writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { parsePasswd } from '../config/passwd.js';
import { ACCOUNT_FILES, isSecret } from '../expand/classify.js';
import { Expander, type JailEntry, type Via } from '../expand/expand.js';
import { RECORD_DIR, type JailRecord } from '../plan/make-plan.js';
import { normalize } from '../model/path.js';
import { platformInfo } from '../platforms/index.js';
import type { Op } from '../syscalls.js';

export interface Suspicion {
  /** The recorded path as the record spells it (`/etc/passwd` for a suspicious user). */
  path: string;
  why: string;
  /** Set when it is about one of the record's users rather than a path. */
  user?: string;
}

export interface RecordJudgement {
  /** The rules' entry at each recorded path, with fresh host facts; absent when the rules do not reach that path. */
  now: Map<string, JailEntry>;
  /** What the record asks for and the rules do not give, in record order. */
  suspicious: Suspicion[];
  suspiciousPaths: ReadonlySet<string>;
  /** The record's users the rules accept (on this host, not a uid-0 alias, home not a system directory). */
  users: string[];
  /** Holds the rules' entries; verify --fix adds the paths it found missing to it. */
  expander: Expander;
}

export interface JudgeOptions {
  /** Secrets named with --allow-secret: the only way a secret is copied. */
  allowSecrets: ReadonlySet<string>;
  /** Device nodes named with --allow-device: beyond the platform's safe list, the only devices made. */
  allowDevices?: ReadonlySet<string>;
  /** The host's passwd (default: /etc/passwd). */
  passwd?: string;
}

export const IN_JAIL: ReadonlySet<string> = new Set(['copy', 'create', 'generate']);
const VIAS: ReadonlySet<string> = new Set<Via>(['trace', 'interp', 'needed', 'shebang', 'symlink', 'parent', 'user']);

/** Homes that would hand a system directory of the jail to a user (verify --fix makes each user's home). */
const SYSTEM_DIRS = /^\/(etc|usr|bin|sbin|lib|lib32|lib64|libx32|boot|dev|proc|sys|run)(\/|$)|^\/(var)?$/;

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');

/** Why a recorded path cannot be a jail path at all (undefined: it can). */
function pathProblem(p: unknown, jail: string): string | undefined {
  if (typeof p !== 'string') return 'the path is not a string';
  if (!p.startsWith('/')) return 'not an absolute path';
  if (p.includes('\0')) return 'the path holds a NUL byte';
  if (normalize(p) !== p) return `the path is not in normal form (no ".", "..", "//" or trailing "/"; it would be ${normalize(p)})`;
  if (under(p, RECORD_DIR)) return "jailtrace's own record directory";
  if (under(p, jail)) return 'a path inside the jail itself';
  return undefined;
}

const isBlockedSecret = (e: JailEntry | undefined): boolean => e?.role === 'secret' && e.decision !== 'copy';

function secretWhy(now: Pick<JailEntry, 'path' | 'secretName'>): string {
  const name = now.secretName && now.secretName !== now.path ? ` (reached as ${now.secretName})` : '';
  return `the record asks for a secret${name}: the rules copy a secret only when --allow-secret names it`;
}

/** Why a recorded in-jail entry asks for more than the rules give (undefined: it does not). */
function disagreement(e: JailEntry, now: JailEntry | undefined, end: JailEntry | undefined, allowSecrets: ReadonlySet<string>): string | undefined {
  const recordedType = e.host?.type ?? 'nothing';
  const sameSymlink = now?.host?.type === 'symlink' && now.decision === 'create' && recordedType === 'symlink';
  if (isBlockedSecret(now)) return secretWhy(now!);
  // by its name alone, whatever the host says (or fails to say) of it
  if (isSecret(e.path) && !allowSecrets.has(e.path)) return secretWhy(e);
  // a path the record calls content, which the host now leads to a secret through a symlink
  if (end && end !== now && isBlockedSecret(end) && !sameSymlink) {
    return `the record says ${e.decision} (a ${recordedType}), but the host leads it to the secret ${end.path} through a symlink: the rules copy a secret only when --allow-secret names it`;
  }
  if (!now) return undefined; // a symlink on the way now, to no secret: left for a rebuild (check: host-missing)
  const gone = now.decision === 'report-only' && now.host?.type === 'missing'; // check reports it as host-missing
  if (!IN_JAIL.has(now.decision) && !gone) return `the record says ${e.decision}, the rules say ${now.decision}: ${now.reason}`;
  if (e.decision === 'generate' && now.decision !== 'generate' && !ACCOUNT_FILES.includes(e.path))
    return `the record says generate, but only ${ACCOUNT_FILES.join(' and ')} are generated`;
  return undefined;
}

/** The record's users: which the rules accept, and why the others are suspicious. */
function judgeUsers(users: unknown, passwd: string): { users: string[]; suspicious: Suspicion[] } {
  const list = Array.isArray(users) ? users : [];
  const known = parsePasswd(passwd);
  const ok: string[] = [];
  const suspicious: Suspicion[] = [];
  for (const name of list) {
    const u = typeof name === 'string' ? known.find((x) => x.name === name) : undefined;
    const why =
      typeof name !== 'string'
        ? 'a user that is not a name'
        : !u
          ? undefined // not on this host: filtered out of the accounts anyway
          : u.uid === 0 && name !== 'root'
            ? `user ${name} has uid 0 (an alias of root)`
            : SYSTEM_DIRS.test(u.home)
              ? `user ${name}'s home ${u.home} is a system directory (verify --fix would give it to ${name} inside the jail)`
              : undefined;
    if (why) suspicious.push({ path: '/etc/passwd', why: `${why}: left out of the generated accounts`, user: String(name) });
    else if (u) ok.push(name as string);
  }
  return { users: ok, suspicious };
}

/** Re-classifies every recorded path with the current rules (see the file comment). */
export async function judgeRecord(jail: string, record: JailRecord, opts: JudgeOptions): Promise<RecordJudgement> {
  const entries: JailEntry[] = Array.isArray(record.entries) ? record.entries : [];
  const fullPasswd = entries.some((e) => ACCOUNT_FILES.includes(e?.path) && e.decision === 'copy');
  const ex = new Expander({ platform: platformInfo('linux'), excludes: [jail], allowSecrets: opts.allowSecrets, allowDevices: opts.allowDevices, fullPasswd });
  const suspicious: Suspicion[] = [];
  const ends = new Map<string, string | undefined>();
  const wanted = entries.filter((e) => IN_JAIL.has(e?.decision));
  for (const e of wanted) {
    const bad = pathProblem(e.path, jail);
    if (bad) {
      suspicious.push({ path: String(e.path), why: `the record says ${e.decision}, but ${bad}` });
      continue;
    }
    if (ends.has(e.path)) continue;
    const ops = (Array.isArray(e.ops) ? e.ops.filter((o) => typeof o === 'string') : []) as Op[];
    const via = VIAS.has(e.via) ? e.via : 'trace';
    // a host path the rules cannot look at (EACCES, ELOOP...) gives no entry: never acted on
    ends.set(e.path, await ex.addPath(e.path, { via, ops, from: typeof e.from === 'string' ? e.from : undefined, first: e.first }).catch(() => undefined));
  }
  const now = new Map<string, JailEntry>();
  for (const e of wanted) {
    if (!ends.has(e.path)) continue;
    const n = ex.entries.get(e.path);
    if (n) now.set(e.path, n);
    const end = ends.get(e.path);
    const why = disagreement(e, n, end === undefined ? undefined : ex.entries.get(end), opts.allowSecrets);
    if (why && !suspicious.some((s) => s.path === e.path && s.why === why)) suspicious.push({ path: e.path, why });
  }
  // Entries the record keeps out of the jail stay as recorded (never acted on), where the rules made none.
  for (const e of entries) if (!IN_JAIL.has(e?.decision) && !pathProblem(e?.path, jail) && !ex.entries.has(e.path)) ex.entries.set(e.path, e);

  const passwd = opts.passwd ?? (await readFile('/etc/passwd', 'utf8').catch(() => ''));
  const u = judgeUsers(record.users, passwd);
  suspicious.push(...u.suspicious);
  const suspiciousPaths = new Set(suspicious.filter((s) => s.user === undefined).map((s) => s.path));
  return { now, suspicious, suspiciousPaths, users: u.users, expander: ex };
}
