/** Match User / Match Group as sshd decides them (match.c match_pattern_list, groupaccess.c), on real-looking accounts. */
import { describe, expect, test } from 'vitest';
import { candidates, coversUser, groupsOf, matchPatternList, parseAccounts } from '../../src/config/sshd-match.js';
import type { MatchCriterion } from '../../src/config/sshd-config.js';

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:104:65534::/run/sshd:/usr/sbin/nologin
alice:x:1001:1001:Alice,,,:/home/alice:/bin/bash
bob:x:1002:1002::/home/bob:/bin/sh
carol:x:1003:1100::/srv/sftp/carol:/usr/sbin/nologin
dave:x:1004:1004::/home/dave:/bin/bash
sftp-erin:x:1005:1005::/home/sftp-erin:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const GROUP = `root:x:0:
sudo:x:27:dave
alice:x:1001:
bob:x:1002:
dave:x:1004:
sftp-erin:x:1005:
sftponly:x:1100:alice,bob
admins:x:1200:bob
nogroup:x:65534:
`;
const acc = parseAccounts(PASSWD, GROUP);

describe('matchPatternList', () => {
  test.each([
    ['alice', ['alice'], 1],
    ['alice', ['bob', 'alice'], 1],
    ['alice', ['bob'], 0],
    ['alice', ['a*'], 1],
    ['alice', ['al?ce'], 1],
    ['alice', ['*', '!alice'], -1],
    ['alice', ['!alice', '*'], -1],
    ['bob', ['*', '!alice'], 1],
    // a list of negations only never matches (sshd: `Match User !root` covers nobody)
    ['bob', ['!alice'], 0],
    ['Alice', ['alice'], 0],
    ['a.b', ['a?b'], 1],
    ['axb', ['a.b'], 0],
  ] as const)('%s in %j → %i', (s, list, want) => expect(matchPatternList(s, list)).toBe(want));
});

describe('who a Match line covers', () => {
  test('groups: primary group from passwd and member lists from group', () => {
    expect(groupsOf(acc.users.find((u) => u.name === 'carol')!, acc)).toEqual(['sftponly']);
    expect(groupsOf(acc.users.find((u) => u.name === 'bob')!, acc)).toEqual(['bob', 'sftponly', 'admins']);
  });

  const C = (kind: string, v: string): MatchCriterion => ({ kind, values: v.split(',') });
  test.each([
    ['Match User alice,bob', [C('user', 'alice,bob')], ['alice', 'bob'], ['alice', 'bob']],
    ['Match Group sftponly', [C('group', 'sftponly')], ['alice', 'bob', 'carol'], ['alice', 'bob', 'carol']],
    ['Match Group sftponly,!admins', [C('group', 'sftponly,!admins')], ['alice', 'bob', 'carol'], ['alice', 'carol']],
    ['Match Group sftponly User *,!alice', [C('group', 'sftponly'), C('user', '*,!alice')], ['alice', 'bob', 'carol', 'dave', 'sftp-erin'], ['bob', 'carol']],
    // wildcards enumerate regular users only: never root, daemons or nobody
    ['Match User sftp-*', [C('user', 'sftp-*')], ['alice', 'bob', 'carol', 'dave', 'sftp-erin'], ['sftp-erin']],
    ['Match User !root', [C('user', '!root')], [], []],
    ['Match User alice Address 10.0.0.0/8', [C('user', 'alice'), C('address', '10.0.0.0/8')], ['alice'], ['alice']],
  ])('%s', (_, criteria, cand, covered) => {
    const c = candidates(criteria, acc)!;
    expect(c).toEqual(cand);
    expect(c.filter((u) => coversUser(criteria, u, acc))).toEqual(covered);
  });

  test.each([[[]], [[{ kind: 'all', values: [] }]], [[{ kind: 'address', values: ['10.0.0.0/8'] }]]])(
    'no User/Group criterion (%j): users known only at connect time',
    (criteria) => {
      expect(candidates(criteria, acc)).toBeUndefined();
    },
  );
});
