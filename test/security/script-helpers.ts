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
  return execa('setpriv', ['--reuid', LOCAL, '--regid', LOCAL, '--init-groups', '--reset-env', 'sh', '-c', cmd, 'sh', ...args], { reject: false, all: true, timeout: opts.timeout ?? 30_000 } as never);
}

export const sha256 = async (p: string): Promise<string> => createHash('sha256').update(await fs.readFile(p)).digest('hex');

/** The host's secrets by sha256, with their stat, to check none enters a jail and none changes. */
export async function secrets(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of ['/etc/shadow', '/etc/gshadow']) {
    const st = await fs.lstat(p);
    out[p] = `${await sha256(p)} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.ino}`;
  }
  return out;
}

/** Jail files (jail path) whose content is byte-identical to a host secret. */
export async function secretsIn(jail: string): Promise<string[]> {
  const bad = new Set([await sha256('/etc/shadow'), await sha256('/etc/gshadow')]);
  return (await snapshot(jail)).filter((e) => e.type === 'f' && e.sha256 !== undefined && bad.has(e.sha256)).map((e) => e.path);
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
