/** OpenSSH's ChrootDirectory rule (session.c safely_chroot): which directory breaks it, and the command that fixes it. */
import { mkdir, mkdtemp, rm, symlink, chmod, chown } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chrootDirProblems, chrootRuleProblems, type ChrootComponent } from '../../src/jail/chroot-rule.js';
import { isRoot } from '../support/root.js';

const ok = (p: string): ChrootComponent => ({ path: p, uid: 0, mode: 0o40755, dir: true });

describe('chrootRuleProblems', () => {
  const jail = '/srv/sftp jails/alice';
  test.each([
    ['all root-owned 0755', [ok('/'), ok('/srv'), ok('/srv/sftp jails'), ok(jail)], []],
    [
      'a group-writable parent',
      [ok('/'), { ...ok('/srv'), mode: 0o40775 }, ok('/srv/sftp jails'), ok(jail)],
      [
        '/srv (a parent of /srv/sftp jails/alice) is writable by group (mode 0775): sshd refuses every chrooted login below it (bad ownership or modes for chroot directory component "/srv/"); fix: chmod go-w /srv',
      ],
    ],
    [
      'a jail root owned by the user and world-writable: both, one command line, quoted',
      [ok('/'), ok('/srv'), ok('/srv/sftp jails'), { ...ok(jail), uid: 1001, mode: 0o40777 }],
      [
        `${jail} (the jail root) is owned by uid 1001, not root and writable by group and others (mode 0777): sshd refuses every chrooted login below it (bad ownership or modes for chroot directory "${jail}"); fix: chown root:root '${jail}' && chmod go-w '${jail}'`,
      ],
    ],
    [
      'sticky /tmp is still other-writable',
      [{ ...ok('/tmp'), mode: 0o41777 }],
      [expect.stringContaining('/tmp (a parent of /srv/sftp jails/alice) is writable by group and others (mode 1777)')],
    ],
    ['a file in the way', [ok('/'), { ...ok('/srv'), dir: false }], [expect.stringContaining('/srv (a parent of /srv/sftp jails/alice) is not a directory')]],
  ])('%s', (_, components, want) => {
    expect(chrootRuleProblems(components as ChrootComponent[], jail)).toEqual(want);
  });
});

describe.skipIf(!isRoot)('chrootDirProblems on real directories (root: chown)', () => {
  test('a user-owned parent and a symlinked jail root are named, the fine ones are not', async () => {
    // under /srv, not /tmp: sticky /tmp is other-writable and would be named too
    const top = await mkdtemp('/srv/jt-sshdside-rule-');
    try {
      await chmod(top, 0o755);
      await mkdir(path.join(top, 'users'));
      await chown(path.join(top, 'users'), 65534, 65534);
      await mkdir(path.join(top, 'users/real'));
      await symlink('real', path.join(top, 'users/link'));
      const got = await chrootDirProblems(path.join(top, 'users/link'));
      expect(got).toEqual([
        expect.stringMatching(new RegExp(`^${top}/users \\(a parent of .*\\) is owned by uid 65534, not root: .*fix: chown root:root ${top}/users$`)),
        expect.stringMatching(/users\/link \(the jail root\) is a symlink: sshd follows it, jailtrace does not build through it/),
      ]);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  });
});
