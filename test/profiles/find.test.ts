import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { findScp, findSftpServer, SFTP_SERVER_PATHS, sshdSftpSubsystem } from '../../src/profiles/find.js';

let dir: string;
let custom: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jt-find-'));
  custom = path.join(dir, 'custom', 'sftp-server');
  await mkdir(path.dirname(custom));
  // a wrapper script is a fine sftp-server: it is just exec'd
  await writeFile(custom, '#!/bin/sh\nexec /usr/lib/openssh/sftp-server "$@"\n');
  await chmod(custom, 0o755);
  await mkdir(path.join(dir, 'sshd_config.d'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, text: string): Promise<string> {
  const f = path.join(dir, name);
  await writeFile(f, text);
  return f;
}

const firstKnown = SFTP_SERVER_PATHS.find((p) => existsSync(p));

describe('sshd_config Subsystem sftp', () => {
  test('a custom path, with arguments and odd spacing', async () => {
    const f = await config('a', `# comment\nPort 22\n  subsystem\tsftp   ${custom} -f AUTHPRIV -l INFO # trailing\n`);
    expect(await sshdSftpSubsystem(f)).toEqual({ command: [custom, '-f', 'AUTHPRIV', '-l', 'INFO'], file: f });
    expect(await findSftpServer(undefined, f)).toBe(custom);
  });
  test('internal-sftp: no binary from the config, the well-known paths are used', async () => {
    const f = await config('b', 'Subsystem sftp internal-sftp\n');
    expect(await sshdSftpSubsystem(f)).toBe('internal');
    if (firstKnown) expect(await findSftpServer(undefined, f)).toBe(firstKnown);
    else await expect(findSftpServer(undefined, f)).rejects.toThrow(/internal-sftp.*openssh-sftp-server.*--sftp-server PATH/);
  });
  test('Include with a glob, relative to the config dir; first match wins', async () => {
    await writeFile(path.join(dir, 'sshd_config.d', '10-a.conf'), 'PasswordAuthentication no\n');
    await writeFile(path.join(dir, 'sshd_config.d', '20-sftp.conf'), `Subsystem sftp ${custom}\n`);
    await writeFile(path.join(dir, 'sshd_config.d', '30-other.conf'), 'Subsystem sftp /other/one\n');
    const f = await config('c', 'Include sshd_config.d/*.conf\nSubsystem sftp /late/one\n');
    expect(await sshdSftpSubsystem(f)).toEqual({ command: [custom], file: path.join(dir, 'sshd_config.d', '20-sftp.conf') });
  });
  test('the Include glob is glob(3), as for build --from-sshd-config: [...] classes work', async () => {
    await writeFile(path.join(dir, 'sshd_config.d', '20-sftp.conf'), `Subsystem sftp ${custom}\n`);
    const f = await config('c2', 'Include sshd_config.d/[2]0-*.conf\nSubsystem sftp /late/one\n');
    expect(await sshdSftpSubsystem(f)).toEqual({ command: [custom], file: path.join(dir, 'sshd_config.d', '20-sftp.conf') });
  });
  test('a Subsystem inside a Match block is not the global one', async () => {
    const f = await config('d', 'Match User bob\n  Subsystem sftp /bob/only\n');
    expect(await sshdSftpSubsystem(f)).toBeUndefined();
  });
  test('a missing config: fall back to the well-known paths', async () => {
    expect(await sshdSftpSubsystem(path.join(dir, 'none'))).toBeUndefined();
  });
  test('a configured path that does not exist falls through to the well-known paths', async () => {
    const f = await config('e', 'Subsystem sftp /nonexistent/sftp-server\n');
    if (firstKnown) expect(await findSftpServer(undefined, f)).toBe(firstKnown);
    else await expect(findSftpServer(undefined, f)).rejects.toThrow(/^sftp-server not found$/);
  });
});

describe('overrides and PATH', () => {
  test('override wins (a wrapper script)', async () => {
    expect(await findSftpServer(custom, path.join(dir, 'none'))).toBe(custom);
    expect(await findScp(custom)).toBe(custom);
  });
  test('a bad override is a UsageError naming the flag', async () => {
    await expect(findSftpServer('/nonexistent/x')).rejects.toThrow(/--sftp-server \/nonexistent\/x/);
    await expect(findScp('/nonexistent/x')).rejects.toBeInstanceOf(UsageError);
  });
  test('scp missing from PATH names the package and the flag', async () => {
    await expect(findScp(undefined, dir)).rejects.toThrow(/openssh-client.*--scp PATH/);
  });
  test('scp on PATH', async () => {
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'scp'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'bin', 'scp'), 0o755);
    expect(await findScp(undefined, `/nonexistent:${path.join(dir, 'bin')}`)).toBe(path.join(dir, 'bin', 'scp'));
  });
});
