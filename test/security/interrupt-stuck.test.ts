/**
 * Issue 20, reproduction 5 (the second half): SIGINT printed "interrupted" but did not exit while a file-system call
 * was stuck in the kernel (an open() on a FIFO): process.exit waits for libuv's thread pool. The CLI now gives
 * pending calls half a second, then dies by the signal itself. Here the stuck call is jailtrace reading a FIFO given
 * as a trace: nothing ever writes to it.
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI } from '../hardening/helpers.js';

describe('SIGINT and SIGTERM end a run stuck in the kernel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-stuck-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('%s: the message, and the process is gone within 3 s', { timeout: 20_000 }, async (sig) => {
    const fifo = path.join(dir, `trace-${sig}.fifo`);
    await execa('mkfifo', [fifo]);
    const child = execa('node', [CLI, 'parse', fifo], { reject: false, stdin: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500)); // node is up and blocked in open()
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    const r = await child;
    clearTimeout(timer);
    expect(r.signal === sig || r.exitCode === 130).toBe(true); // not SIGKILL: it ended by itself
    expect(r.stderr).toContain('jailtrace: interrupted');
  });
});
