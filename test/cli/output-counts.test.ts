/**
 * Issue 15, item 9: output that adds up. The dry run's "N to do", -v's "N done" and the summary's "N changed" count
 * the same actions; "(record updated)" only when it was; plurals are right; the nscd socket is said once (-v), without
 * "to give the jail one"; a sticky shared parent (/tmp) is not answered with `chmod go-w /tmp`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chrootRuleProblems, type ChrootComponent } from '../../src/jail/chroot-rule.js';
import { plural } from '../../src/cli/parse.js';
import { isRoot, ROOT_SKIP } from '../check/helpers.js';
import { jailtrace, ROOT } from './helpers.js';

const ok = (p: string): ChrootComponent => ({ path: p, uid: 0, mode: 0o40755, dir: true });

test('plural', () => {
  expect([plural(1, 'device'), plural(0, 'device'), plural(1, 'process', 'processes'), plural(2, 'process', 'processes')]).toEqual([
    '1 device',
    '0 devices',
    '1 process',
    '2 processes',
  ]);
});

test('a sticky shared parent: the fix is to move the jail, never chmod /tmp; a plain parent keeps chmod go-w', () => {
  const [tmp] = chrootRuleProblems([ok('/'), { ...ok('/tmp'), mode: 0o41777 }, ok('/tmp/jail')], '/tmp/jail');
  expect(tmp).toContain('fix: move the jail under directories only root can write, e.g. /srv/jail/jail (/tmp is shared on purpose: do not chmod it)');
  expect(tmp).not.toContain('chmod go-w /tmp');
  const [srv] = chrootRuleProblems([ok('/'), { ...ok('/srv'), mode: 0o40775 }, ok('/srv/jail')], '/srv/jail');
  expect(srv).toMatch(/fix: chmod go-w \/srv$/);
});

describe.skipIf(!isRoot)(`build's counts agree across a run (${ROOT_SKIP})`, () => {
  const TRACE = path.join(ROOT, 'traces/linux/sftp-server/f.strace');
  let base: string;
  let jail: string;
  beforeAll(async () => {
    await fs.mkdir('/srv', { recursive: true });
    base = await fs.mkdtemp('/srv/jt-counts-');
    await fs.chmod(base, 0o755);
    jail = path.join(base, 'jail');
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));
  const build = (...extra: string[]) =>
    jailtrace([
      ...(extra.includes('-v') ? ['-v'] : []),
      'build',
      jail,
      '--trace',
      TRACE,
      '--cwd',
      '/',
      '--output-dir',
      base,
      ...extra.filter((x) => x !== '-v'),
    ]);
  const toDo = (s: string) => Number(/Plan for .*: (\d+) to do, (\d+) up to date:/.exec(s)?.[1]);
  const changed = (s: string) => /— (\d+) changed, (\d+) up to date( \(record updated\))?/.exec(s);
  const done = (s: string) => Number(/^(\d+) done, \d+ up-to-date/m.exec(s)?.[1]);

  test('a new jail: to do = changed = done; the rerun: 0, 0, 0 and no "(record updated)"', async () => {
    const dry = await build('--dry-run');
    expect(dry.exitCode).toBe(0);
    const n = toDo(dry.stdout);
    expect(n).toBeGreaterThan(0);
    await expect(fs.stat(jail)).rejects.toThrow(); // the dry run wrote nothing
    const real = await build('-v');
    expect(real.exitCode).toBe(0);
    const c = changed(real.stdout)!;
    expect(Number(c[1])).toBe(n);
    expect(Number(c[2])).toBe(0);
    expect(c[3]).toBe(' (record updated)');
    expect(done(real.stdout)).toBe(n);
    // plurals: the sftp trace makes exactly one device (/dev/null)
    expect(real.stdout).toMatch(/, 1 device, /);

    expect(toDo((await build('--dry-run')).stdout)).toBe(0);
    const again = await build('-v');
    const c2 = changed(again.stdout)!;
    expect(Number(c2[1])).toBe(0);
    expect(c2[3]).toBeUndefined();
    expect(done(again.stdout)).toBe(0);
  }, 120_000);

  test('the nscd socket: not shown without -v; with -v, once, without "to give the jail one"', async () => {
    const quiet = await build();
    expect(quiet.stdout).not.toContain('nscd');
    const v = await build('-v');
    const lines = v.stdout.split('\n').filter((l) => l.includes('nscd'));
    expect(lines).toEqual(['socket /var/run/nscd/socket: not copied (a server makes it); not needed: glibc falls back to the files in the jail']);
  }, 120_000);
});
