/**
 * Issue 17: one writer per jail at a time (src/jail/lock.ts). Six writers started at once on one jail with
 * `--wait 120` all succeed, one after the other, and the jail they leave checks clean and serves a real user through
 * sshd. Without --wait the losers exit 6 (BUSY) naming the holder. A holder SIGKILLed with the lock does not block the
 * next writer: the kernel drops the lock with its process.
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI } from '../hardening/helpers.js';
import { explainSteps, isRoot, missingTools, startSshd, type Sshd, type User } from '../support/sshd.js';

const NAME = 'jt-lockuser';

describe.skipIf(!isRoot)('one writer per jail (needs root: users, sshd, strace, chroot)', () => {
  let base: string;
  let jail: string;
  let sshd: Sshd | undefined;
  let user: User;
  const jt = (args: string[], o: { timeout?: number } = {}) =>
    execa('node', [CLI, ...args], { reject: false, all: true, stdin: 'ignore', timeout: o.timeout ?? 180_000 });
  // --force: every build traces and holds the lock while it does (an unchanged rebuild would be done at once, issue 14)
  const builder = () => [
    'build',
    jail,
    '--profile',
    'sftp',
    '--profile',
    'scp',
    '--user',
    NAME,
    '--fix-perms',
    '--output-dir',
    path.join(base, 'traces'),
    '-q',
    '--force',
  ];

  beforeAll(async () => {
    const missing = await missingTools();
    if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
    base = await mkdtemp('/srv/jt-lock-');
    jail = path.join(base, 'jail');
    sshd = await startSshd({ extra: `Match User ${NAME}\n    ChrootDirectory ${jail}\n` });
    user = await sshd.addUser(NAME, { shell: '/bin/sh', home: `/home/${NAME}`, createHome: true });
    const first = await jt(builder());
    expect(first.exitCode, first.all).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await sshd?.stop();
    await rm(base, { recursive: true, force: true });
  });

  test('six writers at once with --wait 120 (two builds, two syncs, two verify --fix): all exit 0, check is clean, sftp and scp work through sshd', {
    timeout: 300_000,
  }, async () => {
    const wait = ['--wait', '120'];
    const runs = await Promise.all([
      jt([...builder(), ...wait]),
      jt([...builder(), ...wait]),
      jt(['sync', jail, ...wait, '-q']),
      jt(['sync', jail, ...wait, '-q']),
      jt(['verify', jail, '--fix', '--user', NAME, '--output-dir', path.join(base, 'traces'), ...wait]),
      jt(['verify', jail, '--fix', '--user', NAME, '--output-dir', path.join(base, 'traces'), ...wait]),
    ]);
    for (const r of runs) expect(r.exitCode, `${r.command}\n${r.all}`).toBe(0);
    const check = await jt(['check', jail]);
    expect(check.exitCode, check.all).toBe(0);
    const steps = await sshd!.roundTrip(user);
    expect(
      steps.every((s) => s.ok),
      explainSteps(sshd!, steps),
    ).toBe(true);
  });

  test('without --wait, a second writer exits 6 at once and names the holder', { timeout: 120_000 }, async () => {
    // the holder waits if one of our probes holds the lock for a moment; the probes themselves never wait
    const holder = execa('node', [CLI, ...builder(), '--wait', '60'], { reject: false, all: true, stdin: 'ignore' });
    // probe until the build holds the lock
    let busy;
    for (let i = 0; i < 200; i++) {
      busy = await jt(['sync', jail, '-q']);
      if (busy.exitCode === 6) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const first = await holder;
    expect(first.exitCode, first.all).toBe(0);
    expect(busy!.exitCode, busy!.all).toBe(6);
    expect(busy!.all).toMatch(new RegExp(`locked by pid ${holder.pid} \\(build ${jail.replace(/[/.]/g, '\\$&')} .*--wait 60\\)`));
    expect(busy!.all).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(busy!.all).toMatch(/--wait SECONDS/);
  });

  test('a writer SIGKILLed while holding the lock does not block the next one', { timeout: 120_000 }, async () => {
    const holder = execa('node', [CLI, ...builder(), '--wait', '60'], { reject: false, stdin: 'ignore' });
    // kill it once it holds the lock (a check is refused with 6 meanwhile)
    for (let i = 0; i < 200; i++) {
      if ((await jt(['check', jail])).exitCode === 6) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    holder.kill('SIGKILL');
    await holder;
    const next = await jt(builder(), { timeout: 60_000 });
    expect(next.exitCode, next.all).toBe(0);
    const check = await jt(['check', jail]);
    expect(check.exitCode, check.all).toBe(0);
  });
});
