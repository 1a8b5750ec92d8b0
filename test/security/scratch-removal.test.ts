/**
 * Issue 20, reproduction 2: root removes the profiles' scratch trees (which the user writes) with a recursive rm
 * that walks by path. The attacker fills every directory it can write with swap trees (jt-swap*, mirroring OUTSIDE's
 * names) and, the moment root opens one to list it, renames it away and puts a symlink to OUTSIDE in its place: a walk
 * by path then unlinks OUTSIDE's files. Removal as the user (or by fd) leaves OUTSIDE whole.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isRoot } from '../hardening/helpers.js';
import { makeArena, summary, type Arena } from './arena.js';
import { attackUntil, type Scenario } from './scenario.js';

const rows: Array<Omit<Scenario, 'tag'> & { title: string }> = [
  {
    title: 'build sftp+scp: $TMPDIR/jailtrace-{sftp,scp}-* removed while dirs turn into links to OUTSIDE',
    command: 'build',
    attack: ['build-sftp', 'build-scp'],
    swap: true,
  },
  {
    title: 'verify: JAIL/.jailtrace-verify-*/{sftp-remote,scp-work} removed while dirs turn into links to OUTSIDE',
    command: 'verify',
    attack: ['verify'],
    swap: true,
  },
];

describe.skipIf(!isRoot)('adversary: removing scratch trees (issue 20, repro 2; needs root: setpriv, chown, chroot)', () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await makeArena('rm');
  });
  afterAll(() => arena?.done());
  afterEach(() => arena.resetTmp());

  test.each(rows.map((r, i) => ({ ...r, tag: `rm${i}` })))('$title', async (row) => {
    const r = await attackUntil(arena, row, (p) => p.some((l) => l.startsWith('swap-tree')));
    expect(r.planted.filter((l) => l.startsWith('swap-tree')).length, `no swap tree was made: this run proves nothing (${summary(r.planted)})`).toBeGreaterThan(
      0,
    );
    expect.soft(r.changes, summary(r.planted)).toEqual([]);
    expect.soft(r.secrets).toEqual([]);
    expect.soft(r.run.killedBy, r.run.all).toBeUndefined();
    expect.soft(r.run.code, `an internal error is not a clear failure: ${r.run.all}`).not.toBe(70);
  });
});
