/**
 * classify.ts row by row: every role rule and every decision with its exact reason, and each exception (secrets,
 * devices, --full-passwd) next to its twin. The older table in classify.test.ts checks role and decision only.
 */
import { describe, expect, test } from 'vitest';
import { DEVICE_NOT_MADE, SECRET_PATTERNS, decide, deviceAllowed, isSecret, roleOf, type Facts } from '../../src/expand/classify.js';
import { linux } from '../../src/platforms/linux.js';

const facts = (path: string, over: Partial<Facts> = {}): Facts => ({ path, ops: new Set(['read']), failedOnly: false, type: 'file', via: 'trace', ...over });
const opts = { allowSecrets: new Set<string>(), fullPasswd: false };
const ops = (...o: string[]) => new Set(o) as Facts['ops'];

describe('roles, first matching row wins', () => {
  test.each<[string, Partial<Facts>, string]>([
    ['/proc/cpuinfo', {}, 'kernel'],
    ['/sys', { type: 'dir' }, 'kernel'],
    ['/proc', { type: 'dir' }, 'kernel'],
    ['/procfs/x', {}, 'data'],
    ['/etc/shadow', {}, 'secret'],
    ['/opt/x', { secretName: '/opt/a.key' }, 'secret'],
    ['/opt/dir', { secretName: '/opt/a.key', type: 'dir' }, 'directory'],
    ['/tmp/u/x', { sharedDir: '/tmp' }, 'shared-tmp'],
    ['/srv/u/x', { sharedDir: '/srv/u', userDir: true }, 'user-controlled'],
    ['/srv/u/x', { sharedDir: '/srv/u', userDir: false }, 'shared-tmp'],
    ['/etc/group', {}, 'account'],
    ['/run/x', { ops: ops('connect'), type: 'missing' }, 'socket'],
    ['/run/s', { type: 'socket' }, 'socket'],
    ['/dev/sda', { type: 'block' }, 'device'],
    ['/dev/tty', { type: 'char' }, 'device'],
    ['/usr', { type: 'dir' }, 'directory'],
    ['/lib', { type: 'symlink' }, 'symlink'],
    ['/opt/ld.so', { via: 'interp' }, 'loader'],
    ['/lib64/ld-linux-x86-64.so.2', {}, 'loader'],
    ['/bin/bash', { ops: ops('exec') }, 'shell'],
    ['/bin/bash', {}, 'data'],
    ['/opt/tool', { ops: ops('exec') }, 'executable'],
    ['/opt/tool', { via: 'shebang' }, 'executable'],
    ['/usr/lib/x86_64-linux-gnu/libnss_files.so.2', {}, 'nss-module'],
    ['/libnss_files.so.2', {}, 'nss-module'],
    ['/opt/libnss_x.txt', {}, 'data'],
    ['/opt/x', { via: 'needed' }, 'library'],
    ['/opt/libfoo.so', {}, 'library'],
    ['/opt/foo.so.1.2', {}, 'library'],
    ['/opt/libfoo.so-old/x', {}, 'library'],
    ['/opt/foo.sox', {}, 'data'],
    ['/usr/share/locale/de/x.mo', {}, 'locale'],
    ['/usr/share/i18n', {}, 'locale'],
    ['/etc/localtime', {}, 'locale'],
    ['/usr/share/localex', {}, 'data'],
    ['/etc/nsswitch.conf', {}, 'config'],
    ['/etc/hostname', {}, 'config'],
    ['/etcetera', {}, 'data'],
    ['/srv/data', {}, 'data'],
  ])('%s %o → %s', (p, over, role) => {
    expect(roleOf(facts(p, over), linux)).toBe(role);
  });
});

