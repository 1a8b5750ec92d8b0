/**
 * Rebuilds that know when nothing changed (issue 14): the build records its inputs (src/plan/inputs.ts) in the jail's
 * record; a rebuild with the same request whose inputs all still have the same identity skips the trace and the
 * apply. Host facts are read by lstat only, and only on paths no user could swap (src/host-chain.ts swappableBy: a
 * path a user could change is never trusted as unchanged); content is hashed O_NOFOLLOW on the same inode only.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { filterAccounts } from '../expand/accounts.js';
import { ACCOUNT_FILES } from '../expand/classify.js';
import type { JailEntry } from '../expand/expand.js';
import { hashSameFile } from '../check/hash.js';
import { findJailRecord } from '../check/jail-read.js';
import { jailDrift } from './jail-intact.js';
import { swappableBy } from '../host-chain.js';
import { inputChange, inputPaths, RACY_MS, type InputFile, type RecordInputs } from '../plan/inputs.js';
import { findScp, findSftpServer } from '../profiles/find.js';
import { VERSION } from '../version.js';

/** What a build was asked to do; two builds with the same key and the same inputs make the same jail. */
export interface BuildRequest {
  users: readonly string[];
  profiles: readonly string[];
  command: readonly string[];
  traces: readonly string[];
  options: Record<string, unknown>;
  sftpServer?: string;
  scp?: string;
}

/** The request's key, with the workload binaries the profiles would run resolved now (facts, not names). */
export async function requestKey(r: BuildRequest): Promise<string | undefined> {
  try {
    const binaries = {
      sftpServer: r.profiles.includes('sftp') ? await findSftpServer(r.sftpServer) : undefined,
      scp: r.profiles.includes('scp') ? await findScp(r.scp) : undefined,
    };
    const text = JSON.stringify({ version: VERSION, users: r.users, profiles: r.profiles, command: r.command, traces: r.traces, options: r.options, binaries });
    return createHash('sha256').update(text).digest('hex');
  } catch {
    return undefined; // a binary that cannot be found: the build says why
  }
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException)?.code;

function factsOf(p: string, st: Stats, target: string | undefined, listed: boolean): InputFile {
  if (st.isSymbolicLink()) return { path: p, type: 'symlink', target };
  if (st.isCharacterDevice() || st.isBlockDevice()) return { path: p, type: 'dev', rdev: st.rdev };
  if (st.isDirectory()) return { path: p, type: 'dir', dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, ...(listed ? { listed: true } : {}) };
  if (!st.isFile()) return { path: p, type: 'other' };
  return { path: p, type: 'file', dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** The host path's facts now: undefined when absent, 'unsafe' when a user could swap the way to it. */
async function hostInput(p: string, listed: boolean): Promise<InputFile | undefined | 'unsafe'> {
  if (await swappableBy(p)) return 'unsafe';
  const st = await lstat(p).catch((e: unknown) => (code(e) === 'ENOENT' || code(e) === 'ENOTDIR' ? undefined : Promise.reject(e)));
  if (!st) return undefined;
  return factsOf(p, st, st.isSymbolicLink() ? await readlink(p) : undefined, listed);
}

/**
 * The inputs to record: the entries' host paths (and `extra`: files the build itself read, such as /etc/passwd and
 * the --trace files). With an input a user could swap, nothing is recorded: such a build is never known to be up to
 * date, and is traced again.
 */
export async function collectInputs(
  entries: readonly JailEntry[],
  extra: readonly string[],
  key: string,
  generated?: { users: readonly string[] },
): Promise<RecordInputs | undefined> {
  const all = inputPaths(entries);
  // generated accounts: the jail's lines stand for the whole files (another user added on the host changes nothing)
  const present = generated ? all.present.filter((e) => !ACCOUNT_FILES.includes(e.path)) : all.present;
  const missing = all.missing;
  const listed = new Set(present.filter((e) => e.host?.type === 'dir' && e.ops.includes('read')).map((e) => e.path));
  const paths = [...new Set([...present.map((e) => e.path), ...extra])].sort();
  const files: InputFile[] = [];
  const gone: string[] = [];
  const now = Date.now();
  for (const p of paths) {
    const f = await hostInput(p, listed.has(p));
    if (f === 'unsafe') return undefined; // an input a user controls: this build cannot be known to be up to date
    if (!f) {
      gone.push(p);
      continue;
    }
    if (f.type === 'file' && now - Math.max(f.mtimeMs ?? 0, f.ctimeMs ?? 0) < RACY_MS) f.sha256 = await hashSameFile(p, f);
    files.push(f);
  }
  return { key, files, missing: [...new Set([...missing, ...gone])].sort(), ...(generated ? { accounts: await accountsHash(generated.users) } : {}) };
}

/** sha256 of what build generates for these users from the host's passwd and group now. */
async function accountsHash(users: readonly string[]): Promise<string> {
  const [pw, gr] = await Promise.all([readFile('/etc/passwd', 'utf8'), readFile('/etc/group', 'utf8')]);
  const a = filterAccounts(pw, gr, users);
  return createHash('sha256').update(a.passwd).update('\0').update(a.group).digest('hex');
}

export type Freshness = { upToDate: true; inputs: number } | { upToDate: false; why: string };

/** Compare the jail's recorded inputs with the host now; the first difference found is the answer. */
export async function upToDate(jail: string, key: string): Promise<Freshness> {
  const found = await findJailRecord(jail).catch(() => undefined);
  if (!found?.found) return { upToDate: false, why: 'no readable record in the jail' };
  const inputs = found.record.inputs;
  if (!inputs || !Array.isArray(inputs.files) || !Array.isArray(inputs.missing))
    return { upToDate: false, why: 'the record lists no inputs (built before issue 14, or from an input a user controls)' };
  if (inputs.key !== key) return { upToDate: false, why: 'the request differs (options, users, profiles, or the binaries they resolve to)' };
  if (inputs.accounts !== undefined && inputs.accounts !== (await accountsHash(found.record.users ?? []).catch(() => undefined)))
    return { upToDate: false, why: "the host's account lines for the jail's users changed" };
  for (const was of inputs.files) {
    const now = await hostInput(was.path, Boolean(was.listed));
    if (now === 'unsafe') return { upToDate: false, why: `${was.path}: a user could swap the way to it now` };
    const why = inputChange(was, now);
    if (why) return { upToDate: false, why };
    if (was.sha256 !== undefined && (await hashSameFile(was.path, was)) !== was.sha256) return { upToDate: false, why: `${was.path} changed (content)` };
  }
  for (const p of inputs.missing) {
    const now = await hostInput(p, false);
    if (now === 'unsafe') return { upToDate: false, why: `${p}: a user could swap the way to it now` };
    if (now) return { upToDate: false, why: `${p} exists now (the workload looked for it and did not find it)` };
  }
  const drift = await jailDrift(jail, found.record).catch((e: unknown) => `the jail cannot be read as its record says (${(e as Error).message})`);
  if (drift) return { upToDate: false, why: drift };
  return { upToDate: true, inputs: inputs.files.length + inputs.missing.length + (inputs.accounts !== undefined ? 1 : 0) };
}
