/**
 * --from-sshd-config as sshd reads it: Debian 12's default sshd_config (it starts with
 * `Include /etc/ssh/sshd_config.d/*.conf`) with the jails in included files, Match User/Group lists with negation,
 * ChrootDirectory tokens, ForceCommand kept verbatim, internal-sftp layouts, commands printed quoted for the shell.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jailsFromSshdConfig } from '../../src/app/many.js';
import { readIncludes } from '../../src/config/sshd-include.js';
import { globFiles } from '../../src/glob.js';
import { parseSshdConfig } from '../../src/config/sshd-config.js';
import { parseAccounts } from '../../src/config/sshd-match.js';

/** /etc/ssh/sshd_config of a fresh Debian 12 (comments trimmed to the first lines). */
const DEBIAN12 = `
# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# This sshd was compiled with PATH=/usr/local/bin:/usr/bin:/bin:/usr/games

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
#Match User anoncvs
#	X11Forwarding no
#	AllowTcpForwarding no
#	PermitTTY no
#	ForceCommand cvs server
`;

const PASSWD = `root:x:0:0:root:/root:/bin/bash
alice:x:1001:1001::/home/alice:/bin/bash
bob:x:1002:1002::/home/bob:/bin/sh
carol:x:1003:1100::/home/carol:/usr/sbin/nologin
dave:x:1004:1004::/home/dave:/bin/bash
erin:x:1005:1005::/home/erin:/bin/bash
`;
const GROUP = `root:x:0:
alice:x:1001:
bob:x:1002:
dave:x:1004:
erin:x:1005:
sftponly:x:1100:alice,bob,erin
staff:x:50:erin
`;
const accounts = parseAccounts(PASSWD, GROUP);

const run = (files: Record<string, string>, main = DEBIAN12) =>
  jailsFromSshdConfig(main, {
    file: '/etc/ssh/sshd_config',
    accounts,
    include: (pattern) =>
      Object.keys(files)
        .filter((f) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(f))
        .sort()
        .map((f) => ({ file: f, text: files[f] })),
  });

interface Case {
  title: string;
  files: Record<string, string>;
  main?: string;
  want: unknown[];
}

