/**
 * Issue 15, item 3: `capture --profile P` writes one trace per server run, so it takes --output-dir and refuses
 * --output FILE with a clear message (it used to write next to FILE and ignore its name). Its steps that are checks,
 * not processes, say "ok" or "failed: why", never "exit status undefined".
 */
import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipReason } from './helpers.js';
import { CLI } from '../support/cli.js';

const skip = skipReason('/usr/lib/openssh/sftp-server', '/usr/bin/sftp');

describe.skipIf(skip !== undefined)(`capture --profile: --output-dir, not --output (${skip ?? 'needs root: strace'})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-profile-output-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('--output FILE is refused (exit 2), naming --output-dir; nothing is written', async () => {
    const r = await execa('node', [CLI, 'capture', '--profile', 'sftp', '--output', path.join(dir, 'one.strace')], { reject: false, cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /--output .*one\.strace: a profile writes one trace per server run \(sftp\), not one file \(give a directory for them: --output-dir /,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  test('--output-dir DIR gets the traces; the checks say "ok"', async () => {
    const out = path.join(dir, 'sftp');
    const r = await execa('node', [CLI, 'capture', '--profile', 'sftp', '--output-dir', out], { reject: false, cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readdir(out)).toEqual(['sftp-server.strace', 'sftp-server.strace.meta.json']); // the trace and its scratch roots (issue 18)
    expect(r.stderr).not.toMatch(/undefined/);
    expect(r.stderr).toContain('jailtrace: get: the download equals the server file: ok');
    expect(r.stderr).toMatch(/jailtrace: sftp batch session against the traced sftp-server .*: exit status 0/);
    expect(await readdir(dir)).toEqual(['sftp']);
  });

  test('without --output-dir, a new PROFILE-TIME folder in the current directory (never over an earlier run)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    const r = await execa('node', [CLI, 'capture', '--profile', 'sftp', '-q'], { reject: false, cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    const made = await readdir(cwd);
    expect(made).toEqual([expect.stringMatching(/^sftp-\d{4}-\d\d-\d\dT[\d-]+$/)]);
    expect(await readdir(path.join(cwd, made[0]))).toEqual(['sftp-server.strace', 'sftp-server.strace.meta.json']);
  });
});