describe('decisions with their reasons', () => {
  test.each<[string, Partial<Facts>, string, string]>([
    [
      '/dev/console',
      { type: 'char' },
      'report-only',
      "syslog's LOG_CONS fallback, used only when /dev/log cannot be reached: a jail never needs the console (give it a /dev/log socket to keep the logs, see build's socket advice)",
    ],
    ['/etc/x', { failedOnly: true }, 'report-only', 'every access failed: the program tried it and went on'],
    ['/dev/log', { failedOnly: true, ops: ops('connect'), type: 'missing' }, 'report-only', 'a socket is made by its server, not copied'],
    ['/proc/x', {}, 'skip', 'kernel filesystem: mount proc/sys in the jail if the program needs it'],
    [
      '/srv/u/x',
      { sharedDir: '/srv/u', userDir: true },
      'skip',
      "in /srv/u, a directory a user can write: they could swap this name, so root does not follow, read or copy it (make the directory root's if the jail needs what is there)",
    ],
    [
      '/tmp/u/x',
      { sharedDir: '/tmp' },
      'skip',
      'under /tmp, a world-writable directory, through a name a user controls: workload data, never jail content (root does not follow it)',
    ],
    ['/etc/shadow', {}, 'skip', 'secret: not copied (name it with --allow-secret PATH to copy it)'],
    ['/etc/passwd', {}, 'generate', 'generated: root and the jail users only'],
    ['/dev/null', { type: 'char' }, 'create', "device node safe for any jail, made with the host's major/minor and mode"],
    ['/dev/sda', { type: 'block' }, 'skip', DEVICE_NOT_MADE],
    ['/usr', { type: 'dir' }, 'create', "directory with the host's mode and owner"],
    ['/lib', { type: 'symlink' }, 'create', 'symlink kept as a symlink, so both spellings work'],
    ['/opt/gone', { type: 'missing' }, 'report-only', 'no longer on the host'],
    ['/opt/fifo', { type: 'fifo' }, 'report-only', 'a FIFO is made by the program that uses it'],
    ['/var/log/a', { ops: ops('create') }, 'skip', 'created or changed by the program: runtime data, not copied'],
    ['/var/log/a', { ops: ops('create', 'other') }, 'skip', 'created or changed by the program: runtime data, not copied'],
    ['/var/log/a', { ops: ops('create', 'read') }, 'copy', 'read by the program'],
    ['/var/log/a', { ops: ops('create'), via: 'parent' }, 'copy', 'read by the program'],
    ['/opt/tool', { ops: ops('exec') }, 'copy', 'executed'],
    ['/bin/sh', { ops: ops('exec') }, 'copy', 'shell executed (wordexp/system)'],
    ['/opt/ld.so', { via: 'interp' }, 'copy', 'ELF interpreter: the kernel maps it without an open'],
    ['/opt/libx.so', {}, 'copy', 'shared library loaded'],
    ['/lib/libnss_dns.so.2', {}, 'copy', 'NSS module loaded for a name lookup (invisible to ldd)'],
    ['/etc/localtime', {}, 'copy', 'locale/timezone data read'],
    ['/etc/hostname', {}, 'copy', 'configuration read'],
  ])('%s %o → %s', (p, over, decision, reason) => {
    const d = decide(facts(p, over), linux, opts);
    expect([d.decision, d.reason]).toEqual([decision, reason]);
  });
});

