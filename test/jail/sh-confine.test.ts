/** The sh scripts' is_secret (SECRET_SH_GLOBS) says what SECRET_PATTERNS says, path for path, under dash and busybox sh. */
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { isSecret } from '../../src/expand/classify.js';
import { SH_HOST_CHECKS } from '../../src/jail/sh-confine.js';

const PATHS = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/shadow.bak',
  '/etc/shadowy',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/master.passwd',
  '/etc/spwd.db',
  '/etc/security/passwd',
  '/etc/security/passwd.old',
  '/etc/passwd',
  '/etc/group',
  '/etc/ssh/ssh_host_rsa_key',
  '/etc/ssh/ssh_host_rsa_key.pub',
  '/etc/ssh/sshd_config',
  '/etc/ssh/x/y_key',
  '/root',
  '/root/.profile',
  '/rootfs',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/sudoers.d/x',
  '/etc/sudoers-',
  '/etc/ssl/private',
  '/etc/ssl/private/k.pem',
  '/etc/ssl/certs/ca.pem',
  '/home/u/.ssh/id_ed25519',
  '/home/u/.ssh/id_rsa.pub',
  '/home/u/.ssh/authorized_keys',
  '/home/u/ssh/id_rsa',
  '/srv/tls/server.key',
  '/srv/tls/server.keys',
  '/etc/krb5.keytab',
  '/etc/krb5.conf',
  '/etc/letsencrypt/archive/a/privkey1.pem',
  '/etc/letsencrypt/live/a/fullchain.pem',
  '/privkey.pem',
  '/etc/security/opasswd',
  '/usr/lib/libc.so.6',
  '/tmp/x/data',
  '/etc/ssh',
  '/x.key/y',
  // backup copies (review of issue 20)
  '/etc/shadow~',
  '/etc/gshadow.dpkg-old',
  '/var/backups/shadow.bak',
  '/var/backups/gshadow.bak',
  '/var/backups/passwd.bak',
  '/var/backups/x/shadow.bak',
  '/etc/ssh/ssh_host_ed25519_key~',
  '/etc/ssh/ssh_host_ed25519_key.bak',
  '/etc/ssh/ssh_host_ed25519_key.pub',
  '/etc/ssh/ssh_host_ed25519_key.pub~',
  '/etc/sudoers~',
  '/etc/sudoers.bak',
  '/etc/shadowsocks',
  '/etc/security/passwd~',
  '/etc/shadow/x',
];

describe.each([['dash'], ['busybox', 'sh']])('%s', (...shell) => {
  test(`is_secret agrees with SECRET_PATTERNS on ${PATHS.length} paths`, async () => {
    const prog = `${SH_HOST_CHECKS}\nfor p in "$@"; do if is_secret "$p"; then echo "1 $p"; else echo "0 $p"; fi; done\n`;
    const r = await execa(shell[0], [...shell.slice(1), '-c', prog, 'sh', ...PATHS]);
    const got = r.stdout.split('\n').map((l) => [l.slice(2), l[0] === '1'] as const);
    expect(got).toEqual(PATHS.map((p) => [p, isSecret(p)]));
    expect(got.filter(([, s]) => s).length).toBeGreaterThan(15);
  });
});

test('backup copies of secrets are secrets; public keys and look-alikes are not (review of issue 20)', () => {
  const secret = [
    '/etc/shadow~',
    '/etc/gshadow.dpkg-old',
    '/var/backups/shadow.bak',
    '/var/backups/gshadow.bak',
    '/etc/ssh/ssh_host_ed25519_key~',
    '/etc/ssh/ssh_host_ed25519_key.bak',
    '/etc/sudoers~',
    '/etc/sudoers.bak',
    '/etc/security/passwd~',
  ];
  const not = [
    '/var/backups/passwd.bak',
    '/var/backups/x/shadow.bak',
    '/etc/ssh/ssh_host_ed25519_key.pub',
    '/etc/ssh/ssh_host_ed25519_key.pub~',
    '/etc/shadowsocks',
  ];
  expect(secret.filter((p) => !isSecret(p))).toEqual([]);
  expect(not.filter((p) => isSecret(p))).toEqual([]);
});

describe('root_only: what ls -ldn shows (review of issue 20)', () => {
  // ls stubbed as a shell function: the modes are what a host shows; chmod cannot make an ACL here (no setfacl)
  test.each([
    ['drwxr-xr-x 2 0 0 4096 Jan 1 00:00 d', true],
    ['drwxr-xr-x+ 2 0 0 4096 Jan 1 00:00 d', false], // an ACL: a user's write grant hides behind the mask
    ['drwxrwxr-x 2 0 0 4096 Jan 1 00:00 d', false], // group-writable, even group 0
    ['drwxr-xrwx 2 0 0 4096 Jan 1 00:00 d', false],
    ['drwxr-xr-x 2 1000 0 4096 Jan 1 00:00 d', false],
    ['-rw-r--r-- 1 0 0 1 Jan 1 00:00 f', false],
  ])('%s: root-only %s', async (line, want) => {
    const prog = `${SH_HOST_CHECKS}\nls() { printf '%s\\n' "$LINE"; }\nif root_only /x; then echo yes; else echo no; fi\n`;
    const r = await execa('dash', ['-c', prog], { env: { LINE: line } });
    expect(r.stdout).toBe(want ? 'yes' : 'no');
  });
});
