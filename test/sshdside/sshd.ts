/**
 * A throwaway sshd for the ChrootDirectory tests: 127.0.0.1 on a free port, its own config, host key and pid file,
 * `UsePAM no`, keys in a root-owned directory outside every jail; stopped by its pid. Sessions use the real clients.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { ensureUser } from '../support/users.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Sshd {
  port: number;
  pid: number;
  config: string;
  log: string;
  stop: () => Promise<void>;
}

/** The lines every test sshd needs; `body` is the test's own part (Include, Subsystem, Match blocks). */
export function sshdConfigText(dir: string, port: number, body: string): string {
  return (
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      'UsePAM no',
      `AuthorizedKeysFile ${dir}/keys/%u`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'LogLevel VERBOSE',
      body,
    ].join('\n') + '\n'
  );
}

/** Host key, client key and keys dir in `dir` (root's, 0755). */
export async function sshdFiles(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'keys'), { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_ed25519')]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_ed25519')]);
}

export async function startSshd(dir: string, config: string): Promise<Sshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  const log = path.join(dir, 'sshd.log');
  const t = await execa('/usr/sbin/sshd', ['-t', '-f', config], { reject: false });
  if (t.exitCode !== 0) throw new Error(`sshd -t -f ${config}: ${t.stderr}`);
  await execa('/usr/sbin/sshd', ['-f', config, '-E', log]);
  const pidFile = path.join(dir, 'sshd.pid');
  let pid = 0;
  for (let i = 0; i < 50 && !pid; i++) {
    pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (!pid) await new Promise((r) => setTimeout(r, 100));
  }
  if (!pid) throw new Error(`sshd did not start: ${await readFile(log, 'utf8').catch(() => '')}`);
  const port = Number(/^Port (\d+)$/m.exec(await readFile(config, 'utf8'))![1]);
  return {
    port,
    pid,
    config,
    log,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

/** A user with a key in the sshd's keys dir and an unlocked account (UsePAM no refuses a `!` password). */
export async function sshdUser(dir: string, name: string, shell: string, groups: string[] = []): Promise<void> {
  await ensureUser(name, { shell, groups });
  await execa('usermod', ['-p', '*', '-s', shell, name]);
  await writeFile(path.join(dir, 'keys', name), await readFile(path.join(dir, 'client_ed25519.pub')), { mode: 0o644 });
}

export const sha256 = async (p: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');

export function clientArgs(dir: string, port: number, scpStyle = false): string[] {
  return [
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    '-i',
    path.join(dir, 'client_ed25519'),
    scpStyle ? '-P' : '-p',
    String(port),
  ];
}