describe('exceptions, each next to its twin', () => {
  test('a secret is copied when --allow-secret names it, or names the secret name that led to it; not another one', () => {
    const allow = (s: string[]) => ({ ...opts, allowSecrets: new Set(s) });
    expect(decide(facts('/etc/shadow'), linux, allow(['/etc/shadow']))).toEqual({
      role: 'secret',
      decision: 'copy',
      reason: 'secret copied because --allow-secret names it',
    });
    expect(decide(facts('/etc/shadow'), linux, allow(['/etc/gshadow'])).decision).toBe('skip');
    expect(decide(facts('/opt/f', { secretName: '/opt/a.key' }), linux, allow(['/opt/a.key'])).decision).toBe('copy');
    expect(decide(facts('/opt/f', { secretName: '/opt/a.key' }), linux, allow(['/opt/f'])).decision).toBe('copy');
    expect(decide(facts('/opt/f', { secretName: '/opt/a.key' }), linux, allow(['/opt/b.key'])).decision).toBe('skip');
  });

  test('--full-passwd copies the account files as they are; without it they are generated', () => {
    expect(decide(facts('/etc/group'), linux, { ...opts, fullPasswd: true })).toEqual({
      role: 'account',
      decision: 'copy',
      reason: '--full-passwd: the host file as it is',
    });
    expect(decide(facts('/etc/group'), linux, opts).decision).toBe('generate');
  });

  test('a device beyond the safe list is made when --allow-device names it or the traced name that led to it', () => {
    const dev = (p: string, from?: string, allow?: string[]) =>
      decide(facts(p, { type: 'block', from }), linux, { ...opts, allowDevices: allow ? new Set(allow) : undefined });
    const made = "device node made because --allow-device names it, with the host's major/minor and mode";
    expect([dev('/dev/sda', undefined, ['/dev/sda']).decision, dev('/dev/sda', undefined, ['/dev/sda']).reason]).toEqual(['create', made]);
    expect(dev('/dev/sda', '/dev/disk/by-id/x', ['/dev/disk/by-id/x']).reason).toBe(made);
    expect(dev('/devices/pseudo/mm@0:null', '/dev/null').decision).toBe('create');
    expect(dev('/dev/sda', '/dev/disk/by-id/x', ['/dev/sdb']).decision).toBe('skip');
    expect(dev('/dev/sda').decision).toBe('skip');
    expect(deviceAllowed('/dev/zero', linux, undefined)).toBe('safe');
    expect(deviceAllowed('/dev/zero', linux, new Set(['/dev/zero']))).toBe('safe');
    expect(deviceAllowed('/dev/sdb', linux, new Set(['/dev/sdb']))).toBe('allowed');
    expect(deviceAllowed('/dev/sdb', linux, new Set())).toBeUndefined();
  });
});

describe('secrets by name: each pattern, and a near miss that is not one', () => {
  test.each([
    ['/etc/shadow', '/etc/shadowy/x'],
    ['/etc/gshadow-', '/etc/gshadowx'],
    ['/etc/shadow.dpkg-old', '/usr/etc/shadow'],
    ['/etc/master.passwd', '/etc/passwd'],
    ['/etc/security/passwd', '/etc/security/limits.conf'],
    ['/var/backups/shadow.bak', '/var/backups/passwd.bak'],
    ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_rsa_key.pub'],
    ['/etc/ssh/ssh_host_rsa_key.bak', '/etc/ssh/sshd_config'],
    ['/root', '/rootfs'],
    ['/root/.profile', '/srv/root/x'],
    ['/etc/sudoers.d/x', '/usr/etc/sudoers'],
    ['/etc/ssl/private', '/etc/ssl/privateer'],
    ['/home/a/.ssh/id_rsa', '/home/a/.ssh/known_hosts'],
    ['/opt/a.key', '/opt/a.keys'],
    ['/etc/krb5.keytab', '/etc/krb5.conf'],
    ['/etc/letsencrypt/archive/x/privkey1.pem', '/etc/letsencrypt/archive/x/cert1.pem'],
    ['/etc/security/opasswd', '/etc/security/opasswd.d'],
  ])('%s is a secret, %s is not', (yes, no) => {
    expect(isSecret(yes)).toBe(true);
    expect(isSecret(no)).toBe(false);
  });

  test('every pattern is exercised by a row above', () => {
    const rows = [
      '/etc/shadow',
      '/var/backups/shadow.bak',
      '/etc/ssh/ssh_host_rsa_key',
      '/root',
      '/etc/sudoers.d/x',
      '/etc/ssl/private',
      '/home/a/.ssh/id_rsa',
      '/opt/a.key',
      '/etc/krb5.keytab',
      '/etc/letsencrypt/archive/x/privkey1.pem',
      '/etc/security/opasswd',
    ];
    expect(SECRET_PATTERNS.map((re) => rows.some((r) => re.test(r)))).toEqual(SECRET_PATTERNS.map(() => true));
  });
});
