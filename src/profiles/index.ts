/** Built-in workloads that drive the real file-transfer servers as a client does, under strace. */
import { runScp } from './scp.js';
import { runSftp } from './sftp.js';
import type { ProfileName, ProfileOptions, ProfileRun } from './types.js';

export type { ProfileName, ProfileOptions, ProfileRun, ProfileStep } from './types.js';
export { PROFILE_NAMES } from './types.js';
export { findScp, findSftpServer, sshdSftpSubsystem } from './find.js';

export function runProfile(name: ProfileName, opts: ProfileOptions): Promise<ProfileRun> {
  switch (name) {
    case 'sftp':
      return runSftp(opts);
    case 'scp':
      return runScp(opts, 'scp');
    case 'rssh':
      return runScp(opts, 'rssh');
  }
}
