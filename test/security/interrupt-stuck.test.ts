/**
 * Issue 20, reproduction 5 (the second half): SIGINT printed "interrupted" but did not exit while a file-system call
 * was stuck in the kernel (an open() on a FIFO): process.exit waits for libuv's thread pool. exitWithin
 * (src/interrupt.ts, what the CLI's handler calls) starts a watchdog that re-sends the signal after a second when the
 * process is still alive. Proven here with a real stuck call: a process holding an fs.readFile of a FIFO nobody
 * writes. And the CLI itself never blocks on a FIFO given as a trace: it says what it is and exits 2.
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT } from '../hardening/helpers.js';

describe('SIGINT and SIGTERM end a process stuck in the kernel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-stuck-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('%s with a readFile of a FIFO pending: gone within 3 s, by the signal', { timeout: 20_000 }, async (sig) => {
    const fifo = path.join(dir, `stuck-${sig}.fifo`);
    await execa('mkfifo', [fifo]);
    const script = `
      const { exitWithin } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/interrupt.js'))});
      const fs = await import('node:fs/promises');
      for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { process.stderr.write('interrupted\\n'); exitWithin(s, 130); });
      fs.readFile(${JSON.stringify(fifo)}); // blocks a thread-pool thread in open(): nobody writes the FIFO
      process.stderr.write('ready\\n');
      setInterval(() => {}, 1000);`;
    const child = execa('node', ['--input-type=module', '-e', script], { reject: false, stdin: 'ignore' });
    await new Promise<void>((res) => child.stderr!.on('data', (d: Buffer) => String(d).includes('ready') && res()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    const r = await child;
    clearTimeout(timer);
    expect(r.stderr).toContain('interrupted');
    expect(r.signal).toBe(sig); // not SIGKILL: the watchdog ended it
  });

  test('without the watchdog the same process would hang: process.exit alone does not end it', { timeout: 20_000 }, async () => {
    const fifo = path.join(dir, 'stuck-plain.fifo');
    await execa('mkfifo', [fifo]);
    const script = `
      const fs = await import('node:fs/promises');
      process.on('SIGINT', () => process.exit(130));
      fs.readFile(${JSON.stringify(fifo)});
      process.stderr.write('ready\\n');
      setInterval(() => {}, 1000);`;
    const child = execa('node', ['--input-type=module', '-e', script], { reject: false, stdin: 'ignore' });
    await new Promise<void>((res) => child.stderr!.on('data', (d: Buffer) => String(d).includes('ready') && res()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    const r = await child;
    clearTimeout(timer);
    expect(r.signal).toBe('SIGKILL'); // what the watchdog is for
  });

  test('a FIFO given as a trace: exit 2 at once, saying what it is', { timeout: 20_000 }, async () => {
    const fifo = path.join(dir, 'trace.fifo');
    await execa('mkfifo', [fifo]);
    const r = await execa('node', [CLI, 'parse', fifo], { reject: false, stdin: 'ignore', timeout: 10_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a regular file \(a FIFO, a pipe or a device\?\)/);
  });
});
