/**
 * `check`: a jail against its record and the host. Reads only (confined reads inside the jail, see jail-read.ts).
 *
 * - stale: the host file changed since the build (recorded sha256 when the record has one, else size + mtime);
 * - host-missing: the host file is gone (sync cannot refresh it; rebuild);
 * - tampered: the jail copy differs from the record (sha256, or the host's sha256 when the host is unchanged and the
 *   record has none), or its type, mode, owner, symlink target or device number changed; a file jailtrace generated
 *   (passwd, group: the record's `generated`, with their sha256) differs from what was written by a single byte;
 * - missing: a recorded path is not in the jail;
 * - extra: a path in the jail the record does not put there (not looked for under /.jailtrace, the users' homes, and
 *   directories the users write in: sticky world-writable ones, ones a user owns, parents of runtime files); a file
 *   at a path the record lists only as tried (a failed lookup of /etc/ld.so.preload) is extra too;
 * - setid: a setuid/setgid file; writable-dir: a group/other-writable directory (sticky ones, like /tmp, are notes);
 * - root: the jail root or an ancestor breaks OpenSSH's ChrootDirectory rule;
 * - suspicious-record: the record asks for more than the rules give (a secret not named with --allow-secret, a device
 *   node beyond the platform's safe list not named with --allow-device, a path
 *   that is not absolute and normal, a decision the rules contradict, a uid-0 or system user). Every recorded path is
 *   judged again by the current rules with fresh host facts (judge.ts); such entries are never acted on.
 */
import { constants as FS } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { filterAccounts } from '../expand/accounts.js';
import { parsePasswd } from '../config/passwd.js';
import { DEVICE_NOT_MADE, isSecret } from '../expand/classify.js';
import type { JailEntry } from '../expand/expand.js';
import { RECORD_DIR, sha256Of, type GeneratedFile, type JailRecord } from '../plan/make-plan.js';
import { chrootDirProblems } from '../jail/chroot-rule.js';
import { ConfineError, resolveParent, type JailRoot } from '../jail/confine.js';
import { octal, SETID_BITS } from '../plan/plan.js';
import { devMajor, devMinor, makedev, TEMP_PREFIX } from '../jail/on-disk.js';
import { hashSameFile, InodeHashes } from './hash.js';
import { IN_JAIL, judgeRecord, type RecordJudgement } from './judge.js';
import { openRecordedJail, readJailPath, readJailRecord, typeOf, type JailFile } from './jail-read.js';

export type FindingKind = 'stale' | 'host-missing' | 'tampered' | 'missing' | 'extra' | 'setid' | 'writable-dir' | 'root' | 'suspicious-record';

