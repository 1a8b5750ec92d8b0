/**
 * No silent empty builds (issue 18): a build whose traces name no file, or whose trace is empty, is an input error
 * (exit 2) that says why, and writes no jail.
 */
import { execa } from 'execa';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { CLI } from '../support/cli.js';

describe('build from a trace that names no file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-empty-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    { name: 'an empty trace', text: '', says: /empty trace/ },
    {
      name: 'a trace whose every open failed',
      text: '123 openat(AT_FDCWD, "/nonexistent/x", O_RDONLY) = -1 ENOENT (No such file or directory)\n123 +++ exited with 0 +++\n',
      says: /name no file/,
    },
  ])('$name: exit 2, says why, no jail written', async ({ text, says }) => {
    const trace = path.join(dir, `t-${Math.random().toString(36).slice(2)}.strace`);
    await writeFile(trace, text);
    const jail = path.join(dir, `jail-${path.basename(trace)}`);
    const r = await execa('node', [CLI, 'build', jail, '--trace', trace, '--dry-run'], { reject: false });
    expect(r.exitCode).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(says);
    const r2 = await execa('node', [CLI, 'build', jail, '--trace', trace], { reject: false });
    expect(r2.exitCode).toBe(EXIT.USAGE);
    await expect(access(jail)).rejects.toThrow();
  });
});
