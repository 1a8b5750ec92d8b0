/**
 * A failed workload is a failed build: `build` exits 5 (EXIT.PROGRAM), names the failed step with its last output
 * (text on stderr, `failedSteps` in --json), and still leaves a consistent jail (what was traced plus the record:
 * `check` finds it clean), so a rerun with the cause fixed goes on from it. The same for a jail built from a config.
 */
import { execa } from 'execa';
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failedSteps } from '../../src/app/failed-steps.js';
import { buildExit, worstExit } from '../../src/cli/failed-steps.js';
import type { BuildReport } from '../../src/app/build.js';
import type { Workload } from '../../src/workload.js';
import { EXIT } from '../../src/errors.js';
import { ensureUser, isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const USER = 'buildverify-fw';

const jt = async (args: string[]) => {
  const r = await execa('node', [CLI, ...args], { reject: false });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
};

const workload = (steps: Workload['steps']): Workload => ({ kind: 'command', name: 'cmd', traces: [], cwd: '/', excludes: [], steps });

describe('failed steps (pure)', () => {
  test('a failed step keeps its last 5 lines of stderr, or of stdout when stderr is empty', () => {
    const err = Array.from({ length: 8 }, (_, i) => `e${i}`).join('\n') + '\n';
    const f = failedSteps([
      workload([
        { description: 'a', ok: true },
        { description: 'b', ok: false, exitCode: 3, stderr: err },
        { description: 'c', ok: false, stdout: 'only out\n' },
      ]),
    ]);
    expect(f.map((x) => x.step)).toEqual(['b', 'c']);
    expect(f[0].lastLines).toEqual(['e3', 'e4', 'e5', 'e6', 'e7']);
    expect(f[0].exitCode).toBe(3);
    expect(f[1].lastLines).toEqual(['only out']);
  });

  const report = (steps: Workload['steps'], failed = 0): BuildReport =>
    ({ workloads: [workload(steps)], apply: { counts: { failed, refused: 0 } } }) as unknown as BuildReport;

  test.each([
    { name: 'all steps ok', steps: [{ description: 'a', ok: true }], failed: 0, code: EXIT.OK },
    { name: 'a step failed', steps: [{ description: 'a', ok: false }], failed: 0, code: EXIT.PROGRAM },
    { name: 'the jail could not be written, and a step failed', steps: [{ description: 'a', ok: false }], failed: 1, code: EXIT.APPLY },
  ])('exit code: $name → $code', ({ steps, failed, code }) => {
    expect(buildExit(report(steps, failed))).toBe(code);
  });

  test('many jails: the worst code wins (3 before 5 before 0)', () => {
    expect(worstExit([EXIT.OK, EXIT.PROGRAM, EXIT.OK])).toBe(EXIT.PROGRAM);
    expect(worstExit([EXIT.PROGRAM, EXIT.APPLY])).toBe(EXIT.APPLY);
    expect(worstExit([])).toBe(EXIT.OK);
  });
});

describe.skipIf(!isRoot)('build with a failing workload (needs root: jails under /srv, useradd)', () => {
  let base: string;
  let broken: string;

  beforeAll(async () => {
    await ensureUser(USER);
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/buildverify-failed-');
    await chmod(base, 0o755);
    // a "server" that says why it fails and exits 7: a profile whose server is broken
    broken = path.join(base, 'broken-sftp-server');
    await writeFile(broken, '#!/bin/sh\necho "buildverify: the server is broken" >&2\nexit 7\n');
    await chmod(broken, 0o755);
  });

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test("build JAIL -- sh -c '... exit 3': exit 5, the step and its last words named, the jail and record consistent", async () => {
    const jail = path.join(base, 'cmd');
    const r = await jt(['build', jail, '--output-dir', base, '--', 'sh', '-c', 'echo first words; echo last words >&2; exit 3']);
    expect(r.code).toBe(EXIT.PROGRAM);
    expect(r.stderr).toMatch(/build FAILED: 1 of 1 workload steps failed/);
    expect(r.stderr).toMatch(/step failed: sh -c echo first words; echo last words >&2; exit 3 \(exit 3\)/);
    expect(r.stderr).toContain('| last words');
    // consistent: what was traced is there, with its record, and check finds nothing wrong
    await access(path.join(jail, '.jailtrace/manifest.json'));
    const sh = await execa('readlink', ['-f', '/bin/sh']);
    await access(path.join(jail, sh.stdout.trim()));
    const c = await jt(['check', jail]);
    expect(c.stdout + c.stderr).toMatch(/clean/);
    expect(c.code).toBe(EXIT.OK);
  });

  test('--json carries the failed steps', async () => {
    const jail = path.join(base, 'json');
    const r = await jt(['build', jail, '--output-dir', base, '--json', '--', 'sh', '-c', 'echo nothing to see; exit 4']);
    expect(r.code).toBe(EXIT.PROGRAM);
    const j = JSON.parse(r.stdout) as { failedSteps: Array<{ step: string; exitCode?: number; lastLines: string[] }> };
    expect(j.failedSteps).toEqual([expect.objectContaining({ step: 'sh -c echo nothing to see; exit 4', exitCode: 4, lastLines: ['nothing to see'] })]);
  });

  test('a command that succeeds still exits 0 (the failure is the workload, not the build)', async () => {
    const r = await jt(['build', path.join(base, 'ok'), '--output-dir', base, '-q', '--', 'sh', '-c', 'exit 0']);
    expect(r.stderr).not.toMatch(/FAILED/);
    expect(r.code).toBe(EXIT.OK);
  });

  test("--profile sftp whose server is broken: exit 5, the server's words named; a rerun with the real server succeeds on the same jail", async () => {
    const jail = path.join(base, 'profile');
    const r = await jt(['build', jail, '--profile', 'sftp', '--sftp-server', broken, '--user', USER, '--output-dir', base]);
    expect(r.code).toBe(EXIT.PROGRAM);
    expect(r.stderr).toMatch(/step failed: sftp batch session/);
    expect(r.stderr).toContain('| buildverify: the server is broken');
    expect((await jt(['check', jail])).code).toBe(EXIT.OK);
    const again = await jt(['build', jail, '--profile', 'sftp', '--user', USER, '--output-dir', base, '-q']);
    expect(again.stderr).not.toMatch(/FAILED/);
    expect(again.code).toBe(EXIT.OK);
  });

  test('--dry-run of a failing run: exit 5 too, nothing written', async () => {
    const jail = path.join(base, 'dry');
    const r = await jt(['build', jail, '--dry-run', '--output-dir', base, '--', 'sh', '-c', 'exit 2']);
    expect(r.code).toBe(EXIT.PROGRAM);
    await expect(access(jail)).rejects.toThrow();
  });

  test('--from-sshd-config: a jail whose workload fails makes the run exit 5, and names that jail', async () => {
    const jail = path.join(base, 'from-sshd');
    const conf = path.join(base, 'sshd_config');
    await writeFile(conf, `Subsystem sftp /usr/lib/openssh/sftp-server\nMatch User ${USER}\n    ChrootDirectory ${jail}\n`);
    const r = await jt(['build', '--from-sshd-config', conf, '--sftp-server', broken, '--output-dir', base, '--json']);
    expect(r.code).toBe(EXIT.PROGRAM);
    expect(r.stderr).toContain(`${jail}: build FAILED`);
    const j = JSON.parse(r.stdout) as { jails: Array<{ jail: string; report?: { failedSteps: unknown[] } }> };
    expect(j.jails.find((x) => x.jail === jail)?.report?.failedSteps.length).toBeGreaterThan(0);
    await access(path.join(jail, '.jailtrace/manifest.json'));
  });
});
