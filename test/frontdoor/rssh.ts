/**
 * rssh 2.3.4 for the front-door tests: installed from ../shared/rssh by scripts/install-rssh.sh when missing, and a
 * test's own /etc/rssh.conf.
 *
 * rssh reads /etc/rssh.conf and nothing else: it is global. `useRsshConf()` takes a host-wide lock
 * (/run/jailtrace-rssh-conf.lock, held by a `flock` child until `restore()`), keeps the previous file, writes the
 * test's, and `restore()` puts the previous one back (or removes it when there was none). So tests that use rssh
 * never run at the same time, in one file or across files and worktrees: keep them in test/frontdoor/routes.test.ts,
 * and go through useRsshConf() anywhere else.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const RSSH = '/usr/local/bin/rssh';
export const RSSH_HELPER = '/usr/local/libexec/rssh_chroot_helper';
export const RSSH_CONF = '/etc/rssh.conf';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_RSSH = path.resolve(ROOT, '../shared/rssh');

/** Installs rssh when missing. Resolves to why rssh cannot be used (a skip reason), or undefined when it is there. */
export async function ensureRssh(): Promise<string | undefined> {
  if (existsSync(RSSH) && existsSync(RSSH_HELPER)) return undefined;
  if (!existsSync(SHARED_RSSH)) return `rssh is not installed and ${SHARED_RSSH} is absent (it holds rssh-2.3.4.tar.gz)`;
  const r = await execa('sh', [path.join(ROOT, 'scripts/install-rssh.sh')], { reject: false, all: true });
  if (r.exitCode !== 0) return `scripts/install-rssh.sh failed (exit ${r.exitCode}): ${r.all}`;
  return undefined;
}

export interface RsshConf {
  /** Put the previous /etc/rssh.conf back and release the lock. */
  restore(): Promise<void>;
}

/** Wait for the host-wide lock: a `flock` child that holds it until its stdin closes. */
async function lock(): Promise<() => void> {
  const child = spawn('flock', ['/run/jailtrace-rssh-conf.lock', 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`flock exited ${code} before taking /run/jailtrace-rssh-conf.lock`)));
  });
  return () => child.stdin!.end();
}

/** Write `text` as /etc/rssh.conf for one test (waits for any other test that holds it). */
export async function useRsshConf(text: string): Promise<RsshConf> {
  const release = await lock();
  const had = await stat(RSSH_CONF).then(
    (s) => s.isFile(),
    () => false,
  );
  const before = had ? await readFile(RSSH_CONF) : undefined;
  await writeFile(RSSH_CONF, text, { mode: 0o644 });
  return {
    restore: async () => {
      try {
        if (before) await writeFile(RSSH_CONF, before);
        else await rm(RSSH_CONF, { force: true });
      } finally {
        release();
      }
    },
  };
}

/**
 * For failure messages only: what the rssh chain does after its chroot, where its syslog lines are lost (the jail has
 * no /dev/log). Runs `rssh -c COMMAND` as the user, as sshd would, under strace run by root (so the setuid helper keeps
 * its root, and without --seccomp-bpf), and returns the helper's chroot, chdir and execve calls and its failed calls.
 */
export async function rsshChainTrace(user: string, command: string): Promise<string> {
  const r = await execa(
    'strace',
    [
      '-f',
      '-qq',
      '-s',
      '120',
      '-e',
      'trace=chroot,chdir,execve,openat,connect,stat,newfstatat',
      '--',
      'setpriv',
      '--reuid',
      user,
      '--regid',
      user,
      '--init-groups',
      RSSH,
      '-c',
      command,
    ],
    { reject: false, all: true, stdin: 'ignore', timeout: 20_000, cwd: '/' },
  );
  const lines = (r.all ?? '').split('\n');
  const from = lines.findIndex((l) => l.includes(`execve("${RSSH_HELPER}"`));
  const noise = /\/dev\/console|\/dev\/log|nscd|locale|userdb|gconv/;
  const keep = lines.slice(Math.max(from, 0)).filter((l) => /chroot\(|chdir\(|execve\(|= -1 E|exited with/.test(l) && !noise.test(l));
  return `  the chain, traced (rssh -c '${command}' as ${user}, exit ${r.exitCode}):\n${keep
    .slice(0, 20)
    .map((l) => `    ${l}`)
    .join('\n')}`;
}