export interface FileState {
  sha256?: string;
  mtimeMs?: number;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface Finding {
  kind: FindingKind;
  /** Jail path (the jail root's own path for `root`). */
  path: string;
  /** `problem` makes check exit 1; `note` is shown but is how such jails are meant to be (a sticky /tmp). */
  severity: 'problem' | 'note';
  detail: string;
  record?: FileState;
  host?: FileState;
  jail?: FileState;
}

export interface CheckReport {
  jail: string;
  record: JailRecord;
  findings: Finding[];
  /** Recorded paths looked at. */
  checked: number;
  /** sha256 of jail copies that match the host, for sync to store in the record. */
  hashes: Map<string, string>;
  /** The record judged by the current rules: sync acts on the rules' entries, never on the record's decisions. */
  judgement: RecordJudgement;
}

export interface CheckOptions {
  /** Secrets named with --allow-secret: a record asking for one of these is not suspicious. */
  allowSecrets?: readonly string[];
  /** Device nodes named with --allow-device: a record asking for one of these is not suspicious. */
  allowDevices?: readonly string[];
  /** One run over many jails: each inode (hard-linked across jails, or a host file) is hashed once. */
  hashes?: InodeHashes;
}

/** Recorded host facts, with the optional sha256 build stores. */
export type RecordedHost = NonNullable<JailEntry['host']> & { sha256?: string };

const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;
const iso = (ms: number | undefined): string => (ms === undefined ? '?' : new Date(ms).toISOString());
const short = (s: string | undefined): string => (s ? s.slice(0, 16) : 'unknown');

/** What kind of node a recorded entry should be in the jail. */
function expectedType(e: JailEntry): 'file' | 'dir' | 'symlink' | 'char' | 'block' | undefined {
  const t = e.host?.type;
  if (e.decision === 'generate') return 'file';
  if (t === 'file' || t === 'dir' || t === 'symlink' || t === 'char' || t === 'block') return t;
  return undefined;
}

/** The host file as the rules saw it (never through a symlink: same device and inode, hashed O_NOFOLLOW). */
async function hostState(p: string, seen: { dev?: number; ino?: number }, cache: InodeHashes): Promise<(FileState & { isFile: boolean }) | undefined> {
  const st = await fs.lstat(p).catch(() => undefined);
  if (!st) return undefined;
  const same = st.isFile() && st.dev === seen.dev && st.ino === seen.ino;
  const s: FileState & { isFile: boolean } = { isFile: same, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  if (same) s.sha256 = await hashSameFile(p, seen, cache);
  return s;
}

const jailState = (f: JailFile): FileState => ({
  sha256: f.sha256,
  size: f.st.size,
  mtimeMs: f.st.mtimeMs,
  mode: f.st.mode & 0o7777,
  uid: f.st.uid,
  gid: f.st.gid,
});

/** Mode/owner differences between a jail node and its record (setid bits are reported on their own). */
function modeOwnerDiff(f: JailFile, h: RecordedHost): string[] {
  const out: string[] = [];
  if ((f.st.mode & 0o1777) !== (h.mode & 0o1777)) out.push(`mode ${octal(h.mode & 0o1777)} → ${octal(f.st.mode & 0o1777)}`);
  if (f.st.uid !== h.uid || f.st.gid !== h.gid) out.push(`owner ${h.uid}:${h.gid} → ${f.st.uid}:${f.st.gid}`);
  return out;
}

async function checkEntry(root: JailRoot, e: JailEntry, hashes: Map<string, string>, now: JailEntry | undefined, cache: InodeHashes): Promise<Finding[]> {
  const want = expectedType(e);
  if (!want || e.path === '/') return [];
  const h = e.host as RecordedHost;
  let f: JailFile | undefined;
  try {
    f = await readJailPath(root, e.path, { hash: want === 'file', cache });
  } catch (err) {
    if (err instanceof ConfineError)
      return [{ kind: 'tampered', path: e.path, severity: 'problem', detail: `cannot be reached inside the jail: ${err.message}` }];
    throw err;
  }
  if (!f) return [{ kind: 'missing', path: e.path, severity: 'problem', detail: `recorded ${want} (${e.reason}) is not in the jail` }];
  const got = typeOf(f);
  if (got !== want) return [{ kind: 'tampered', path: e.path, severity: 'problem', detail: `is a ${got}, the record says ${want}` }];
  if (want === 'symlink') {
    return f.target === h.target
      ? []
      : [{ kind: 'tampered', path: e.path, severity: 'problem', detail: `symlink -> ${f.target}, the record says -> ${h.target}` }];
  }
  if (want === 'char' || want === 'block') {
    const diffs = modeOwnerDiff(f, h);
    if (f.st.rdev !== makedev(devMajor(h.rdev), devMinor(h.rdev)))
      diffs.unshift(`device ${devMajor(h.rdev)},${devMinor(h.rdev)} → ${devMajor(f.st.rdev)},${devMinor(f.st.rdev)}`);
    return diffs.length ? [{ kind: 'tampered', path: e.path, severity: 'problem', detail: diffs.join(', ') }] : [];
  }
  if (want === 'dir') {
    const diffs = modeOwnerDiff(f, h);
    return diffs.length ? [{ kind: 'tampered', path: e.path, severity: 'problem', detail: diffs.join(', ') }] : [];
  }
  if (e.decision === 'generate') return []; // generated content: see accountFindings
  return checkCopy(e, f, h, hashes, now, cache);
}

async function checkCopy(
  e: JailEntry,
  f: JailFile,
  h: RecordedHost,
  hashes: Map<string, string>,
  now: JailEntry | undefined,
  cache: InodeHashes,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const record: FileState = { sha256: h.sha256, size: h.size, mtimeMs: h.mtimeMs, mode: h.mode, uid: h.uid, gid: h.gid };
  const jail = jailState(f);
  // The rules' view of the host path (a symlink on the way now: the host no longer has this file)
  const host = now?.host?.type === 'file' ? await hostState(e.path, now.host, cache) : undefined;
  if (!host?.isFile) {
    out.push({
      kind: 'host-missing',
      path: e.path,
      severity: 'problem',
      detail: `the host no longer has ${e.path} as a regular file; rebuild the jail (diff shows what moved)`,
      record,
      jail,
    });
  }
  const hostChanged = host?.isFile ? (h.sha256 !== undefined ? host.sha256 !== h.sha256 : host.size !== h.size || !sameMtime(host.mtimeMs!, h.mtimeMs)) : false;
  if (host?.isFile && hostChanged) {
    out.push({
      kind: 'stale',
      path: e.path,
      severity: 'problem',
      detail: `host copy changed since the build: host sha256 ${short(host.sha256)} mtime ${iso(host.mtimeMs)}, jail sha256 ${short(f.sha256)} mtime ${iso(f.st.mtimeMs)}`,
      record,
      host: { sha256: host.sha256, size: host.size, mtimeMs: host.mtimeMs, mode: host.mode, uid: host.uid, gid: host.gid },
      jail,
    });
  }
  // Tampering: against the recorded hash; without one, against the host's content when the host is unchanged (the
  // copy must then be identical), else against the recorded size and mtime (apply gives the copy the source's mtime).
  let why: string | undefined;
  if (h.sha256 !== undefined) {
    if (f.sha256 !== h.sha256) why = `content differs from the record: jail sha256 ${short(f.sha256)}, recorded ${short(h.sha256)}`;
  } else if (host?.isFile && !hostChanged) {
    if (f.sha256 !== host.sha256) why = `content differs from the host's (unchanged) copy: jail sha256 ${short(f.sha256)}, host ${short(host.sha256)}`;
  } else if (f.st.size !== h.size || !sameMtime(f.st.mtimeMs, h.mtimeMs)) {
    why = `size/mtime differ from the record: ${h.size} bytes ${iso(h.mtimeMs)} → ${f.st.size} bytes ${iso(f.st.mtimeMs)}`;
  }
  const diffs = modeOwnerDiff(f, h);
  if (why || diffs.length) out.push({ kind: 'tampered', path: e.path, severity: 'problem', detail: [why, ...diffs].filter(Boolean).join('; '), record, jail });
  if (out.length === 0 && f.sha256) hashes.set(e.path, f.sha256);
  return out;
}

/** The only files jailtrace writes rather than copies: a record naming another as generated is suspicious. */
export const GENERATED_PATHS: readonly string[] = ['/etc/passwd', '/etc/group'];

/** The record's generated files the rules accept (a list from an older record is absent: nothing to compare). */
export const acceptedGenerated = (r: JailRecord): GeneratedFile[] =>
  (Array.isArray(r.generated) ? r.generated : []).filter(
    (g) => typeof g?.path === 'string' && GENERATED_PATHS.includes(g.path) && typeof g.sha256 === 'string',
  );

/** What build would write now for the accepted users, from the host's passwd and group: to tell stale from tampered. */
async function generatedNow(users: readonly string[]): Promise<Map<string, string>> {
  const [pw, gr] = await Promise.all([fs.readFile('/etc/passwd', 'utf8').catch(() => ''), fs.readFile('/etc/group', 'utf8').catch(() => '')]);
  const a = filterAccounts(pw, gr, users);
  return new Map([
    ['/etc/passwd', sha256Of(a.passwd)],
    ['/etc/group', sha256Of(a.group)],
  ]);
}

/**
 * Every byte of the files jailtrace wrote (the record's `generated`, with their sha256): a jail copy that differs is
 * tampered (an appended `evil:x:0:0::/:/bin/sh` included); one that matches the record while the host's accounts now
 * give other content is stale. A record that names another path as generated is suspicious and not acted on.
 */
async function generatedFindings(root: JailRoot, r: JailRecord, users: readonly string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const listed = Array.isArray(r.generated) ? r.generated : [];
  const ok = new Set(acceptedGenerated(r));
  for (const g of listed) {
    if (!ok.has(g))
      out.push({
        kind: 'suspicious-record',
        path: String(g?.path),
        severity: 'problem',
        detail: `the record says jailtrace generated it, but only ${GENERATED_PATHS.join(' and ')} are generated; not acted on`,
      });
  }
  if (ok.size === 0) return out;
  const now = await generatedNow(users);
  for (const g of ok) {
    const record: FileState = { sha256: g.sha256, mode: g.mode, uid: g.uid, gid: g.gid };
    let f: JailFile | undefined;
    try {
      f = await readJailPath(root, g.path, { hash: true });
    } catch (err) {
      if (err instanceof ConfineError) {
        out.push({ kind: 'tampered', path: g.path, severity: 'problem', detail: `cannot be reached inside the jail: ${err.message}` });
        continue;
      }
      throw err;
    }
    if (!f) {
      out.push({ kind: 'missing', path: g.path, severity: 'problem', detail: 'generated by jailtrace, not in the jail', record });
      continue;
    }
    if (!f.st.isFile()) {
      out.push({ kind: 'tampered', path: g.path, severity: 'problem', detail: `is a ${typeOf(f)}, jailtrace wrote a file`, record });
      continue;
    }
    const diffs = modeOwnerDiff(f, { mode: g.mode, uid: g.uid, gid: g.gid } as RecordedHost);
    if (f.sha256 !== g.sha256) diffs.unshift(`content differs from what jailtrace generated: jail sha256 ${short(f.sha256)}, recorded ${short(g.sha256)}`);
    if (diffs.length) out.push({ kind: 'tampered', path: g.path, severity: 'problem', detail: diffs.join('; '), record, jail: jailState(f) });
    else if (now.get(g.path) !== g.sha256)
      out.push({
        kind: 'stale',
        path: g.path,
        severity: 'problem',
        detail: "the host's accounts for the jail's users changed since the build: sync writes it again",
        record,
        jail: jailState(f),
      });
  }
  return out;
}

/** Generated account files: only root and the record's users the rules accept (judge.ts) may be listed. */
async function accountFindings(root: JailRoot, r: JailRecord, names: readonly string[]): Promise<Finding[]> {
  const gen = r.entries.find((e) => e.path === '/etc/passwd' && e.decision === 'generate');
  if (!gen) return [];
  const text = await readJailText(root, '/etc/passwd');
  if (text === undefined) return [];
  const allowed = new Set(['root', ...names]);
  const users = parsePasswd(text);
  const others = users.filter((u) => !allowed.has(u.name) && u.uid !== 0);
  if (others.length)
    return [
      { kind: 'tampered', path: '/etc/passwd', severity: 'problem', detail: `lists accounts the record does not: ${others.map((u) => u.name).join(', ')}` },
    ];
  // replaced wholesale (say, by a hard link to some other file): the record's accounts are gone
  const lost = [...allowed].filter((n) => !users.some((u) => u.name === n));
  return lost.length
    ? [{ kind: 'tampered', path: '/etc/passwd', severity: 'problem', detail: `does not list accounts the record has: ${lost.join(', ')}` }]
    : [];
}

async function readJailText(root: JailRoot, p: string): Promise<string | undefined> {
  const r = await resolveParent(root, p, { allowMissing: true }).catch(() => undefined);
  if (!r || r.status === 'missing') return undefined;
  try {
    const fh = await fs.open(r.opPath, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK).catch(() => undefined);
    if (!fh) return undefined;
    try {
      return (await fh.stat()).isFile() ? await fh.readFile('utf8') : undefined;
    } finally {
      await fh.close();
    }
  } finally {
    await r.release();
  }
}

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(dir === '/' ? '/' : dir + '/');

/** Homes of the users the rules accept (from the jail's passwd, else the host's) and their parents. */
async function userHomes(root: JailRoot, names: readonly string[]): Promise<{ homes: string[]; uids: Set<number> }> {
  const text = (await readJailText(root, '/etc/passwd')) ?? (await fs.readFile('/etc/passwd', 'utf8').catch(() => ''));
  const users = parsePasswd(text).filter((u) => names.includes(u.name));
  return { homes: users.map((u) => u.home).filter((h) => h.startsWith('/') && h !== '/'), uids: new Set(users.map((u) => u.uid)) };
}

/** Walks the jail (lstat only, never following a symlink) for setid files, writable directories and extra paths. */
async function walkFindings(jail: string, root: JailRoot, r: JailRecord, j: RecordJudgement): Promise<Finding[]> {
  const out: Finding[] = [];
  // A secret's name is known only when the rules put it in the jail (--allow-secret): any other copy is extra,
  // whatever the record says of it.
  const secretOut = (p: string): boolean => isSecret(p) && !(j.now.get(p)?.decision === 'copy' && !j.suspiciousPaths.has(p));
  // Likewise a device node: one the rules do not make (not on the platform's safe list, not --allow-device) is extra.
  const recordedDevices = new Set(r.entries.filter((e) => e.role === 'device').map((e) => e.path));
  const deviceOut = (p: string): boolean => recordedDevices.has(p) && !(IN_JAIL.has(j.now.get(p)?.decision ?? '') && !j.suspiciousPaths.has(p));
  // Known: what the record puts in the jail, what a server or the program makes there (a socket such as /dev/log
  // bound by syslog, a FIFO), and directories older builds made only as parents (an empty /etc/ssh: walked, not
  // extra). A file at a path the record lists only as tried (a failed lookup of /etc/ld.so.preload), skipped or gone
  // from the host is not jailtrace's: it is extra.
  const madeThere = (e: JailEntry): boolean =>
    IN_JAIL.has(e.decision) ||
    (e.decision === 'report-only' && (e.role === 'socket' || e.host?.type === 'socket' || e.host?.type === 'fifo' || e.host?.type === 'dir'));
  const known = new Set(
    r.entries
      .filter(madeThere)
      .map((e) => e.path)
      .filter((p) => !secretOut(p) && !deviceOut(p)),
  );
  for (const g of acceptedGenerated(r)) known.add(g.path);
  const users = j.users;
  const { homes, uids } = await userHomes(root, users);
  for (const h of homes) {
    const parts = h.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) known.add('/' + parts.slice(0, i).join('/'));
  }
  known.add('/etc');
  known.add('/etc/passwd');
  known.add('/etc/group');
  known.add(RECORD_DIR);
  // Where the program wrote its own files (not walked for extras) — never a directory the rules copy content into,
  // whatever the record claims was written there.
  const contentDirs = new Set([...j.now.values()].filter((e) => e.decision === 'copy').map((e) => path.posix.dirname(e.path)));
  const runtimeDirs = r.entries
    .filter((e) => e.decision === 'skip' && e.role !== 'secret' && e.role !== 'kernel' && e.role !== 'device' && !isSecret(e.path))
    .map((e) => path.posix.dirname(e.path))
    .filter((d) => !contentDirs.has(d));
  const recordedSetid = new Map(r.entries.filter((e) => e.host).map((e) => [e.path, e.host!.mode & SETID_BITS]));

  const walk = async (rel: string): Promise<void> => {
    const host = rel === '/' ? jail : path.join(jail, rel);
    const names = await fs.readdir(host).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const p = rel === '/' ? `/${name}` : `${rel}/${name}`;
      const st = await fs.lstat(path.join(host, name)).catch(() => undefined);
      if (!st) continue;
      const ignored = under(p, RECORD_DIR) || homes.some((h) => under(p, h) && p !== h);
      if (ignored) continue;
      if (!st.isDirectory() && (st.mode & SETID_BITS) !== 0) {
        const kept = (recordedSetid.get(p) ?? 0) & st.mode & SETID_BITS;
        out.push({
          kind: 'setid',
          path: p,
          severity: kept ? 'note' : 'problem',
          detail: `${st.mode & 0o4000 ? 'setuid' : ''}${(st.mode & 0o6000) === 0o6000 ? '+' : ''}${st.mode & 0o2000 ? 'setgid' : ''} (mode ${octal(st.mode)}, owner ${st.uid})${kept ? ', kept as on the host (--keep-setuid)' : ''}`,
        });
      }
      if (!known.has(p)) {
        const temp = name.startsWith(TEMP_PREFIX);
        out.push({
          kind: 'extra',
          path: p,
          severity: 'problem',
          detail: temp
            ? 'leftover temp file of an interrupted apply'
            : `${st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() || st.isBlockDevice() ? 'device node' : 'file'} not in the record${deviceOut(p) ? ` (the rules do not make it: ${DEVICE_NOT_MADE})` : ''}`,
        });
      }
      if (st.isDirectory()) {
        const sticky = (st.mode & 0o1000) !== 0;
        if (st.mode & 0o022) {
          out.push({
            kind: 'writable-dir',
            path: p,
            severity: sticky && (st.mode & 0o002) !== 0 ? 'note' : 'problem',
            detail: `mode ${octal(st.mode)}${sticky ? ' (sticky: users can only remove their own files)' : ': users can replace what others rely on'}`,
          });
        }
        // Directories the users write in hold their data: not walked for extras.
        const userDir = (sticky && (st.mode & 0o002) !== 0) || uids.has(st.uid) || runtimeDirs.includes(p);
        if (!userDir && known.has(p)) await walk(p);
      }
    }
  };
  await walk('/');
  return out;
}

