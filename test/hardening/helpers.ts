import path from 'node:path';
import { execa, type Options } from 'execa';
import { snapshot } from '../jail/helpers.js';
import { ensureUser as ensureTestUser, type UserIds } from '../support/users.js';
import { CLI, ROOT } from '../support/cli.js';

export { findTemps, isRoot, snapshot, tempDir } from '../jail/helpers.js';
export { makeOutside, outsideState } from '../support/hostile.js';

export { ROOT } from '../support/cli.js';
export { CLI } from '../support/cli.js';
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

/** The hardening tests' user (USER unless named), made when missing. */
export const ensureUser = (name = USER): Promise<UserIds> => ensureTestUser(name);

/** Every regular file in a jail with its sha256 (jail path → hash), and every other entry by type: for comparisons. */
export async function jailShape(jail: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await snapshot(jail)) {
    if (e.path.startsWith('.jailtrace')) continue;
    out[e.path] =
      e.type === 'f'
        ? `f ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.sha256}`
        : e.type === 'l'
          ? `l ${e.target}`
          : `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.rdev}`;
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
