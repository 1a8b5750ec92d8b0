/**
 * Where the servers are: the sftp-server sshd would run (its `Subsystem sftp` line, following `Include`s), or a
 * well-known path; scp on PATH. A wrapper script given as an override works: it is just exec'd.
 */
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { whichExecutable } from '../capture/find.js';
import { parseSshdConfig } from '../config/sshd-config.js';
import { readIncludes } from '../config/sshd-include.js';
import { UsageError } from '../errors.js';

export const SFTP_SERVER_PATHS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server'];

const isExecutable = (p: string): Promise<boolean> =>
  access(p, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * The `Subsystem sftp` command of an sshd_config (the global one: first one wins, as in sshd), read by the one
 * sshd_config reader (src/config/sshd-config.ts), following Include (relative to the main file's directory:
 * /etc/ssh for the real one). `internal-sftp` → 'internal'. A best-effort look: unreadable files are passed over.
 */
export async function sshdSftpSubsystem(configFile: string): Promise<{ command: string[]; file: string } | 'internal' | undefined> {
  const text = await readFile(configFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const include = (pattern: string) => readIncludes(pattern, { unreadable: 'skip' });
  const { config, globalSubsystemFiles } = parseSshdConfig(text, { file: configFile, include, includeBase: path.dirname(configFile) });
  const sftp = config.global.subsystems.sftp;
  if (sftp === undefined) return undefined;
  const command = sftp.split(/\s+/);
  return command[0] === 'internal-sftp' ? 'internal' : { command, file: globalSubsystemFiles.sftp ?? configFile };
}

export async function findSftpServer(override?: string, sshdConfig = '/etc/ssh/sshd_config'): Promise<string> {
  if (override !== undefined) {
    if (await isExecutable(override)) return override;
    throw new UsageError(`--sftp-server ${override}: not an executable file`, 'give the path of sftp-server (or a wrapper script)');
  }
  const sub = await sshdSftpSubsystem(sshdConfig);
  if (sub && sub !== 'internal' && (await isExecutable(sub.command[0]))) return sub.command[0];
  for (const p of SFTP_SERVER_PATHS) if (await isExecutable(p)) return p;
  const why = sub === 'internal' ? `${sshdConfig} uses internal-sftp (inside sshd) and no sftp-server binary was found` : 'sftp-server not found';
  throw new UsageError(why, `apt-get install openssh-sftp-server (Debian/Ubuntu; part of openssh-server on Fedora/RHEL), or give --sftp-server PATH`);
}

export async function findScp(override?: string, pathEnv = process.env.PATH): Promise<string> {
  if (override !== undefined) {
    if (await isExecutable(override)) return override;
    throw new UsageError(`--scp ${override}: not an executable file`, 'give the path of scp (or a wrapper script)');
  }
  const found = await whichExecutable('scp', pathEnv ?? '/usr/bin:/bin');
  if (found) return found;
  throw new UsageError(
    'scp not found on PATH',
    'apt-get install openssh-client (Debian/Ubuntu), dnf install openssh-clients (Fedora/RHEL), or give --scp PATH',
  );
}

/** The sftp client (runs on the host and spawns the traced server through `sftp -D`). */
export async function findSftpClient(pathEnv = process.env.PATH): Promise<string> {
  const found = await whichExecutable('sftp', pathEnv ?? '/usr/bin:/bin');
  if (found) return found;
  throw new UsageError('the sftp client is not installed', 'apt-get install openssh-client (Debian/Ubuntu), dnf install openssh-clients (Fedora/RHEL)');
}