/** The record's suspicious entries, each saying whether the jail already holds the path. */
async function suspiciousFindings(root: JailRoot, j: RecordJudgement): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const s of j.suspicious) {
    const held = s.user === undefined && j.now.has(s.path) ? await readJailPath(root, s.path, { hash: false }).catch(() => undefined) : undefined;
    out.push({ kind: 'suspicious-record', path: s.path, severity: 'problem', detail: `${s.why}${held ? '; the jail holds it: remove it' : ''}; not acted on` });
  }
  return out;
}

export async function checkJail(jailArg: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const jail = path.resolve(jailArg);
  const record = await readJailRecord(jail);
  const judgement = await judgeRecord(jail, record, { allowSecrets: new Set(opts.allowSecrets ?? []), allowDevices: new Set(opts.allowDevices ?? []) });
  const root = await openRecordedJail(jail, record);
  const findings: Finding[] = [];
  const hashes = new Map<string, string>();
  const cache = opts.hashes ?? new InodeHashes();
  let checked = 0;
  try {
    findings.push(...(await suspiciousFindings(root, judgement)));
    for (const e of record.entries) {
      if (!IN_JAIL.has(e.decision) || !e.host) continue;
      checked++;
      if (judgement.suspiciousPaths.has(e.path)) continue;
      findings.push(...(await checkEntry(root, e, hashes, judgement.now.get(e.path), cache)));
    }
    const generated = await generatedFindings(root, record, judgement.users);
    findings.push(...generated);
    // the older check of the accounts' names, for records without hashes (and to name the intruder)
    for (const f of await accountFindings(root, record, judgement.users))
      if (!generated.some((g) => g.path === f.path && g.kind === 'tampered')) findings.push(f);
    findings.push(...(await walkFindings(jail, root, record, judgement)));
  } finally {
    await root.close();
  }
  for (const p of await chrootDirProblems(jail)) findings.push({ kind: 'root', path: jail, severity: 'problem', detail: p });
  return { jail, record, findings, checked, hashes, judgement };
}

export const hasProblems = (r: CheckReport): boolean => r.findings.some((f) => f.severity === 'problem');
