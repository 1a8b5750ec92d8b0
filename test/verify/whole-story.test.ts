/**
 * verify tells the whole story in one run, and --fix adds only what the workload needs:
 * - round 1 names every file the jail's record lists and the jail lacks, beside what the run tripped over (remove the
 *   loader and /dev/null together: both are named in round 1, though no program gets as far as opening /dev/null);
 * - --fix puts back exactly those and passes in 2 rounds;
 * - a program that logs its failure with syslog(LOG_CONS) (as rssh_chroot_helper does) opens /dev/console when the
 *   jail has no /dev/log: that is a fallback, never added (it used to be made as a device node, and the next rounds
 *   looped on EACCES); nor is what it reads on its way out after a failed exec (/etc/localtime for syslog's stamp);
 * - the verify harness makes no user lookups inside the jail (coreutils chroot gets numeric ids): nothing is added
 *   for the harness's sake;
 * - a round that makes no progress stops, with what was still missing and why it could not be fixed.
 */
import { execa } from 'execa';
import { access, chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot, sftpSession } from '../build/session.js';
import { CLI } from '../support/cli.js';

const USER = 'buildverify-ws';
const LIB = 'usr/lib/x86_64-linux-gnu';
const LOADER = '/lib64/ld-linux-x86-64.so.2';

interface Round {
  round: number;
  missing: Array<{ path: string; kind: string }>;
  notNeeded?: Array<{ path: string; why: string }>;
  stopped?: { why: string; unfixed: Array<{ path: string; why: string }> };
  fixed?: { copied: string[] };
}
interface Report {
  ok: boolean;
  rounds: Round[];
}

const verify = async (jail: string, out: string, extra: string[] = []): Promise<{ code: number; report: Report; text: string }> => {
  const r = await execa('node', [CLI, 'verify', jail, '--json', '--output-dir', out, ...extra], { reject: false });
  if (!r.stdout.startsWith('{')) throw new Error(`verify printed no JSON (exit ${r.exitCode}): ${r.stderr}`);
  return { code: r.exitCode ?? -1, report: JSON.parse(r.stdout) as Report, text: r.stderr };
};

/** A static program that execs its arguments and, when that fails, logs it with syslog(LOG_CONS), as rssh does. */
const EXECLOG_C = `#include <syslog.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  execv(argv[1], argv + 1);
  int e = errno;
  openlog("buildverify-execlog", LOG_CONS | LOG_PID, LOG_USER);
  syslog(LOG_ERR, "cannot exec %s: %s", argv[1], strerror(e));
  fprintf(stderr, "cannot exec %s: %s\\n", argv[1], strerror(e));
  return 1;
}
`;

const real = (p: string): Promise<string> => realpath(p).catch(() => p);

