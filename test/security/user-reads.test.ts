/**
 * Issue 20, reproduction 5: root reads what the user uploaded (the scp profile compares `up/upload.bin` and the
 * `up-r/tree` files with what it sent). The attacker swaps a finished upload for a FIFO (an open that never returns)
 * or a symlink to /dev/zero (a read that never ends). The run must still end by itself (a bound, not a timing
 * assertion: the guard kills it after 30 s and says so), its memory must stay bounded (the guard kills it at 512 MiB
 * resident), and SIGINT must end a stuck run within seconds.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isRoot } from '../hardening/helpers.js';
import { plantsFor, startAttacker, type When } from './attacker.js';
import { ATTACKER, makeArena, outsideChanges, summary, type Arena } from './arena.js';
import { guardedRun } from './guarded-run.js';
import { attackUntil, type Scenario } from './scenario.js';

const UPLOADS = ['upload.bin', 'a.bin', 'b.txt'];

const rows: Array<Omit<Scenario, 'tag'> & { title: string }> = [
  {
    title: 'build: a FIFO in place of the scp upload does not hang the run',
    command: 'build',
    attack: ['build-scp'],
    plants: plantsFor('fifo', 'post', UPLOADS),
    timeoutMs: 30_000,
  },
  {
    title: 'verify: a FIFO in place of the scp upload does not hang the run',
    command: 'verify',
    attack: ['verify'],
    plants: plantsFor('fifo', 'post', UPLOADS),
    timeoutMs: 30_000,
  },
  {
    title: 'build: the scp upload -> /dev/zero does not eat memory',
    command: 'build',
    attack: ['build-scp'],
    plants: plantsFor('zero', 'post', UPLOADS),
    timeoutMs: 30_000,
    rssCapMiB: 512,
  },
  {
    title: 'verify: the scp upload -> /dev/zero does not eat memory',
    command: 'verify',
    attack: ['verify'],
    plants: plantsFor('zero', 'post', UPLOADS),
    timeoutMs: 30_000,
    rssCapMiB: 512,
  },
];

describe.skipIf(!isRoot)("adversary: root reading the user's uploads (issue 20, repro 5; needs root: setpriv, chown, chroot)", () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await makeArena('rd');
  });
  afterAll(() => arena?.done());
  afterEach(() => arena.resetTmp());

  test.each(rows.map((r, i) => ({ ...r, tag: `rd${i}` })))('$title', async (row) => {
    const r = await attackUntil(arena, row, (p) => p.some((l) => l.startsWith('post-')));
    expect(r.planted.filter((l) => l.startsWith('post-')).length, `no upload was replaced: this run proves nothing (${summary(r.planted)})`).toBeGreaterThan(0);
    expect.soft(r.run.killedBy, `${summary(r.planted)}; max RSS ${r.run.maxRssMiB} MiB; ${r.run.all}`).toBeUndefined();
    expect.soft(r.changes).toEqual([]);
    expect.soft(r.run.code, `an internal error is not a clear failure: ${r.run.all}`).not.toBe(70);
  });

  const stuck: Array<{ title: string; when: When; waitFor: RegExp }> = [
    { title: "in root's read of the upload (a FIFO swapped in after it arrived)", when: 'post', waitFor: /^post-fifo .*\/up\/upload\.bin$/ },
    // before the upload (the user's own scp blocks opening it) or, if it lost that race, after
    { title: "in the workload or in root's read (a FIFO in place of the upload, before or after)", when: 'any', waitFor: /fifo .*\/up\/upload\.bin$/ },
  ];
  test.each(stuck.map((s, i) => ({ ...s, i })))('SIGINT ends a run stuck $title within 5 s', async ({ when, waitFor, i }) => {
    const o = await arena.outside(`sigint${i}`);
    const attacker = await startAttacker(arena.bin, {
      ...arena.user,
      watch: [{ parent: arena.tmp, prefix: 'jailtrace-scp-' }],
      plants: plantsFor('fifo', when, ['upload.bin']),
      outsideDir: o.dir,
      outsideFile: o.file,
      ms: 20_000,
    });
    const g = guardedRun(
      [
        'build',
        path.join(arena.base, `jail-sigint${i}`),
        '--profile',
        'scp',
        '--user',
        ATTACKER,
        '--output-dir',
        path.join(arena.base, `traces-sigint${i}`),
        '-q',
      ],
      { tmp: arena.tmp, timeoutMs: 40_000 },
    );
    try {
      await attacker.waitFor(waitFor, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // let it get stuck (a run that is not, ends: fine too)
      g.signal('SIGINT');
      const ended = await g.endsWithin(5000);
      if (!ended) g.kill();
      const r = await g.result;
      expect(ended, `still running 5 s after SIGINT: ${r.all}`).toBe(true);
    } finally {
      await attacker.stop();
      await g.result;
    }
    expect(await outsideChanges(o)).toEqual([]);
  });
});
