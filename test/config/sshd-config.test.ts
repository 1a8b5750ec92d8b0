/** sshd_config Match / ChrootDirectory / ForceCommand / Subsystem / Include, in Debian's real format. */
import { describe, expect, test } from 'vitest';
import { expandChroot, parseSshdConfig } from '../../src/config/sshd-config.js';
import { ConfigError } from '../../src/config/diagnostics.js';
import { jailsFromSshdConfig } from '../../src/app/many.js';

const REAL = `# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

Include /etc/ssh/sshd_config.d/*.conf

#Port 22
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*

# override default of no subsystems
Subsystem	sftp	/usr/lib/openssh/sftp-server

# Example of overriding settings on a per-user basis
Match User anoncvs,guest
	X11Forwarding no
	AllowTcpForwarding no
	ChrootDirectory /srv/jails/guests
	ForceCommand internal-sftp

Match User alice,bob
	ChrootDirectory "/srv/jails/%u"

Match Group sftponly
	ChrootDirectory=%h
	ForceCommand /usr/lib/openssh/sftp-server -l INFO

Match User carol Address 10.0.0.0/8
	ChrootDirectory /srv/jails/shared # comment after the value
`;

const D_CONF = `# /etc/ssh/sshd_config.d/10-jails.conf
Match User dave
  ChrootDirectory /srv/jails/shared
`;

const include = (pattern: string) => (pattern === '/etc/ssh/sshd_config.d/*.conf' ? [{ file: '/etc/ssh/sshd_config.d/10-jails.conf', text: D_CONF }] : []);
const userInfo = (name: string) => ({ alice: { home: '/home/alice', uid: 1001 }, bob: { home: '/home/bob', uid: 1002 } })[name as 'alice' | 'bob'];

describe('parseSshdConfig', () => {
  test('a real-format file with an Include', () => {
    const { config, errors } = parseSshdConfig(REAL, { include });
    expect(errors).toEqual([]);
    expect(config.global.subsystems).toEqual({ sftp: '/usr/lib/openssh/sftp-server' });
    expect(config.matches.map((m) => [m.criteria, m.chrootDirectory, m.forceCommand])).toEqual([
      [[{ kind: 'user', values: ['dave'] }], '/srv/jails/shared', undefined],
      [[{ kind: 'user', values: ['anoncvs', 'guest'] }], '/srv/jails/guests', 'internal-sftp'],
      [[{ kind: 'user', values: ['alice', 'bob'] }], '/srv/jails/%u', undefined],
      [[{ kind: 'group', values: ['sftponly'] }], '%h', '/usr/lib/openssh/sftp-server -l INFO'],
      [
        [
          { kind: 'user', values: ['carol'] },
          { kind: 'address', values: ['10.0.0.0/8'] },
        ],
        '/srv/jails/shared',
        undefined,
      ],
    ]);
    expect(config.matches[0].file).toBe('/etc/ssh/sshd_config.d/10-jails.conf');
  });

  test.each([
    ['Match', 1, 'Match needs criteria'],
    ['Match Usr alice', 1, 'unknown criterion "Usr"'],
    ['Match User', 1, 'missing its patterns'],
    ['\nChrootDirectory', 2, 'takes one path'],
    ['ChrootDirectory jails/x', 1, 'not absolute'],
    ['ForceCommand "internal-sftp', 1, 'unterminated'],
    ['Subsystem sftp', 1, 'name and a command'],
  ])('bad line %j → line %i: %s', (text, line, message) => {
    const { errors } = parseSshdConfig(text);
    expect(errors).toEqual([{ line, message: expect.stringContaining(message) }]);
  });

  test('Include loops stop with an error', () => {
    const { errors } = parseSshdConfig('Include /etc/ssh/loop.conf', { include: () => [{ file: '/etc/ssh/loop.conf', text: 'Include /etc/ssh/loop.conf' }] });
    expect(errors[0].message).toContain('nested more than');
  });

  test.each([
    ['/srv/%u', { name: 'alice' }, '/srv/alice'],
    ['%h', { name: 'alice', home: '/home/alice' }, '/home/alice'],
    ['/srv/%%/%U', { name: 'a', uid: 7 }, '/srv/%/7'],
    ['%h', { name: 'alice' }, undefined],
  ])('expandChroot(%s)', (dir, user, want) => expect(expandChroot(dir, user)).toBe(want));
});

describe('jailsFromSshdConfig', () => {
  test('Match blocks → jails, users and what each needs', () => {
    expect(jailsFromSshdConfig(REAL, { include, userInfo })).toEqual([
      { jail: '/srv/jails/shared', users: ['dave', 'carol'], profiles: ['sftp', 'scp'], notes: [expect.stringContaining('Match address')] },
      {
        jail: '/srv/jails/guests',
        users: ['anoncvs', 'guest'],
        profiles: [],
        notes: [expect.stringContaining('internal-sftp: sshd serves sftp itself')],
        layoutOnly: true,
      },
      { jail: '/srv/jails/alice', users: ['alice'], profiles: ['sftp', 'scp'] },
      { jail: '/srv/jails/bob', users: ['bob'], profiles: ['sftp', 'scp'] },
      { jail: '%h', users: [], profiles: ['sftp'], notes: [expect.stringContaining('Match group sftponly'), expect.stringContaining('one jail per user')] },
    ]);
  });

  test('Subsystem internal-sftp: only scp needs a program', () => {
    expect(jailsFromSshdConfig('Subsystem sftp internal-sftp\nMatch User x\n ChrootDirectory /j\n')).toEqual([
      { jail: '/j', users: ['x'], profiles: ['scp'], notes: [expect.stringContaining('internal-sftp')] },
    ]);
  });

  test('a bad line is a ConfigError with the line', () => {
    expect(() => jailsFromSshdConfig('Match\n', { file: '/etc/ssh/sshd_config' })).toThrow(ConfigError);
    expect(() => jailsFromSshdConfig('Match\n', { file: '/etc/ssh/sshd_config' })).toThrow('/etc/ssh/sshd_config:1: Match needs criteria');
  });
});
