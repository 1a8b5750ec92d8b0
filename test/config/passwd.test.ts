import { expect, test } from 'vitest';
import { parseGroup, parsePasswd, parsePasswdLine } from '../../src/config/passwd.js';
import { parseAccounts } from '../../src/config/sshd-match.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  '# a comment:x:1:1::/:/bin/sh',
  '+nis::::::',
  'short:x:5:5',
  'bad:x:abc:1::/:/bin/sh',
  'empty:x::0::/:/bin/sh',
  ':x:9:9::/:/bin/sh',
  'alice:x:1000:1000:Alice,,,:/home/alice:/bin/sh',
  '',
].join('\n');
const GROUP = ['root:x:0:', '#c:x:3:', '+nis:::', 'sftp:x:1001:alice,bob', 'nogid:x::alice', ''].join('\n');

test('parsePasswd: accounts only (no comments, NIS lines, empty names, non-numeric or empty ids: never uid 0); missing fields are empty', () => {
  expect(parsePasswd(PASSWD).map((u) => [u.name, u.uid, u.gid, u.gecos, u.home, u.shell])).toEqual([
    ['root', 0, 0, 'root', '/root', '/bin/bash'],
    ['short', 5, 5, '', '/', ''],
    ['alice', 1000, 1000, 'Alice,,,', '/home/alice', '/bin/sh'],
  ]);
  expect(parsePasswd(PASSWD)[2].line).toBe('alice:x:1000:1000:Alice,,,:/home/alice:/bin/sh');
});

test('parsePasswdLine: one getent line, and the lines that are no account', () => {
  expect(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')).toMatchObject({
    name: 'nobody',
    uid: 65534,
    home: '/nonexistent',
    shell: '/usr/sbin/nologin',
  });
  for (const l of ['', '# x:x:1:1', '+:::', '-bob:::', 'bad:x:abc:1']) expect(parsePasswdLine(l)).toBeUndefined();
});

test('parseGroup: members split, comments, NIS lines, non-numeric and empty gids skipped', () => {
  expect(parseGroup(GROUP).map((g) => [g.name, g.gid, g.members])).toEqual([
    ['root', 0, []],
    ['sftp', 1001, ['alice', 'bob']],
  ]);
});

test("sshd's accounts are read by the same parser (same users and groups)", () => {
  const a = parseAccounts(PASSWD, GROUP);
  expect(a.users.map((u) => u.name)).toEqual(parsePasswd(PASSWD).map((u) => u.name));
  expect(a.groups.map((g) => g.name)).toEqual(parseGroup(GROUP).map((g) => g.name));
});
