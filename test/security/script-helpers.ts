/**
 * Shared by test/security/script-*.test.ts: a local (non-root) user who attacks the generated sh scripts on the host,
 * traces made for real with strace, the scripts run under dash, and what must never change.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { CLI, ensureUser, snapshot } from '../hardening/helpers.js';

export { isRoot, makeOutside, outsideState, snapshot, tempDir } from '../hardening/helpers.js';

/** The local attacker: an ordinary account on the host, not root. */
export const LOCAL = 'jt-sec-local';

export interface Ids {
  uid: number;
  gid: number;
}

export async function localUser(): Promise<Ids> {
  await ensureUser(LOCAL);
  const id = async (f: string): Promise<number> => Number((await execa('id', [f, LOCAL])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

/** Runs a sh command as LOCAL (its uid, gid and groups, no capabilities). */
export function asLocal(cmd: string, args: string[] = [], opts: { timeout?: number } = {}): ResultPromise<{ reject: false; all: true }> {
  return execa('setpriv', ['--reuid', LOCAL, '--regid', LOCAL, '--init-groups', '--reset-env', 'sh', '-c', cmd, 'sh', ...args], {
    reject: false,
    all: true,
    timeout: opts.timeout ?? 30_000,
  } as never);
}

export const sha256 = async (p: string): Promise<string> =>
  createHash('sha256')
    .update(await fs.readFile(p))
    .digest('hex');

/**
 * Accounts that exist on every host and that no test adds or removes: their lines in the secret files. Other test
 * files add and remove users while these run (vitest runs two files at once), so the files' own hashes move; a
 * write through a planted symlink would replace the whole file, and these lines with it.
 */
const SYSTEM_ACCOUNTS = ['root', 'daemon', 'bin', 'sys', 'adm', 'shadow'];

const systemLines = async (p: string): Promise<string[]> => (await fs.readFile(p, 'utf8')).split('\n').filter((l) => SYSTEM_ACCOUNTS.includes(l.split(':')[0]));

/** The host's secret files: their stat (type, mode, owner) and their system accounts' lines, to check none changes. */
export async function secrets(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of ['/etc/shadow', '/etc/gshadow']) {
    const st = await fs.lstat(p);
    out[p] = `${st.isFile() ? 'file' : 'not a file'} ${st.mode.toString(8)} ${st.uid}:${st.gid}\n${(await systemLines(p)).join('\n')}`;
  }
  return out;
}

/** Jail files (jail path) holding a host secret: the file as it is now, or root's line of it (an older copy). */
export async function secretsIn(jail: string): Promise<string[]> {
  const bad = new Set([await sha256('/etc/shadow'), await sha256('/etc/gshadow')]);
  const rootLines = [...(await systemLines('/etc/shadow')), ...(await systemLines('/etc/gshadow'))].filter((l) => l.startsWith('root:'));
  const out: string[] = [];
  for (const e of await snapshot(jail)) {
    if (e.type !== 'f') continue;
    if (e.sha256 !== undefined && bad.has(e.sha256)) out.push(e.path);
    else if (rootLines.length && (e.size ?? 0) < 16 * 1024 * 1024) {
      const text = await fs.readFile(path.join(jail, e.path), 'latin1').catch(() => '');
      if (rootLines.some((l) => text.includes(l))) out.push(e.path);
    }
  }
  return out;
}

/** `strace -f` of `cmd args` as root: a real trace of the paths it opens. */
export async function traceOf(out: string, cmd: string, args: string[]): Promise<void> {
  const r = await execa('strace', ['-f', '-q', '-o', out, cmd, ...args], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`strace ${cmd} failed: ${r.all}`);
}

/** `jailtrace script TRACE --jail JAIL [--user U] -o SCRIPT`. */
export async function hostScript(trace: string, jail: string, script: string, users: string[] = []): Promise<void> {
  const r = await execa('node', [CLI, 'script', trace, '--jail', jail, ...users.flatMap((u) => ['--user', u]), '-o', script], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`jailtrace script failed: ${r.all}`);
}

/** The shells the scripts are tested under. */
export const SHELLS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['dash', ['dash']],
  ['busybox sh', ['busybox', 'sh']],
];

export async function dash(script: string, jail: string, timeout = 60_000, shell: readonly string[] = ['dash']): Promise<{ code: number; all: string }> {
  const r = await execa(shell[0], [...shell.slice(1), script, jail], { reject: false, all: true, timeout });
  return { code: r.exitCode ?? -1, all: String(r.all ?? '') };
}

/** A directory LOCAL may walk through (the jail's parents must be traversable for a local attacker to reach it). */
export async function openBase(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
}

/** Makes DIR (and file names under it with contents) owned by LOCAL. */
export async function userTree(dir: string, files: Record<string, string>, ids: Ids): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.chown(dir, ids.uid, ids.gid);
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.chown(path.dirname(p), ids.uid, ids.gid);
    await fs.writeFile(p, content);
    await fs.chown(p, ids.uid, ids.gid);
  }
}
