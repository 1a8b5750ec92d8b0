import { describe, expect, test } from 'vitest';
import { filterAccounts } from '../../src/expand/accounts.js';
import { decide, isSecret, type Facts } from '../../src/expand/classify.js';
import type { JailEntry } from '../../src/expand/expand.js';
import { devMajor, devMinor } from '../../src/jail/on-disk.js';
import { makePlan } from '../../src/plan/make-plan.js';
import { linux } from '../../src/platforms/linux.js';

const facts = (path: string, over: Partial<Facts> = {}): Facts => ({ path, ops: new Set(['read']), failedOnly: false, type: 'file', via: 'trace', ...over });
const opts = { allowSecrets: new Set<string>(), fullPasswd: false };

describe('roles and decisions', () => {
  test.each([
    ['/usr/bin/scp', { ops: new Set(['exec']) }, 'executable', 'copy'],
    ['/usr/bin/dash', { ops: new Set(['exec']), path: '/bin/sh' }, 'shell', 'copy'],
    ['/usr/lib/x86_64-linux-gnu/libnss_compat.so.2', {}, 'nss-module', 'copy'],
    ['/usr/lib/x86_64-linux-gnu/libm.so.6', {}, 'library', 'copy'],
    ['/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', { via: 'interp' }, 'loader', 'copy'],
    ['/etc/nsswitch.conf', {}, 'config', 'copy'],
    ['/etc/passwd', {}, 'account', 'generate'],
    ['/etc/shadow', {}, 'secret', 'skip'],
    ['/etc/ssh/ssh_host_ed25519_key', {}, 'secret', 'skip'],
    ['/root/.bashrc', {}, 'secret', 'skip'],
    ['/dev/null', { type: 'char', ops: new Set(['write']) }, 'device', 'create'],
    ['/dev/log', { type: 'missing', ops: new Set(['connect']) }, 'socket', 'report-only'],
    ['/proc/filesystems', {}, 'kernel', 'skip'],
    ['/usr/share/zoneinfo/Etc/UTC', {}, 'locale', 'copy'],
    ['/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache', {}, 'locale', 'copy'],
    ['/usr', { type: 'dir', ops: new Set(['stat']) }, 'directory', 'create'],
    ['/var/log/app.log', { ops: new Set(['create']) }, 'data', 'skip'],
    ['/etc/ld.so.preload', { failedOnly: true, ops: new Set() }, 'config', 'report-only'],
  ] as const)('%s', (path, over, role, decision) => {
    const f = facts(path, over as Partial<Facts>);
    if ('path' in over && over.path) f.path = over.path as string;
    const d = decide(f, linux, opts);
    expect([d.role, d.decision]).toEqual([role, decision]);
    expect(d.reason.length).toBeGreaterThan(5);
  });

  test('a secret is copied only when named; --full-passwd copies the host accounts', () => {
    expect(decide(facts('/etc/shadow'), linux, { allowSecrets: new Set(['/etc/shadow']), fullPasswd: false }).decision).toBe('copy');
    expect(decide(facts('/etc/passwd'), linux, { allowSecrets: new Set(), fullPasswd: true }).decision).toBe('copy');
  });

  test('public certificates are not secrets; private keys by name are', () => {
    expect(isSecret('/etc/ssl/certs/ca-certificates.crt')).toBe(false);
    expect(isSecret('/etc/ssl/certs/ISRG_Root_X1.pem')).toBe(false);
    expect(isSecret('/etc/ssl/private/server.key')).toBe(true);
    expect(isSecret('/home/a/.ssh/id_ed25519')).toBe(true);
  });
});

describe('accounts', () => {
  const passwd = [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1::/usr/sbin:/usr/sbin/nologin',
    'alice:$6$hash:1000:1000:Alice:/home/alice:/usr/bin/rssh',
    'bob:x:1001:1001::/home/bob:/bin/sh',
    '+@netgroup',
    '',
  ].join('\n');
  const group = ['root:x:0:', 'daemon:x:1:', 'alice:x:1000:', 'sftponly:x:2000:bob,alice', 'staff:x:50:bob'].join('\n');

  test('root and the named users only; no password hash; groups they belong to, members filtered', () => {
    const a = filterAccounts(passwd, group, ['alice']);
    expect(a.passwd).toBe('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/usr/bin/rssh\n');
    expect(a.group).toBe('root:x:0:\nalice:x:1000:\nsftponly:x:2000:alice\n');
  });

  test('an unknown user is a usage error naming them', () => {
    expect(() => filterAccounts(passwd, group, ['carol'])).toThrow(/no user "carol"/);
  });
});

describe('plan', () => {
  const host = (type: 'file' | 'dir' | 'symlink' | 'char', over: object = {}) => ({
    type,
    mode: 0o755,
    uid: 0,
    gid: 0,
    size: 10,
    mtimeMs: 1,
    rdev: 0,
    ...over,
  });
  const e = (path: string, decision: JailEntry['decision'], h: ReturnType<typeof host>, via: JailEntry['via'] = 'trace'): JailEntry => ({
    path,
    role: 'data',
    decision,
    reason: 'r',
    via,
    ops: ['read'],
    host: h,
  });

  test('entries become actions, parents first, with the record last written into /.jailtrace', () => {
    const plan = makePlan({
      jail: '/srv/j',
      entries: [
        e('/usr/bin/scp', 'copy', host('file')),
        e('/usr', 'create', host('dir')),
        e('/usr/bin', 'create', host('dir'), 'parent'),
        e('/lib', 'create', host('symlink', { target: 'usr/lib' }), 'symlink'),
        e('/dev/null', 'create', host('char', { mode: 0o666, rdev: 259 })),
        e('/etc/shadow', 'skip', host('file')),
        e('/dev/log', 'report-only', host('file')),
      ],
      homes: false,
      record: { version: 't', jail: '/srv/j', users: [], profiles: [], commands: [], traces: [], warnings: [] },
    });
    const kinds = plan.actions.map((a) => `${a.kind} ${a.path}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'mkdir /',
        'mkdir /usr',
        'mkdir /usr/bin',
        'copy /usr/bin/scp',
        'symlink /lib',
        'mknod /dev/null',
        'mkdir /.jailtrace',
        'write /.jailtrace/manifest.json',
      ]),
    );
    expect(kinds.some((k) => k.includes('shadow') || k.includes('/dev/log'))).toBe(false);
    expect(kinds.indexOf('mkdir /usr')).toBeLessThan(kinds.indexOf('copy /usr/bin/scp'));
    const nul = plan.actions.find((a) => a.path === '/dev/null');
    expect(nul).toMatchObject({ kind: 'mknod', type: 'c', major: 1, minor: 3 });
  });

  test('dev_t splitting matches glibc (major 1 minor 3; large minors)', () => {
    expect([devMajor(259), devMinor(259)]).toEqual([1, 3]);
    const rdev = (8 << 8) | 0x11 | (0x12300 << 12); // glibc makedev(8, 0x12311)
    expect([devMajor(rdev), devMinor(rdev)]).toEqual([8, 0x12311]);
  });
});
