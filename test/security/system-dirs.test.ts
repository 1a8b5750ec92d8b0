/**
 * Issue 20, reproduction 7: a system directory accepted as a jail. `ChrootDirectory /etc` built /etc/etc, /etc/usr,
 * /etc/lib, /etc/dev and a user-owned /etc/home/... Every route (jail argument, --from-sshd-config,
 * --from-rssh-conf, verify, the confined writer itself) refuses the running system's directories and says why.
 */
import { execa } from 'execa';
import { chown, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import { systemDirRule, systemJailProblem } from '../../src/jail/system-dirs.js';
import { ensureUser, isRoot, jt, TRACE_ARGS, USER } from '../hardening/helpers.js';
import { lookupUser } from '../../src/profiles/workspace.js';

describe('system directories are never a jail root: the rows', () => {
  test.each([
    ['/', '/'],
    ['/etc', '/etc'],
    ['/etc/ssh', '/etc'],
    ['/usr', '/usr'],
    ['/usr/local/jail', '/usr'],
    ['/bin', '/bin'],
    ['/sbin/x', '/sbin'],
    ['/lib', '/lib'],
    ['/lib64', '/lib64'],
    ['/lib32/x', '/lib32'],
    ['/boot', '/boot'],
    ['/dev', '/dev'],
    ['/dev/shm/j', '/dev'],
    ['/proc', '/proc'],
    ['/sys/fs', '/sys'],
    ['/run', '/run'],
    ['/var', '/var'],
    ['/var/', '/var'],
    ['/home', '/home'],
    ['/root/jail', '/root'],
    ['/tmp', '/tmp'],
    ['/srv', '/srv'],
    ['/opt', '/opt'],
    ['/var/lib', '/var/lib'],
    ['/var/log/jail', '/var/log'],
    ['/var/spool/cron', '/var/spool'],
    ['/var/backups', '/var/backups'],
    ['/run/sshd', '/run/sshd'],
    ['/mnt', '/mnt'],
  ])('%s is refused (rule %s)', (p, rule) => {
    expect(systemDirRule(p)?.dir).toBe(rule);
  });

  test.each(['/srv/jail', '/var/jail', '/var/lib/jails/alice', '/home/alice', '/run/jails/x', '/tmp/x/jail', '/library', '/usrjail', '/etcetera'])(
    '%s is allowed',
    (p) => {
      expect(systemDirRule(p)).toBeUndefined();
    },
  );
});

describe.skipIf(!isRoot)('system directories are refused on every route (needs root: it runs build and verify)', () => {
  let dir: string;
  let etcBefore: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-sysdirs-'));
    await ensureUser(USER);
    await ensureUser(`${USER}2`);
    etcBefore = (await readdir('/etc')).sort();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a symlink that leads to /etc is /etc', async () => {
    await symlink('/etc', path.join(dir, 'etc-link'));
    expect(await systemJailProblem(path.join(dir, 'etc-link'))).toMatch(/\(\/etc\) is the host's configuration/);
    expect(await systemJailProblem(path.join(dir, 'etc-link', 'new', 'jail'))).toMatch(/inside \/etc/);
  });

  test("a tree holding the running system's /etc/passwd (a bind mount of /) is refused", async () => {
    const mnt = path.join(dir, 'hostroot');
    await mkdir(mnt);
    const r = await execa(
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        `mount --bind / "${mnt}" && node -e 'import("${path.resolve('dist/src/jail/system-dirs.js')}").then(async (m) => console.log(await m.systemJailProblem(process.argv[1])))' "${mnt}"`,
      ],
      { reject: false },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\(\/, through a bind mount\) is the host's root file system/);
  });

  test('build /etc: exit 2, why, nothing traced or written', async () => {
    const r = await jt(['build', '/etc', ...TRACE_ARGS, '--user', USER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/etc is the host's configuration: refusing to build a jail there/);
    expect((await readdir('/etc')).sort()).toEqual(etcBefore);
  });

  test.each(['/usr/local/jail', '/var', '/'])('build %s: exit 2', async (jail) => {
    const r = await jt(['build', jail, ...TRACE_ARGS, '--user', USER, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to build a jail there/);
  });

  test('--from-sshd-config with ChrootDirectory /etc: that jail is refused, the other one is built', async () => {
    const conf = path.join(dir, 'sshd_config');
    const good = path.join(dir, 'good');
    await writeFile(
      conf,
      `Match User ${USER}\n  ChrootDirectory /etc\n  ForceCommand /usr/lib/openssh/sftp-server\nMatch User ${USER}2\n  ChrootDirectory ${good}\n  ForceCommand /usr/lib/openssh/sftp-server\n`,
    );
    const r = await jt(['build', '--from-sshd-config', conf, '--output-dir', dir, '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\/etc: .*\/etc is the host's configuration: refusing to build a jail there/);
    expect((await readdir('/etc')).sort()).toEqual(etcBefore);
    expect(await readdir(good)).toContain('usr');
  });

  test('--from-rssh-conf with chrootpath=/etc is refused', async () => {
    const conf = path.join(dir, 'rssh.conf');
    await writeFile(conf, `allowsftp\nchrootpath=/etc\nuser=${USER}:011:00010:/etc\n`);
    const r = await jt(['build', '--from-rssh-conf', conf, '--output-dir', dir, '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to build a jail there/);
    expect((await readdir('/etc')).sort()).toEqual(etcBefore);
  });

  test('verify /usr/lib: exit 2, no scratch dir made there', async () => {
    const r = await jt(['verify', '/usr/lib', '--user', USER, '--profile', 'sftp', '--output-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/usr\/lib is inside \/usr, the host's programs and libraries/);
    expect((await readdir('/usr/lib')).filter((n) => n.startsWith('.jailtrace'))).toEqual([]);
  });

  test('a bind mount of /usr/lib (or a directory inside it) is /usr/lib', async () => {
    const mnt = path.join(dir, 'usrlib-bind');
    await mkdir(mnt);
    const probe = (p: string) =>
      `node -e 'import("${path.resolve('dist/src/jail/system-dirs.js')}").then(async (m) => console.log(await m.systemJailProblem(process.argv[1])))' "${p}"`;
    const r = await execa('unshare', ['-m', 'sh', '-c', `mount --bind /usr/lib "${mnt}" && ${probe(mnt)} && ${probe(path.join(mnt, 'new-jail'))}`], {
      reject: false,
    });
    expect(r.stderr).toBe('');
    const [itself, inside] = r.stdout.split('\n');
    expect(itself).toMatch(/usrlib-bind \(\/usr\/lib, through a bind mount\) is inside \/usr, the host's programs and libraries/);
    expect(inside).toMatch(/usrlib-bind\/new-jail \(\/usr\/lib\/new-jail, through a bind mount\) is inside \/usr/);
  });

  test('jailtrace script --jail /etc: exit 2; a rendered script given /etc, or a symlink to /usr/lib, at run time stops before writing', async () => {
    const trace = path.resolve('traces/linux/sftp-server/f.strace');
    const bad = await jt(['script', trace, '--jail', '/etc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--jail \/etc is the host's configuration: refusing to build a jail there/);
    const ok = await jt(['script', trace, '--jail', path.join(dir, 'script-jail')]);
    expect(ok.code, ok.stderr).toBe(0);
    const script = path.join(dir, 'build.sh');
    await writeFile(script, ok.stdout);
    await symlink('/usr/lib', path.join(dir, 'usrlib-link'));
    const usrLibBefore = (await readdir('/usr/lib')).sort();
    for (const jail of ['/etc', '/etc/', path.join(dir, 'usrlib-link')]) {
      const r = await execa('dash', [script, jail], { reject: false, all: true });
      expect(r.exitCode, r.all).not.toBe(0);
      expect(r.all).toMatch(/refusing to build a jail in .*: it is one of the running system's directories/);
    }
    expect((await readdir('/etc')).sort()).toEqual(etcBefore);
    expect((await readdir('/usr/lib')).sort()).toEqual(usrLibBefore);
  });

  test('a jail below a directory a user owns: build and verify refuse it (the user could swap the way to it)', async () => {
    const u = await lookupUser(USER);
    const owned = path.join(dir, 'users-parent');
    await mkdir(path.join(owned, 'jail'), { recursive: true });
    await chown(owned, u.uid, u.gid);
    for (const args of [
      ['build', path.join(owned, 'jail'), ...TRACE_ARGS, '--user', USER],
      ['verify', path.join(owned, 'jail'), '--user', USER, '--', '/bin/true'],
    ]) {
      const r = await jt(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/a user could swap a directory on the way to it \(.*users-parent\/jail: .*users-parent can be written by its owner/);
    }
    expect(await readdir(path.join(owned, 'jail'))).toEqual([]);
  });

  test('the confined writer refuses it too (any route that reaches apply)', async () => {
    const r = await applyPlan({ jail: '/etc', actions: [{ kind: 'mkdir', path: '/jailtrace-should-not-exist', mode: 0o755, uid: 0, gid: 0 }] } as never);
    expect(r.results.every((x) => x.result === 'refused' && x.code === 'root-system-dir')).toBe(true);
    expect((await readdir('/etc')).sort()).toEqual(etcBefore);
  });
});
