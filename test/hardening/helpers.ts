/** Shared by the hardening tests: the CLI, a real jail built from a recorded trace, OUTSIDE snapshots. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { snapshot, type Entry } from '../jail/helpers.js';

export { findTemps, isRoot, snapshot, tempDir } from '../jail/helpers.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/src/cli.js');
/** The recorded sftp-server trace: `build --trace` with it runs nothing and copies ~2.4 MiB. */
export const SFTP_TRACE = path.join(ROOT, 'traces/linux/sftp-server/f.strace');
export const SFTP_CWD = '/tmp/jt-sftp-work';
export const TRACE_ARGS = ['--trace', SFTP_TRACE, '--cwd', SFTP_CWD, '--exclude', SFTP_CWD];
export const USER = 'jt-hardening';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  all: string;
}

/** Runs the built CLI; never rejects. */
export async function jt(args: string[], opts: Options = {}): Promise<Run> {
  const r = await execa('node', [CLI, ...args], { reject: false, all: true, timeout: 120_000, ...opts });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), all: String(r.all ?? '') };
}

/** `build JAIL --trace sftp-server/f.strace --user USER`. */
export const buildArgs = (jail: string, extra: string[] = []): string[] => ['build', jail, ...TRACE_ARGS, '--user', USER, ...extra];

export async function ensureUser(name = USER): Promise<void> {
  if ((await execa('id', ['-u', name], { reject: false })).exitCode !== 0) await execa('useradd', ['-m', '-s', '/bin/sh', name], { reject: false });
}

/**
 * What must never change: OUTSIDE in full (listing, modes, owners, inodes, sha256 of contents), plus the host places
 * a write through `lib64 -> /` would land in (the names at /, the host loader and libc, by hash).
 */
export async function outsideState(outside: string): Promise<{ outside: Entry[]; host: Record<string, string> }> {
  const sha = async (p: string): Promise<string> => createHash('sha256').update(await fs.readFile(p)).digest('hex');
  const host: Record<string, string> = {
    '/': (await fs.readdir('/')).sort().join(' '),
    '/lib64': (await fs.readdir('/lib64')).sort().join(' '),
    '/usr/lib/x86_64-linux-gnu/libc.so.6': await sha('/usr/lib/x86_64-linux-gnu/libc.so.6'),
    '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': await sha('/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
    '/usr/lib/openssh/sftp-server': await sha('/usr/lib/openssh/sftp-server'),
  };
  return { outside: await snapshot(outside), host };
}

/** An OUTSIDE directory worth attacking: a target file, a copy of libc (same size/mtime/mode), a passwd. */
export async function makeOutside(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'etc'), { recursive: true });
  await fs.writeFile(path.join(dir, 'target'), 'outside target: must not change\n');
  await fs.writeFile(path.join(dir, 'etc/passwd'), 'outside passwd: must not change\n');
  await execa('cp', ['-p', '/usr/lib/x86_64-linux-gnu/libc.so.6', path.join(dir, 'libc.so.6')]);
}

/** Every regular file in a jail with its sha256 (jail path → hash), and every other entry by type: for comparisons. */
export async function jailShape(jail: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await snapshot(jail)) {
    if (e.path.startsWith('.jailtrace')) continue;
    out[e.path] = e.type === 'f' ? `f ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.sha256}` : e.type === 'l' ? `l ${e.target}` : `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.rdev}`;
  }
  return out;
}

/** pids whose command line matches (`pgrep -f`), zombies left out (this VM's init does not reap orphans). */
export async function livePids(pattern: string): Promise<string[]> {
  const pids = (await execa('pgrep', ['-f', pattern], { reject: false })).stdout.split('\n').filter(Boolean);
  const out: string[] = [];
  for (const p of pids) {
    const st = (await execa('ps', ['-o', 'stat=', '-p', p], { reject: false })).stdout.trim();
    if (st && !st.startsWith('Z')) out.push(p);
  }
  return out;
}
