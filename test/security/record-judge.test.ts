/**
 * judgeRecord, row by row: a recorded entry (as build writes it, or as an attacker would) against what the current
 * rules say with fresh host facts. Reads the host only (lstat, readlink), so it runs without root.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JailEntry } from '../../src/expand/expand.js';
import type { JailRecord } from '../../src/plan/make-plan.js';
import { judgeRecord } from '../../src/check/judge.js';

const JAIL = '/srv/jt-judge-jail';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/sh\n';

const host = (type: string) => ({ type, mode: 0o644, uid: 0, gid: 0, size: 1, mtimeMs: 0, rdev: 0 }) as JailEntry['host'];
const entry = (path: string, over: Partial<JailEntry> = {}): JailEntry => ({
  path,
  role: 'config',
  decision: 'copy',
  reason: 'configuration read',
  via: 'trace',
  ops: ['read'],
  host: host('file'),
  ...over,
});
const record = (entries: JailEntry[], users: string[] = []): JailRecord => ({
  schema: 'jailtrace.jail/1',
  version: 'test',
  jail: JAIL,
  users,
  profiles: [],
  commands: [],
  traces: [],
  entries,
  warnings: [],
});

const judge = (r: JailRecord, allow: string[] = []) => judgeRecord(JAIL, r, { allowSecrets: new Set(allow), passwd: PASSWD });

describe('judgeRecord: what the rules say of each recorded entry', () => {
  test.each<[string, JailEntry, RegExp | undefined]>([
    ['a file the program read', entry('/etc/hostname'), undefined],
    ['a directory made as a parent', entry('/usr/lib', { role: 'directory', decision: 'create', via: 'parent', ops: [], host: host('dir') }), undefined],
    [
      'a path with a symlink on the way (the rules reach no entry there: left, not suspicious)',
      entry('/lib64/ld-linux-x86-64.so.2', { role: 'symlink', decision: 'create', via: 'symlink', ops: [], host: host('symlink') }),
      undefined,
    ],
    [
      'the loader symlink (its target is content)',
      entry('/usr/lib64/ld-linux-x86-64.so.2', { role: 'symlink', decision: 'create', via: 'symlink', ops: [], host: host('symlink') }),
      undefined,
    ],
    ['generated passwd', entry('/etc/passwd', { role: 'account', decision: 'generate' }), undefined],
    ['--full-passwd passwd', entry('/etc/passwd', { role: 'account', decision: 'copy' }), undefined],
    ['a path gone from the host', entry('/etc/jt-judge-no-such-file'), undefined],
    ['a skipped secret (never acted on)', entry('/etc/shadow', { role: 'secret', decision: 'skip' }), undefined],
    ['/etc/shadow asked for', entry('/etc/shadow'), /a secret/],
    ['an ssh host key asked for as data', entry('/etc/ssh/ssh_host_ed25519_key', { role: 'data', via: 'parent' }), /a secret/],
    ['a secret under /root', entry('/root/.bashrc'), /a secret/],
    ['a relative path', entry('etc/shadow'), /not an absolute path/],
    ['a path climbing with ..', entry('/usr/../etc/shadow'), /normal form/],
    ['a trailing slash', entry('/etc/hostname/'), /normal form/],
    ['the jail itself', entry(`${JAIL}/etc/passwd`), /inside the jail/],
    ['the record directory', entry('/.jailtrace/manifest.json'), /record directory/],
    ['/proc (the rules skip it)', entry('/proc/1/environ'), /the rules say skip/],
    ['generate for a file that is not an account file', entry('/etc/hostname', { decision: 'generate' }), /only \/etc\/passwd and \/etc\/group/],
  ])('%s', async (_name, e, why) => {
    const j = await judge(record([e]));
    const got = j.suspicious.filter((s) => s.path === e.path).map((s) => s.why);
    if (why) expect(got).toEqual([expect.stringMatching(why)]);
    else expect(got).toEqual([]);
  });

  test('--allow-secret makes the rules copy the named secret, and only that one', async () => {
    const j = await judge(record([entry('/etc/shadow'), entry('/etc/gshadow')]), ['/etc/shadow']);
    expect(j.now.get('/etc/shadow')?.decision).toBe('copy');
    expect(j.suspicious.map((s) => s.path)).toEqual(['/etc/gshadow']);
  });

  test("the rules' entry carries fresh host facts, not the record's", async () => {
    const lie = entry('/usr/lib64/ld-linux-x86-64.so.2', { host: { ...host('file')!, size: 1 } });
    const j = await judge(record([lie]));
    expect(j.now.get(lie.path)?.host?.type).toBe('symlink');
    expect(j.now.get(lie.path)?.decision).toBe('create');
  });

  test('a symlink to a secret: kept as a symlink when recorded as one; suspicious when the record calls it a file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jt-judge-'));
    try {
      await fs.symlink('/etc/shadow', path.join(dir, 'link'));
      await fs.symlink('/etc', path.join(dir, 'etc'));
      const asLink = entry(path.join(dir, 'link'), { role: 'symlink', decision: 'create', via: 'symlink', ops: [], host: host('symlink') });
      expect((await judge(record([asLink]))).suspicious).toEqual([]);
      const asFile = entry(path.join(dir, 'link'), { role: 'data' });
      expect((await judge(record([asFile]))).suspicious).toEqual([
        { path: asFile.path, why: expect.stringMatching(/leads it to the secret \/etc\/shadow through a symlink/) },
      ]);
      const throughParent = entry(path.join(dir, 'etc/shadow'), { role: 'data' });
      const j = await judge(record([throughParent]));
      expect(j.now.has(throughParent.path)).toBe(false);
      expect(j.suspicious).toEqual([{ path: throughParent.path, why: expect.stringMatching(/secret \/etc\/shadow/) }]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('users: a uid-0 alias and a user whose home is a system directory are suspicious and left out', async () => {
    const j = await judge(record([], ['alice', 'toor', 'bin', 'root', 'nobody-here']));
    expect(j.users).toEqual(['alice', 'root']);
    expect(j.suspicious.map((s) => s.why)).toEqual([
      expect.stringMatching(/^user toor has uid 0/),
      expect.stringMatching(/^user bin's home \/bin is a system directory/),
    ]);
    expect(j.suspiciousPaths.size).toBe(0);
  });
});
