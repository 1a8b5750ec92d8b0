/** rssh.conf in the format of rssh 2.3.4's rssh.conf.default and rssh.conf(5). */
import { describe, expect, test } from 'vitest';
import { parseRsshConf } from '../../src/config/rssh-conf.js';
import { ConfigError } from '../../src/config/diagnostics.js';
import { jailsFromRsshConf } from '../../src/app/many.js';

const REAL = `# This is the default rssh config file

# set the log facility.  "LOG_USER" and "user" are equivalent.
logfacility = LOG_USER

# Leave these all commented out to make the default action for rssh to lock
# users out completely...

allowscp
allowsftp
#allowcvs
#allowrdist
#allowrsync
#allowsvnserve

# set the default umask
umask = 022

# If you want to chroot users, use this to set the directory where the root of
# the chroot jail will be located.
#
# if you DO NOT want to chroot users, LEAVE THIS COMMENTED OUT.
chrootpath = /usr/local/chroot

# You can quote anywhere, but quotes not required unless the path contains a
# space... as in this example.
#chrootpath = "/usr/local/my chroot"

##########################################
# EXAMPLES of configuring per-user options

#user=rudy:077:00010:  # the path can simply be left out to not chroot
#user=rudy:077:00010   # the ending colon is optional

#user=rudy:011:00010:  # the ending colon is optional
user=rudy:077:00010:
user="alice:011:00011:/srv/jails/my chroot"  # quoted: the path has a space
user = bob:022:00001:/srv/jails/shared
USER=carol:027:100000:/srv/jails/shared
user=dave:022:00011
`;

describe('parseRsshConf', () => {
  test('a real-format file', () => {
    const { conf, errors } = parseRsshConf(REAL);
    expect(errors).toEqual([]);
    expect(conf.allow).toEqual(['scp', 'sftp']);
    expect(conf.umask).toBe('022');
    expect(conf.logfacility).toBe('LOG_USER');
    expect(conf.chrootpath).toBe('/usr/local/chroot');
    expect(conf.users.map(({ line: _l, ...u }) => u)).toEqual([
      { name: 'rudy', umask: '077', access: ['sftp'], bits: 5 },
      { name: 'alice', umask: '011', access: ['sftp', 'scp'], bits: 5, chrootpath: '/srv/jails/my chroot' },
      { name: 'bob', umask: '022', access: ['scp'], bits: 5, chrootpath: '/srv/jails/shared' },
      { name: 'carol', umask: '027', access: ['rsync'], bits: 6, chrootpath: '/srv/jails/shared' },
      { name: 'dave', umask: '022', access: ['sftp', 'scp'], bits: 5 },
    ]);
  });

  test.each([
    ['allowscpp', 1, 'unknown keyword "allowscpp"'],
    ['umask = 0a2', 1, 'bad umask'],
    ['user=eve:022:00012:/x', 1, 'bad access bits'],
    ['user=eve:022', 1, 'want NAME:UMASK:ACCESS'],
    ['user=eve:022:00001:relative/path', 1, 'not absolute'],
    ['chrootpath = "/unterminated', 1, 'unterminated " quote'],
    ['chrootpath = /a b', 1, 'quote it'],
    ['# fine\n\nallowsftp = yes', 3, 'takes no value'],
    ['user=eve:022:00001:/a\nuser=eve:022:00010:/b', 2, 'already configured on line 1'],
  ])('bad line %j → line %i: %s', (text, line, message) => {
    const { errors } = parseRsshConf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(line);
    expect(errors[0].message).toContain(message);
  });
});

describe('jailsFromRsshConf', () => {
  test('one spec per chroot path, users and profiles from the access bits', () => {
    expect(jailsFromRsshConf(REAL)).toEqual([
      { jail: '/usr/local/chroot', users: [], profiles: ['sftp', 'scp'], notes: [expect.stringContaining('without a user= line')] },
      { jail: '/srv/jails/my chroot', users: ['alice'], profiles: ['sftp', 'scp'] },
      { jail: '/srv/jails/shared', users: ['bob', 'carol'], profiles: ['scp', 'rsync'] },
    ]);
  });

  test('a bad line: ConfigError naming file and line, exit 2', () => {
    try {
      jailsFromRsshConf('allowscp\nuser=x:022:2:/j\n', '/etc/rssh.conf');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain('/etc/rssh.conf:2: user=x:022:2:/j: bad access bits');
      expect((e as ConfigError).exitCode).toBe(2);
    }
  });
});
