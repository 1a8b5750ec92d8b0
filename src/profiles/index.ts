/** Built-in workloads that drive the real file-transfer servers as a client does, under strace. */
import { writeTraceMeta } from '../manifest/trace-meta.js';
import { runScp } from './scp.js';
import { runSftp } from './sftp.js';
import type { ProfileName, ProfileOptions, ProfileRun } from './types.js';

export type { ProfileName, ProfileOptions, ProfileRun } from './types.js';
export { PROFILE_NAMES } from './types.js';

/** Run a built-in workload; each of its traces gets TRACE.meta.json with the run's scratch roots (../manifest/trace-meta.ts). */
export async function runProfile(name: ProfileName, opts: ProfileOptions): Promise<ProfileRun> {
  const run = await runNamed(name, opts);
  for (const t of run.traces) await writeTraceMeta(t, { profile: run.name, scratch: run.excludes });
  return run;
}

function runNamed(name: ProfileName, opts: ProfileOptions): Promise<ProfileRun> {
  switch (name) {
    case 'sftp':
      return runSftp(opts);
    case 'scp':
      return runScp(opts, 'scp');
    case 'rssh':
      return runRssh(opts);
  }
}

/**
 * The rssh profile: the real chain (rssh → rssh_chroot_helper → chroot → chdir → drop privileges → exec) for each
 * service, `scp -t`/`-f` and sftp-server, as sshd starts it for an rssh user. One run, traces of both.
 */
async function runRssh(opts: ProfileOptions): Promise<ProfileRun> {
  const services = opts.rsshServices ?? ['sftp', 'scp'];
  const runs: ProfileRun[] = [];
  if (services.includes('scp')) runs.push(await runScp(opts, 'rssh'));
  if (services.includes('sftp')) runs.push(await runSftp(opts, 'rssh'));
  return {
    name: 'rssh',
    traces: runs.flatMap((r) => r.traces),
    excludes: [...new Set(runs.flatMap((r) => r.excludes))],
    cwd: '/',
    steps: runs.flatMap((r) => r.steps),
    notes: runs.flatMap((r) => r.notes ?? []),
  };
}
