/**
 * `jailtrace verify` for real (root): break a good jail one way at a time, and all ways together, check that verify
 * names each missing piece and exits 1, and that `verify --fix` brings the jail back to passing real sftp and scp
 * sessions. The jail is built with an sftp-server wrapper script (so the shell it runs matters) and, in a private
 * mount namespace, an nsswitch.conf that needs libnss_compat (a module ldd never shows).
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot, scpRoundTrip, sftpSession } from '../build/session.js';
import { CLI } from '../support/cli.js';

const USER = 'jt-verify-test';
const WRAPPER = '/usr/local/libexec/jt-sftp-wrapper';

interface Report {
  ok: boolean;
  rounds: Array<{ missing: Array<{ path: string; kind: string }>; symptoms: Array<{ cause: string }>; fixed?: { copied: string[] } }>;
}

const verify = async (jail: string, out: string, extra: string[] = []): Promise<{ code: number; report: Report }> => {
  const r = await execa('node', [CLI, 'verify', jail, '--json', '--output-dir', out, ...extra], { reject: false });
  if (!r.stdout.startsWith('{')) throw new Error(`verify printed no JSON (exit ${r.exitCode}): ${r.stderr}`);
  return { code: r.exitCode ?? -1, report: JSON.parse(r.stdout) as Report };
};

describe.skipIf(!isRoot)('verify (needs root: chroot, unshare, mknod, useradd)', () => {
  let base: string;
  let good: string;
  let user: { uid: number; gid: number; home: string };

  beforeAll(async () => {
    user = await ensureUser(USER);
    await mkdir(path.dirname(WRAPPER), { recursive: true });
    await writeFile(WRAPPER, '#!/bin/sh\nexec /usr/lib/openssh/sftp-server "$@"\n');
    await chmod(WRAPPER, 0o755);
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jailtrace-verify-');
    good = path.join(base, 'good');
    const conf = path.join(base, 'nsswitch.conf');
    await writeFile(conf, 'passwd: compat\ngroup: compat\nhosts: files\n');
    await execa('unshare', [
      '--mount',
      'sh',
      '-c',
      `mount --bind ${conf} /etc/nsswitch.conf && node ${CLI} build ${good} --profile sftp --profile scp --sftp-server ${WRAPPER} --user ${USER} --output-dir ${base}/traces -q`,
    ]);
  });

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('the good jail passes (exit 0, nothing missing)', async () => {
    const { code, report } = await verify(good, base, ['--sftp-server', WRAPPER]);
    expect(report.rounds[0].missing).toEqual([]);
    expect(code).toBe(0);
  });

  const LIB = 'usr/lib/x86_64-linux-gnu';
  const cases: Array<{ name: string; breakIt: (j: string) => Promise<void>; names: RegExp[] }> = [
    { name: 'the NSS module nsswitch.conf needs', breakIt: (j) => rm(path.join(j, LIB, 'libnss_compat.so.2')), names: [/libnss_compat\.so\.2$/] },
    { name: 'nsswitch.conf', breakIt: (j) => rm(path.join(j, 'etc/nsswitch.conf')), names: [/^\/etc\/nsswitch\.conf$/] },
    { name: 'the ELF loader', breakIt: (j) => rm(path.join(j, LIB, 'ld-linux-x86-64.so.2')), names: [/ld-linux-x86-64\.so\.2$/] },
    { name: 'a library (libc)', breakIt: (j) => rm(path.join(j, LIB, 'libc.so.6')), names: [/libc\.so\.6$/] },
    { name: '/dev/null', breakIt: (j) => rm(path.join(j, 'dev/null')), names: [/^\/dev\/null$/] },
    { name: 'the shell the wrapper script runs', breakIt: (j) => rm(path.join(j, 'usr/bin/dash')), names: [/^\/(usr\/)?bin\/(sh|dash)$/] },
    {
      name: "the user's passwd line",
      breakIt: async (j) => {
        const f = path.join(j, 'etc/passwd');
        await writeFile(
          f,
          (await readFile(f, 'utf8'))
            .split('\n')
            .filter((l) => !l.startsWith(`${USER}:`))
            .join('\n'),
        );
      },
      names: [],
    },
  ];

  test.each(cases)('missing $name: verify names it and exits 1; --fix brings back real sessions', async ({ name, breakIt, names }) => {
    const jail = path.join(base, name.replace(/\W+/g, '-'));
    await execa('cp', ['-a', good, jail]);
    await breakIt(jail);
    const before = await verify(jail, base, ['--sftp-server', WRAPPER]);
    expect(before.code).toBe(1);
    const paths = before.report.rounds[0].missing.map((m) => m.path);
    for (const re of names)
      expect(
        paths.some((p) => re.test(p)),
        `${paths.join(', ')} should name ${re}`,
      ).toBe(true);
    if (names.length === 0) expect(before.report.rounds[0].symptoms.map((s) => s.cause).join(' ')).toMatch(/passwd/);
    const fixed = await verify(jail, base, ['--sftp-server', WRAPPER, '--fix']);
    expect(fixed.code).toBe(0);
    const s = await sftpSession(jail, USER, user.home);
    expect(s.output).toContain(`${USER} ${USER}`);
    expect(s.bytesIntact).toBe(true);
    const data = Buffer.from('scp after fix \0\n');
    expect((await scpRoundTrip(jail, USER, user.home, data)).back?.equals(data)).toBe(true);
  });

  test('everything broken at once: fixed in rounds', async () => {
    const jail = path.join(base, 'all-broken');
    await execa('cp', ['-a', good, jail]);
    for (const c of cases) await c.breakIt(jail);
    const fixed = await verify(jail, base, ['--sftp-server', WRAPPER, '--fix']);
    expect(fixed.report.rounds.length).toBeGreaterThan(1);
    expect(fixed.code).toBe(0);
    expect((await sftpSession(jail, USER, user.home)).bytesIntact).toBe(true);
  });

  test('a jail built from ldd output alone is brought to passing by verify --fix', async () => {
    const jail = path.join(base, 'ldd-only');
    await mkdir(jail);
    for (const bin of ['/usr/lib/openssh/sftp-server', '/usr/bin/scp']) {
      const libs = [...(await execa('ldd', [bin])).stdout.matchAll(/(\/[^\s]+)/g)].map((m) => m[1]);
      for (const f of [bin, ...libs]) await execa('cp', ['--parents', '-L', f, jail]);
    }
    await mkdir(path.join(jail, user.home), { recursive: true });
    await execa('chown', [`${user.uid}:${user.gid}`, path.join(jail, user.home)]);
    expect((await sftpSession(jail, USER, user.home)).ok).toBe(false);
    const fixed = await verify(jail, base, ['--profile', 'sftp', '--profile', 'scp', '--user', USER, '--fix']);
    // the servers run as sshd runs them, through the user's login shell: the shell is missing first, then what the
    // servers need (the rounds stop at the first missing link of the chain)
    const copied = fixed.report.rounds.flatMap((r) => r.fixed?.copied ?? []);
    expect(copied).toEqual(expect.arrayContaining(['/usr/bin/dash', '/dev/null', '/etc/passwd']));
    expect(fixed.code).toBe(0);
    const s = await sftpSession(jail, USER, user.home);
    expect(s.output).toContain(`${USER} ${USER}`);
    expect(s.bytesIntact).toBe(true);
  });
});
