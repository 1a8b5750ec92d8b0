/**
 * The cron command of issue 6, for real (root): store a baseline from a profile run, compare a fresh run with it
 * (equal: exit 0), and a run on a host whose nsswitch.conf loads another NSS module (a difference: exit 1, the module
 * added). The changed nsswitch.conf lives in a private mount namespace: the host's stays as it is.
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot } from '../build/session.js';
import { CLI } from '../support/cli.js';

const USER = 'jt-diff-test';

describe.skipIf(!isRoot)('diff --baseline --profile (needs root: strace -u, useradd, unshare)', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureUser(USER);
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-baseline-'));
    await execa('node', [
      CLI,
      'capture',
      '--profile',
      'sftp',
      '--user',
      USER,
      '--baseline',
      'sftp',
      '--baselines',
      dir,
      '--output-dir',
      path.join(dir, 'traces'),
      '-q',
    ]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a fresh run of the same workload equals its baseline (exit 0)', async () => {
    const r = await execa('node', [CLI, 'diff', '--baseline', 'sftp', '--baselines', dir, '--profile', 'sftp', '--user', USER, '-q'], { reject: false });
    expect(r.stdout).toContain('no difference');
    expect(r.exitCode).toBe(0);
  });

  test('nsswitch.conf loading another module shows the module added (exit 1)', async () => {
    const conf = path.join(dir, 'nsswitch.conf');
    await writeFile(conf, 'passwd: compat\ngroup: compat\nhosts: files\n');
    const r = await execa(
      'unshare',
      [
        '--mount',
        'sh',
        '-c',
        `mount --bind ${conf} /etc/nsswitch.conf && node ${CLI} diff --json --baseline sftp --baselines ${dir} --profile sftp --user ${USER} -q`,
      ],
      { reject: false },
    );
    expect(r.exitCode).toBe(1);
    const d = JSON.parse(r.stdout) as { diff: { added: Array<{ path: string; role: string }>; changed: Array<{ path: string }> } };
    expect(d.diff.added.map((a) => a.path)).toEqual(expect.arrayContaining([expect.stringMatching(/libnss_compat\.so\.2$/)]));
    expect(d.diff.added.find((a) => /libnss_compat/.test(a.path))?.role).toBe('nss-module');
  });
});
