/**
 * `check` and `sync` on a jail whose user is at work: the attacker, as the jailed user, keeps planting in its home
 * (symlinks to OUTSIDE and to /dev/zero named like the jail's files, FIFOs, directories that turn into links to
 * OUTSIDE when opened) while root checks the jail and syncs a missing and a tampered copy back. Nothing outside may
 * change, no secret may enter the jail, and neither run may hang.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot } from '../hardening/helpers.js';
import { plantsFor, startAttacker } from './attacker.js';
import { ATTACKER, makeArena, outsideChanges, secretsIn, summary, type Arena } from './arena.js';
import { guarded, type GuardedRun } from './guarded-run.js';

/** Names a root walk of the jail might meet or make. */
const NAMES = {
  dir: ['usr', 'etc', 'lib', 'lib64', 'bin', 'dev', '.jailtrace', '.ssh', 'newdir'],
  file: ['passwd', 'group', 'sftp-server', 'scp', 'manifest.json', '.profile'],
  zero: ['libc.so.6', 'upload.bin'],
  fifo: ['ld-linux-x86-64.so.2', 'existing.bin'],
} as const;

describe.skipIf(!isRoot)('adversary: check and sync while the jailed user plants in its home (needs root: setpriv)', () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await makeArena('cs');
  });
  afterAll(() => arena?.done());

  test('check, sync, check: nothing outside changes, no secret enters, every run ends', async () => {
    const o = await arena.outside('cs');
    const jail = await arena.jail('cs');
    // work for sync: a missing copy and a tampered one
    await rm(path.join(jail, 'usr/lib/openssh/sftp-server'));
    const scp = path.join(jail, 'usr/bin/scp');
    await writeFile(scp, Buffer.concat([await readFile(scp), Buffer.from('tampered')]));
    const plants = (Object.entries(NAMES) as Array<[keyof typeof NAMES, readonly string[]]>).flatMap(([what, names]) => plantsFor(what, 'pre', [...names]));
    const attacker = await startAttacker(arena.bin, {
      ...arena.user,
      watch: [{ parent: path.join(jail, 'home'), prefix: ATTACKER }],
      plants,
      swap: true,
      outsideDir: o.dir,
      outsideFile: o.file,
      ms: 20_000,
    });
    const runs: Array<[string, GuardedRun]> = [];
    for (const cmd of ['check', 'sync', 'check']) runs.push([cmd, await guarded([cmd, jail], { tmp: arena.tmp, timeoutMs: 30_000 })]);
    const planted = await attacker.stop();

    expect(planted.length, 'the attacker planted nothing: this run proves nothing').toBeGreaterThan(0);
    expect.soft(await outsideChanges(o), summary(planted)).toEqual([]);
    expect.soft(await secretsIn(jail, o.secrets)).toEqual([]);
    for (const [cmd, r] of runs) {
      expect.soft(r.killedBy, `${cmd}: ${r.all}`).toBeUndefined();
      expect.soft(r.code, `${cmd}: an internal error is not a clear failure: ${r.all}`).not.toBe(70);
    }
    // sync did its job in spite of the attacker
    const [synced, host] = await Promise.all([
      readFile(path.join(jail, 'usr/lib/openssh/sftp-server')).catch(() => Buffer.alloc(0)),
      readFile('/usr/lib/openssh/sftp-server'),
    ]);
    expect.soft(synced.equals(host), `sync did not put sftp-server back: ${runs[1][1].all}`).toBe(true);
  });
});