describe('jailsFromSshdConfig on Debian 12 with the jails in sshd_config.d', () => {
  test.each<Case>([
    {
      title: 'Match Group with a negated group, %u jails, per user',
      files: { '/etc/ssh/sshd_config.d/50-sftp.conf': 'Match Group sftponly,!staff\n  ChrootDirectory /srv/jails/%u\n  AllowTcpForwarding no\n' },
      want: [
        { jail: '/srv/jails/alice', users: ['alice'], profiles: ['sftp', 'scp'] },
        { jail: '/srv/jails/bob', users: ['bob'], profiles: ['sftp', 'scp'] },
        {
          jail: '/srv/jails/carol',
          users: ['carol'],
          profiles: ['sftp', 'scp'],
          notes: [expect.stringContaining('carol: the login shell /usr/sbin/nologin refuses every session')],
        },
      ],
    },
    {
      title: 'ChrootDirectory %h and %% (a literal %)',
      files: { '/etc/ssh/sshd_config.d/jails.conf': 'Match User alice,dave\n  ChrootDirectory %h\nMatch User bob\n  ChrootDirectory /srv/100%%/%U\n' },
      want: [
        { jail: '/home/alice', users: ['alice'], profiles: ['sftp', 'scp'] },
        { jail: '/home/dave', users: ['dave'], profiles: ['sftp', 'scp'] },
        { jail: '/srv/100%/1002', users: ['bob'], profiles: ['sftp', 'scp'] },
      ],
    },
    {
      title: 'ForceCommand internal-sftp: the layout only, and why; the first Match that sets a keyword wins',
      files: {
        '/etc/ssh/sshd_config.d/10-force.conf': 'Match User erin\n  ForceCommand internal-sftp -l INFO\n',
        '/etc/ssh/sshd_config.d/20-chroot.conf': 'Match Group sftponly\n  ChrootDirectory /srv/shared\n  ForceCommand /usr/lib/openssh/sftp-server\n',
      },
      want: [
        {
          jail: '/srv/shared',
          users: ['erin', 'alice', 'bob', 'carol'],
          profiles: ['sftp'],
          notes: [
            expect.stringMatching(/internal-sftp: .*only its layout is built.*\/dev\/log/),
            expect.stringContaining('carol: the login shell /usr/sbin/nologin'),
          ],
        },
      ],
    },
    {
      title: 'internal-sftp alone: layoutOnly',
      files: { '/etc/ssh/sshd_config.d/sftp.conf': 'Match User alice\n  ChrootDirectory /srv/a\n  ForceCommand internal-sftp\n' },
      want: [{ jail: '/srv/a', users: ['alice'], profiles: [], layoutOnly: true, notes: [expect.stringContaining('/dev/log')] }],
    },
    {
      title: 'a Match in a file included from inside a Match block applies only within that block',
      files: { '/etc/ssh/sshd_config.d/inner.conf': 'ChrootDirectory /srv/outer\nMatch User bob\n  ChrootDirectory /srv/inner\n' },
      main: 'Match User alice\n  Include /etc/ssh/sshd_config.d/inner.conf\n',
      want: [{ jail: '/srv/outer', users: ['alice'], profiles: ['scp'] }],
    },
    {
      title: 'Match All at the end: no users to enumerate, named with --user',
      files: { '/etc/ssh/sshd_config.d/all.conf': 'Match All\n  ChrootDirectory /srv/everyone\n' },
      want: [
        {
          jail: '/srv/everyone',
          users: [],
          profiles: ['sftp', 'scp'],
          notes: [expect.stringContaining('Match all: users not resolved (name them with --user)')],
        },
      ],
    },
  ])('$title', ({ files, main, want }) => {
    expect(run(files, main)).toEqual(want);
  });

  test('without the Include the Debian default names no jail', () => {
    expect(run({})).toEqual([]);
  });

  test("a ForceCommand that is not sftp: the command to trace it, quoted for the shell, through the user's shell", () => {
    const specs = run({
      '/etc/ssh/sshd_config.d/x.conf': `Match User alice\n  ChrootDirectory "/srv/up load"\n  ForceCommand /usr/local/bin/upload --to "/in box" 'it''s'\n`,
    });
    expect(specs[0].notes).toEqual([
      `ForceCommand /usr/local/bin/upload --to "/in box" 'it''s': sshd runs it through the login shell; trace it the same way: ` +
        `jailtrace build '/srv/up load' --user alice -- /bin/bash -c '/usr/local/bin/upload --to "/in box" '\\''it'\\'''\\''s'\\'''`,
    ]);
  });
});

describe('ForceCommand is kept as sshd keeps it (the rest of the line, verbatim)', () => {
  test.each([
    ['ForceCommand /usr/bin/rsync --server "-a b"', '/usr/bin/rsync --server "-a b"'],
    ["ForceCommand   echo 'a  b' # not a comment to sshd", "echo 'a  b' # not a comment to sshd"],
    ['ForceCommand=internal-sftp -d /upload', 'internal-sftp -d /upload'],
    ['ForceCommand = internal-sftp   ', 'internal-sftp'],
    ['\tforcecommand\tinternal-sftp -l INFO', 'internal-sftp -l INFO'],
  ])('%j → %j', (line, want) => {
    expect(parseSshdConfig(line).config.global.forceCommand).toBe(want);
  });
});

describe('Include files as glob(3) lists them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-sshdside-inc-'));
    await mkdir(path.join(dir, 'd.d'));
    for (const f of ['20-b.conf', '10-a.conf', 'README', '.hidden.conf', 'Z.conf', '_x.conf']) await writeFile(path.join(dir, 'd.d', f), `# ${f}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.each([
    ['d.d/*.conf', ['10-a.conf', '20-b.conf', 'Z.conf', '_x.conf']],
    ['d.d/[12]0-?.conf', ['10-a.conf', '20-b.conf']],
    ['d.d/[!1]*', ['20-b.conf', 'README', 'Z.conf', '_x.conf']],
    ['d.d/.*.conf', ['.hidden.conf']],
    ['d.d/none-*.conf', []],
    ['*.d/10-a.conf', ['10-a.conf']],
    ['d.d/README', ['README']],
    ['d.d/missing', []],
  ])('%s', (pattern, want) => {
    expect(globFiles(path.join(dir, pattern)).map((f) => path.basename(f))).toEqual(want);
  });

  test('readIncludes returns the texts in that order', () => {
    expect(readIncludes(path.join(dir, 'd.d/*.conf')).map((x) => x.text)).toEqual(['# 10-a.conf\n', '# 20-b.conf\n', '# Z.conf\n', '# _x.conf\n']);
  });
});
