/**
 * What the installed rssh was built with, as the binary tells it: `rssh -v` prints its config file, chroot helper,
 * scp and sftp-server paths (rssh runs only those, and compares a client's sftp-server command with the compiled-in
 * string). The access-bit count of `user=` lines (5 upstream, 6 with the svnserve patch) shows in the binary itself:
 * the patched rssh knows the `allowsvnserve` keyword and prints an svnserve path, upstream 2.3.4 has neither.
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { whichExecutable } from '../capture/find.js';
import type { RsshAccessBits } from '../config/rssh-conf.js';
import { UsageError } from '../errors.js';

export interface RsshInfo {
  rssh: string;
  version?: string;
  configFile: string;
  helper: string;
  scp: string;
  sftpServer: string;
  accessBits: RsshAccessBits;
}

/** `rssh -v` output → paths (pure). Lines look like `  chroot helper path = /usr/local/libexec/rssh_chroot_helper`. */
export function parseRsshVersion(text: string): { version?: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z][a-z ]*?)\s*=\s*(\S.*?)\s*$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return { version: /^rssh\s+(\S+)/m.exec(text)?.[1], fields };
}

/** 6 when the binary (or its -v output) knows svnserve, else 5 (pure). */
export function accessBitsOf(binary: Buffer, versionText: string): RsshAccessBits {
  return binary.includes('allowsvnserve') || /svnserve/i.test(versionText) ? 6 : 5;
}

const DEFAULTS = {
  configFile: '/etc/rssh.conf',
  helper: '/usr/local/libexec/rssh_chroot_helper',
  scp: '/usr/bin/scp',
  sftpServer: '/usr/lib/openssh/sftp-server',
};

let cached: Promise<RsshInfo> | undefined;

/** The installed rssh (on PATH, or /usr/local/bin, /usr/bin). Throws a UsageError when there is none. */
export function rsshInfo(pathEnv = `${process.env.PATH ?? ''}:/usr/local/bin:/usr/bin:/bin`): Promise<RsshInfo> {
  cached ??= (async () => {
    const rssh = await whichExecutable('rssh', pathEnv);
    if (!rssh)
      throw new UsageError(
        'rssh is not installed on this host',
        'install rssh (the README in ../shared/rssh says how), or build with --profile sftp --profile scp',
      );
    const v = await execa(rssh, ['-v'], { reject: false, stdin: 'ignore', timeout: 10_000 });
    const text = `${String(v.stdout)}\n${String(v.stderr)}`;
    const { version, fields } = parseRsshVersion(text);
    const binary = await readFile(rssh).catch(() => Buffer.alloc(0));
    return {
      rssh,
      version,
      configFile: fields['rssh config file'] ?? DEFAULTS.configFile,
      helper: fields['chroot helper path'] ?? DEFAULTS.helper,
      scp: fields['scp binary path'] ?? DEFAULTS.scp,
      sftpServer: fields['sftp server binary'] ?? DEFAULTS.sftpServer,
      accessBits: accessBitsOf(binary, text),
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
