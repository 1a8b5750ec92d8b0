/**
 * `jailtrace build` for real (root): trace the sftp and scp profiles as a test user, build the jail, then run real
 * client sessions inside it with chroot --userspec. Needs root (chroot, mknod, useradd): skipped visibly otherwise.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsInJail } from '../../src/verify/analyze.js';
import { ensureUser, isRoot, scpRoundTrip, sftpSession } from './session.js';
import { CLI } from '../support/cli.js';

const USER = 'jt-build-test';
const jt = (args: string[], opts: { reject?: boolean } = {}) => execa('node', [CLI, ...args], { reject: opts.reject ?? true, all: true });

/** Every path under `dir` with its type, mode, size and mtime: to prove something did not change. */
async function listing(dir: string): Promise<string[]> {
  const r = await execa('find', [dir, '-printf', '%p %y %m %s %T@ %i\n'], { reject: false });
  return r.stdout.split('\n').sort();
}

describe.skipIf(!isRoot)('build (needs root: chroot, mknod, useradd)', () => {
  let base: string;
  let jail: string;
  let user: { uid: number; gid: number; home: string };
  let report: { entries: Array<{ path: string; role: string; decision: string }>; apply: { counts: Record<string, number> } };

  beforeAll(async () => {
    user = await ensureUser(USER);
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jailtrace-test-');
    jail = path.join(base, 'jail');
    const r = await jt(['build', jail, '--profile', 'sftp', '--profile', 'scp', '--user', USER, '--output-dir', path.join(base, 'traces'), '--json']);
    report = JSON.parse(r.stdout);
  });

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('the jail serves a real sftp session as the user: put, ls -l with owner names, mkdir, rename, get, rm, rmdir', async () => {
    const s = await sftpSession(jail, USER, user.home);
    expect(s.output).toContain(`${USER} ${USER}`); // ls -l shows names, not numbers
    expect(s.bytesIntact).toBe(true);
    expect(s.ok).toBe(true);
  });

  test('scp -t and scp -f inside the jail move bytes intact', async () => {
    const data = Buffer.concat([Buffer.from('\0\n\r\xff binary'), Buffer.alloc(70_000, 0xa5)]);
    const r = await scpRoundTrip(jail, USER, user.home, data);
    expect(r.error ?? '').not.toMatch(/No such file|not found|Couldn't/);
    expect(r.back?.equals(data)).toBe(true);
    expect(r.ok).toBe(true);
  });

  test('passwd holds only root and the user; group only their groups', async () => {
    const passwd = (await readFile(path.join(jail, 'etc/passwd'), 'utf8')).trim().split('\n');
    expect(passwd.map((l) => l.split(':')[0])).toEqual(['root', USER]);
    expect(passwd.every((l) => l.split(':')[1] === 'x')).toBe(true);
    const groups = (await readFile(path.join(jail, 'etc/group'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(':')[2]);
    expect(new Set(groups)).toEqual(new Set(['0', String(user.gid)]));
  });

  test('what a trace cannot show is there: the ELF loader, the /lib and /lib64 symlinks, /dev/null as a device', async () => {
    const lib = await execa('readlink', [path.join(jail, 'lib')]);
    expect(lib.stdout).toBe('usr/lib');
    const interp = (await execa('sh', ['-c', `readelf -l /usr/lib/openssh/sftp-server | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'`])).stdout.trim();
    expect(interp).toMatch(/^\//);
    // resolved the way the jailed program sees it: absolute symlinks restart at the jail root
    expect(await existsInJail(jail, interp)).toBe(true);
    expect(await existsInJail(jail, '/lib/x86_64-linux-gnu/libc.so.6')).toBe(true);
    const nul = await execa('stat', ['-c', '%F %t:%T %a', path.join(jail, 'dev/null')]);
    expect(nul.stdout).toBe('character special file 1:3 666');
  });

  test('nothing that is not needed: only the login shell sshd runs commands through, no host accounts, no workload scratch data, no secrets', async () => {
    const files = (await execa('find', [jail, '-type', 'f'])).stdout.split('\n').map((f) => f.slice(jail.length));
    expect(files).not.toContain('/etc/shadow');
    expect(files.some((f) => f.startsWith('/tmp/'))).toBe(false);
    // the user's shell is /bin/sh (dash): it is there, bash is not
    expect(files.filter((f) => /\/bin\/(ba|da)?sh$/.test(f))).toEqual(['/usr/bin/dash']);
    expect(report.entries.find((e) => e.path === '/etc/passwd')?.decision).toBe('generate');
  });

  test('the second build copies nothing (only the record is refreshed)', async () => {
    const before = (await listing(jail)).filter((l) => !l.includes('/.jailtrace'));
    const r = await jt(['build', jail, '--profile', 'sftp', '--profile', 'scp', '--user', USER, '--output-dir', path.join(base, 'traces'), '--json']);
    const rep = JSON.parse(r.stdout) as { apply: { results: Array<{ path: string; result: string }> } };
    expect(rep.apply.results.map((x) => x.path).filter((p) => !p.startsWith('/.jailtrace'))).toEqual([]);
    const after = (await listing(jail)).filter((l) => !l.includes('/.jailtrace'));
    expect(after).toEqual(before);
  });

  test('--dry-run writes nothing, to a new jail or an existing one', async () => {
    const fresh = path.join(base, 'never');
    const r = await jt(['build', fresh, '--profile', 'sftp', '--user', USER, '--output-dir', path.join(base, 'traces'), '--dry-run']);
    expect(r.stdout).toMatch(/copy +\/usr\/lib\/openssh\/sftp-server/);
    expect(existsSync(fresh)).toBe(false);
    await rm(path.join(jail, 'usr/bin/scp'));
    const before = await listing(jail);
    await jt(['build', jail, '--profile', 'scp', '--user', USER, '--output-dir', path.join(base, 'traces'), '--dry-run']);
    expect(await listing(jail)).toEqual(before);
    await jt(['build', jail, '--profile', 'scp', '--user', USER, '--output-dir', path.join(base, 'traces')]);
    expect(existsSync(path.join(jail, 'usr/bin/scp'))).toBe(true);
  });

  test('a jail from ldd output alone fails the same session (what jailtrace adds)', async () => {
    const lddJail = path.join(base, 'ldd-jail');
    await mkdir(lddJail);
    for (const bin of ['/usr/lib/openssh/sftp-server', '/usr/bin/scp']) {
      const out = (await execa('ldd', [bin])).stdout;
      const libs = [...out.matchAll(/(\/[^\s]+)/g)].map((m) => m[1]);
      for (const f of [bin, ...libs]) await execa('cp', ['--parents', '-L', f, lddJail]);
    }
    await mkdir(path.join(lddJail, user.home), { recursive: true });
    await execa('chown', [`${user.uid}:${user.gid}`, path.join(lddJail, user.home)]);
    const s = await sftpSession(lddJail, USER, user.home);
    expect(s.ok && s.bytesIntact && s.output.includes(`${USER} ${USER}`)).toBe(false);
    // sftp-server's own failure, not chroot's: whichever of what ldd misses it trips over first (passwd/NSS, /dev/null)
    expect(s.output).toMatch(/No user found for uid|Connection closed|Couldn't open \/dev\/null/);
  });

  test('an NSS module that ldd never shows is found when the host nsswitch.conf needs it', async () => {
    // A private mount namespace: the host's /etc/nsswitch.conf is untouched.
    const conf = path.join(base, 'nsswitch.conf');
    await writeFile(conf, 'passwd: compat\ngroup: compat\nhosts: files\n');
    const nssJail = path.join(base, 'nss-jail');
    await execa('unshare', [
      '--mount',
      'sh',
      '-c',
      `mount --bind ${conf} /etc/nsswitch.conf && node ${CLI} build ${nssJail} --profile sftp --user ${USER} --output-dir ${base}/traces -q`,
    ]);
    const libs = await readdir(path.join(nssJail, 'usr/lib/x86_64-linux-gnu'));
    expect(libs).toContain('libnss_compat.so.2');
    expect((await execa('ldd', ['/usr/lib/openssh/sftp-server'])).stdout).not.toContain('libnss_compat');
    const s = await sftpSession(nssJail, USER, user.home);
    expect(s.output).toContain(`${USER} ${USER}`);
  });

  test('bad input: a missing trace is exit 2 with the file named', async () => {
    const r = await jt(['build', path.join(base, 'x'), '--trace', '/nonexistent.strace'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.all).toContain('jailtrace: /nonexistent.strace: no such file or directory');
  });
});
