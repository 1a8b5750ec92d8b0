/**
 * Where the servers are: the sftp-server sshd would run (its `Subsystem sftp` line, following `Include`s), or a
 * well-known path; scp on PATH. A wrapper script given as an override works: it is just exec'd.
 */
import { access, constants, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { whichExecutable } from '../capture/find.js';
import { UsageError } from '../errors.js';

export const SFTP_SERVER_PATHS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server'];

const isExecutable = (p: string): Promise<boolean> => access(p, constants.X_OK).then(() => true, () => false);

/** `*` and `?` of an Include pattern, in one path component. */
function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

async function expandInclude(pattern: string, baseDir: string): Promise<string[]> {
  const abs = path.isAbsolute(pattern) ? pattern : path.join(baseDir, pattern);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (!/[*?]/.test(base)) return [abs];
  const names = await readdir(dir).catch(() => [] as string[]);
  const re = globToRegExp(base);
  return names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
}

/**
 * The `Subsystem sftp` command of an sshd_config (first one wins, as in sshd), following Include (relative to
 * /etc/ssh, i.e. the main file's directory). Stops at a top-level `Match`. `internal-sftp` → 'internal'.
 */
export async function sshdSftpSubsystem(configFile: string, baseDir = path.dirname(configFile), depth = 0): Promise<{ command: string[]; file: string } | 'internal' | undefined> {
  if (depth > 16) return undefined;
  const text = await readFile(configFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [kw, ...rest] = line.split(/[\s=]+/);
    const key = kw.toLowerCase();
    if (key === 'match') return undefined;
    if (key === 'include') {
      for (const pattern of rest) {
        for (const f of await expandInclude(pattern, baseDir)) {
          const found = await sshdSftpSubsystem(f, baseDir, depth + 1);
          if (found) return found;
        }
      }
    } else if (key === 'subsystem' && rest[0] === 'sftp' && rest.length > 1) {
      return rest[1] === 'internal-sftp' ? 'internal' : { command: rest.slice(1), file: configFile };
    }
  }
  return undefined;
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
  throw new UsageError('scp not found on PATH', 'apt-get install openssh-client (Debian/Ubuntu), dnf install openssh-clients (Fedora/RHEL), or give --scp PATH');
}

/** The sftp client (runs on the host and spawns the traced server through `sftp -D`). */
export async function findSftpClient(pathEnv = process.env.PATH): Promise<string> {
  const found = await whichExecutable('sftp', pathEnv ?? '/usr/bin:/bin');
  if (found) return found;
  throw new UsageError('the sftp client is not installed', 'apt-get install openssh-client (Debian/Ubuntu), dnf install openssh-clients (Fedora/RHEL)');
}