describe.skipIf(!isRoot)('verify: the whole story in one run (needs root: chroot, mknod, useradd)', () => {
  let base: string;
  let good: string;
  let user: { uid: number; gid: number; home: string };

  beforeAll(async () => {
    user = await ensureUser(USER);
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/buildverify-verify-');
    await chmod(base, 0o755);
    good = path.join(base, 'good');
    const b = await execa('node', [CLI, 'build', good, '--profile', 'sftp', '--profile', 'scp', '--user', USER, '--output-dir', base, '-q'], { reject: false });
    if (b.exitCode !== 0) throw new Error(`build failed (${b.exitCode}): ${b.stderr}`);
  });

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  const broken = async (name: string): Promise<string> => {
    const jail = path.join(base, name);
    await execa('cp', ['-a', good, jail]);
    await rm(path.join(jail, LIB, 'ld-linux-x86-64.so.2'));
    await rm(path.join(jail, 'dev/null'));
    return jail;
  };

  test('loader and /dev/null removed together: round 1 names both (exit 1)', async () => {
    const jail = await broken('both-named');
    const { code, report } = await verify(jail, base);
    expect(code).toBe(1);
    expect(report.rounds).toHaveLength(1);
    const missing = report.rounds[0].missing;
    const reals = await Promise.all(missing.map((m) => real(m.path)));
    expect(reals, missing.map((m) => m.path).join(', ')).toContain(await real(LOADER));
    expect(missing.map((m) => m.path)).toContain('/dev/null');
    // one file, one line: the loader is not named again by its other spelling
    expect(reals.filter((p) => p === reals[missing.findIndex((m) => m.path !== '/dev/null')]).length).toBe(1);
  });

  test('--fix adds exactly those two (no /dev/console) and passes in 2 rounds; a real sftp session works', async () => {
    const jail = await broken('fix-exact');
    const { code, report } = await verify(jail, base, ['--fix']);
    expect(code).toBe(0);
    expect(report.rounds.length).toBeLessThanOrEqual(2);
    const copied = report.rounds.flatMap((r) => r.fixed?.copied ?? []);
    expect(new Set(await Promise.all(copied.map(real)))).toEqual(new Set([await real(LOADER), '/dev/null']));
    await expect(access(path.join(jail, 'dev/console'))).rejects.toThrow();
    const s = await sftpSession(jail, USER, user.home);
    expect(s.bytesIntact).toBe(true);
  });

  describe('a program that logs its failure to syslog with LOG_CONS', () => {
    let helper: string;
    let logJail: string;
    const cmd = () => [helper, '/bin/sh', '-c', 'echo quiet > /dev/null'];

    beforeAll(async () => {
      helper = path.join(base, 'execlog');
      await writeFile(`${helper}.c`, EXECLOG_C);
      await execa('gcc', ['-static', '-O2', '-o', helper, `${helper}.c`]);
      logJail = path.join(base, 'log-good');
      const b = await execa('node', [CLI, 'build', logJail, '--user', USER, '--output-dir', base, '-q', '--', ...cmd()], { reject: false });
      if (b.exitCode !== 0) throw new Error(`build failed (${b.exitCode}): ${b.stderr}`);
    });

    test('with the loader and /dev/null gone, /dev/console is reported as not needed and never added; 2 rounds', async () => {
      const jail = path.join(base, 'log-broken');
      await execa('cp', ['-a', logJail, jail]);
      await rm(path.join(jail, LIB, 'ld-linux-x86-64.so.2'));
      await rm(path.join(jail, 'dev/null'));
      const { code, report } = await verify(jail, base, ['--user', USER, '--fix', '--', ...cmd()]);
      const r1 = report.rounds[0];
      const notNeeded = r1.notNeeded ?? [];
      expect(notNeeded.find((x) => x.path === '/dev/console')?.why).toMatch(/LOG_CONS/);
      // what the helper touched on its way out (syslog's time stamp: /etc/localtime) is not a need either
      for (const x of notNeeded.filter((x) => x.path !== '/dev/console')) expect(x.why, x.path).toMatch(/only after the exec of \/bin\/sh failed/);
      expect(r1.missing.map((m) => m.path)).toContain('/dev/null');
      const copied = report.rounds.flatMap((r) => r.fixed?.copied ?? []);
      expect(copied).not.toContain('/dev/console');
      expect(new Set(await Promise.all(copied.map(real)))).toEqual(new Set([await real(LOADER), '/dev/null']));
      expect(report.rounds.length).toBeLessThanOrEqual(2);
      expect(code).toBe(0);
      await expect(access(path.join(jail, 'dev/console'))).rejects.toThrow();
    });

    test('a round that makes no progress stops at once, naming what is still missing and why', async () => {
      const jail = path.join(base, 'no-progress');
      await execa('cp', ['-a', logJail, jail]);
      // the workload needs a secret the rules keep out of every jail: copying cannot fix it
      const r = await execa(
        'node',
        [CLI, 'verify', jail, '--user', USER, '--fix', '--output-dir', base, '--', helper, '/bin/sh', '-c', 'read x < /etc/shadow'],
        { reject: false },
      );
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/^round 1: /m);
      expect(r.stdout).not.toMatch(/^round 2: /m);
      expect(r.stdout).toMatch(/stopped: round 1 put nothing back, so another round would fail the same way\. Still missing:/);
      expect(r.stdout).toMatch(/^ {4}\/etc\/shadow: the rules keep it out of a jail: secret/m);
      await expect(access(path.join(jail, 'etc/shadow'))).rejects.toThrow();
    });
  });
});
