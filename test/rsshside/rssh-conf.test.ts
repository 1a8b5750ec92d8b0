/**
 * rssh.conf as rssh 2.3.4 reads it (rsshconf.c get_token/process_user, util.c NUM_ACCESS_BITS 5): 5-bit upstream and
 * 6-bit patched user= lines, quotes anywhere in a value (the examples of rssh.conf.default), line numbers, the lock-out
 * warning against the installed binary's bit count, and where the helper chdirs (extract_root).
 */
import { describe, expect, test } from 'vitest';
import { parseRsshConf, rsshBitProblems, rsshToken } from '../../src/config/rssh-conf.js';
import { jailsFromRsshConf } from '../../src/app/many.js';
import { accessBitsOf, parseRsshVersion } from '../../src/rssh/info.js';
import { extractRoot, rsshHomeInJail, rsshUserView } from '../../src/rssh/user.js';

describe('user= lines: bits and quoting', () => {
  test.each([
    // rssh.conf.default, uncommented
    ['user=rudy:077:00010:', { name: 'rudy', umask: '077', access: ['sftp'], bits: 5 }],
    ['user=rudy:077:00010', { name: 'rudy', umask: '077', access: ['sftp'], bits: 5 }],
    ['user=rudy:011:00100:', { name: 'rudy', umask: '011', access: ['cvs'], bits: 5 }],
    ['user=rudy:011:10000:', { name: 'rudy', umask: '011', access: ['rsync'], bits: 5 }],
    ['user="rudy:011:00001:/usr/local/chroot"', { name: 'rudy', umask: '011', access: ['scp'], bits: 5, chrootpath: '/usr/local/chroot' }],
    ['user=rudy:01"1:00001:/usr/local/chroot"', { name: 'rudy', umask: '011', access: ['scp'], bits: 5, chrootpath: '/usr/local/chroot' }],
    ["user=rudy:'011:00001:/usr/local/chroot'", { name: 'rudy', umask: '011', access: ['scp'], bits: 5, chrootpath: '/usr/local/chroot' }],
    ['user=rudy:011:00011:"/usr/local/my chroot"', { name: 'rudy', umask: '011', access: ['sftp', 'scp'], bits: 5, chrootpath: '/usr/local/my chroot' }],
    ['user = rudy:011:00011:/j   # a comment', { name: 'rudy', umask: '011', access: ['sftp', 'scp'], bits: 5, chrootpath: '/j' }],
    ['user=rudy:011:00"0"11:/j#comment', { name: 'rudy', umask: '011', access: ['sftp', 'scp'], bits: 5, chrootpath: '/j' }],
    // the distributions' patch: a 6th digit, svnserve
    ['user=rudy:022:000111:/j', { name: 'rudy', umask: '022', access: ['sftp', 'scp', 'svnserve'], bits: 6, chrootpath: '/j' }],
    ['user=rudy:022:000110:/j', { name: 'rudy', umask: '022', access: ['sftp', 'scp'], bits: 6, chrootpath: '/j' }],
  ])('%s', (line, want) => {
    const { conf, errors } = parseRsshConf(line);
    expect(errors).toEqual([]);
    expect(conf.users).toEqual([{ ...want, line: 1 }]);
  });

  test.each([
    ['user=rudy:022:0011:/j', 'bad access bits "0011" (5 binary digits upstream'],
    ['user=rudy:022:0000111:/j', 'bad access bits'],
    ['user=rudy:022:00021:/j', 'bad access bits'],
    ['user=rudy:01"1:00001:/j', 'unterminated " quote'],
    ['user=rudy:022:00011:/j:extra', 'unexpected ":extra"'],
    ['user=rudy:022:00011:/a b', 'value has spaces: quote it'],
    ['user=rudy', 'want NAME:UMASK:ACCESS'],
  ])('%s → %s', (line, message) => {
    const { errors } = parseRsshConf(`allowscp\n# two\n${line}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(3);
    expect(errors[0].message).toContain(message);
  });

  test('get_token: a quote pair anywhere is dropped, what it holds is kept as is', () => {
    expect(rsshToken(` a"b c"d=e`, { colon: false, keepSpaces: false })).toEqual({ token: 'ab cd', rest: '=e' });
    expect(rsshToken(`x'#:'y:z`, { colon: true, keepSpaces: false })).toEqual({ token: 'x#:y', rest: ':z' });
    expect(rsshToken(`"open`, { colon: false, keepSpaces: false })).toEqual({ error: 'unterminated " quote' });
  });
});

describe('lock-out warnings: the installed rssh counts the digits', () => {
  const text = 'allowsftp\nuser=five:022:00011:/j5\n\nuser=six:022:000110:/j6\nuser=free:022:00011\n';
  test.each([
    [5 as const, [{ line: 4, user: 'six' }]],
    [
      6 as const,
      [
        { line: 2, user: 'five' },
        { line: 5, user: 'free' },
      ],
    ],
  ])('installed rssh takes %i digits', (bits, want) => {
    const { conf } = parseRsshConf(text);
    const got = rsshBitProblems(conf, bits);
    expect(got.map((d) => ({ line: d.line, user: /user (\S+):/.exec(d.message)![1] }))).toEqual(want);
    for (const d of got) expect(d.message).toContain(`the installed rssh takes ${bits}`);
  });

  test('jailsFromRsshConf puts FILE:LINE on the jail of the user locked out', () => {
    const specs = jailsFromRsshConf(text, '/etc/rssh.conf', { installedBits: 5 });
    expect(specs.find((s) => s.jail === '/j6')?.notes).toEqual([
      expect.stringMatching(/^\/etc\/rssh\.conf:4: user six: 6 access bits, but the installed rssh takes 5 /),
    ]);
    expect(specs.find((s) => s.jail === '/j5')?.notes).toBeUndefined();
    expect(jailsFromRsshConf(text, '/etc/rssh.conf').find((s) => s.jail === '/j6')?.notes).toBeUndefined();
  });

  test('the binary tells: rssh -v output and the allowsvnserve keyword', () => {
    const upstream =
      'rssh 2.3.4\n    rssh config file = /etc/rssh.conf\n  chroot helper path = /usr/local/libexec/rssh_chroot_helper\n  sftp server binary = /usr/lib/openssh/sftp-server\n';
    expect(parseRsshVersion(upstream)).toEqual({
      version: '2.3.4',
      fields: {
        'rssh config file': '/etc/rssh.conf',
        'chroot helper path': '/usr/local/libexec/rssh_chroot_helper',
        'sftp server binary': '/usr/lib/openssh/sftp-server',
      },
    });
    expect(accessBitsOf(Buffer.from('\0allowscp\0allowsftp\0allowrsync\0'), upstream)).toBe(5);
    expect(accessBitsOf(Buffer.from('\0allowscp\0allowsvnserve\0'), upstream)).toBe(6);
    expect(accessBitsOf(Buffer.alloc(0), `${upstream}svnserve binary path = /usr/bin/svnserve\n`)).toBe(6);
  });
});

describe('what rssh does for one user', () => {
  const { conf } = parseRsshConf('allowscp\nchrootpath = /global\nuser=own:022:00010:/own\nuser=nochroot:022:00011\n');
  test.each([
    ['own', { user: 'own', chroot: '/own', services: ['sftp'], line: 3, bits: 5 }],
    ['nochroot', { user: 'nochroot', chroot: undefined, services: ['sftp', 'scp'], line: 4, bits: 5 }],
    ['other', { user: 'other', chroot: '/global', services: ['scp'] }],
  ])('%s', (user, want) => expect(rsshUserView(conf, user)).toEqual(want));

  // rssh_chroot_helper.c: extract_root(chroot_path, pw_dir), NULL → "/"
  test.each([
    ['/srv/jail', '/srv/jail/home/alice', '/home/alice'],
    ['/srv/jail/', '/srv/jail/home/alice', '/home/alice'],
    ['/srv/jail', '/home/alice', undefined],
    ['/srv/jail', '/srv/jail2/home/alice', undefined],
    ['/srv/jail', '/srv/jail', undefined],
    ['/', '/home/alice', '/home/alice'],
  ])('chroot %s, home %s → %s', (root, home, want) => expect(extractRoot(root, home)).toBe(want));

  test('a home outside the chroot path: the user lands in /, and why', () => {
    expect(rsshHomeInJail('/srv/jail', '/home/alice')).toEqual({ dir: '/', why: expect.stringContaining('not under the chroot path /srv/jail') });
  });
});
