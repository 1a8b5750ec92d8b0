/**
 * Issue 20, reproduction 1: the sftp and scp profiles make their workspace, and root then creates, chowns and writes
 * inside it. The attacker, as the user the workload runs as, plants symlinks named like what root is about to make
 * (`remote`, `existing.bin`, `up`, `down`, `download.bin`, `sftp-remote`, `scp-work`, ...) pointing at OUTSIDE:
 * - on the host, in the profiles' scratch dirs (`$TMPDIR/jailtrace-sftp-*`, `$TMPDIR/jailtrace-scp-*`) during build;
 * - in the jail root's `.jailtrace-verify-*` during verify and verify --fix (what the jailed user can do with sftp).
 * Nothing outside may change and no secret may enter the jail. The exit status is not asserted (the attack may make
 * the workload fail), only that the run ends by itself without an internal error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isRoot } from '../hardening/helpers.js';
import { plantsFor } from './attacker.js';
import { makeArena, summary, type Arena } from './arena.js';
import { attackUntil, type Scenario } from './scenario.js';

const SCP_DIRS = ['up', 'up-r', 'down'];
const VERIFY_DIRS = ['sftp-remote', 'scp-work'];

const rows: Array<Omit<Scenario, 'tag'> & { title: string }> = [
  {
    title: 'build: $TMPDIR/jailtrace-sftp-*/remote -> OUTSIDE (mkdir -p, chown and writeFile through it)',
    command: 'build',
    attack: ['build-sftp'],
    plants: plantsFor('dir', 'pre', ['remote', 'newdir']),
  },
  {
    title: 'build: remote/existing.bin -> OUTSIDE/target (writeFile + chown through it)',
    command: 'build',
    attack: ['build-sftp'],
    // remote -> a trap dir where existing.bin already points out, or existing.bin planted once remote is handed over
    plants: [...plantsFor('trap', 'pre', ['remote']), ...plantsFor('file', 'pre', ['existing.bin'])],
  },
  { title: 'build: $TMPDIR/jailtrace-scp-*/{up,up-r,down} -> OUTSIDE', command: 'build', attack: ['build-scp'], plants: plantsFor('dir', 'pre', SCP_DIRS) },
  {
    title: 'build: down/download.bin -> OUTSIDE/target',
    command: 'build',
    attack: ['build-scp'],
    plants: [...plantsFor('trap', 'pre', ['down']), ...plantsFor('file', 'pre', ['download.bin'])],
  },
  {
    title: 'verify: JAIL/.jailtrace-verify-*/{sftp-remote,scp-work} -> OUTSIDE',
    command: 'verify',
    attack: ['verify'],
    plants: plantsFor('dir', 'pre', [...VERIFY_DIRS, ...SCP_DIRS]),
  },
  {
    title: 'verify: existing.bin, download.bin -> OUTSIDE/target',
    command: 'verify',
    attack: ['verify'],
    plants: plantsFor('file', 'pre', ['existing.bin', 'download.bin']),
  },
  {
    title: 'verify --fix (two rounds, two workspaces): every name -> OUTSIDE',
    command: 'verify',
    args: ['--fix', '--rounds', '2'],
    attack: ['verify'],
    plants: [...plantsFor('dir', 'pre', [...VERIFY_DIRS, ...SCP_DIRS, 'remote', 'newdir']), ...plantsFor('file', 'pre', ['existing.bin', 'download.bin'])],
    breakJail: true,
  },
];

describe.skipIf(!isRoot)("adversary: the profiles' workspace (issue 20, repro 1; needs root: setpriv, chown, chroot)", () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await makeArena('ws');
  });
  afterAll(() => arena?.done());
  afterEach(() => arena.resetTmp());

  test.each(rows.map((r, i) => ({ ...r, tag: `ws${i}` })))('$title', async (row) => {
    const r = await attackUntil(arena, row, (p) => p.length > 0);
    expect(r.planted.length, 'the attacker planted nothing: this run proves nothing').toBeGreaterThan(0);
    expect.soft(r.changes, summary(r.planted)).toEqual([]);
    expect.soft(r.secrets).toEqual([]);
    expect.soft(r.run.killedBy, r.run.all).toBeUndefined();
    expect.soft(r.run.code, `an internal error is not a clear failure: ${r.run.all}`).not.toBe(70);
  });
});
