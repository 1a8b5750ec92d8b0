/**
 * Run a small helper program to completion (strace's probes, mkfifo, getcap) with node:child_process: the plain
 * capture path loads no execa (about 100 modules, most of `capture -- /bin/true`'s start; bench/startup-bench.ts).
 * Never rejects: a program that cannot start has no exitCode and an `error`.
 */
import { spawn } from 'node:child_process';

export interface RunFileResult {
  exitCode?: number;
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  /** Why it could not run (ENOENT, EACCES) or was killed by the timeout. */
  error?: Error;
}

export function runFile(file: string, args: readonly string[], o: { argv0?: string; timeoutMs?: number } = {}): Promise<RunFileResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: Error | undefined;
    const child = spawn(file, args, { argv0: o.argv0, stdio: ['ignore', 'pipe', 'pipe'], timeout: o.timeoutMs, killSignal: 'SIGKILL' });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      error = e;
      if (child.pid === undefined) resolve({ stdout: '', stderr: '', error: e });
    });
    child.on('close', (code, signal) => {
      const timedOut = signal !== null && o.timeoutMs !== undefined && error === undefined && child.killed;
      resolve({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        stdout: Buffer.concat(out).toString('utf8').replace(/\n$/, ''),
        stderr: Buffer.concat(err).toString('utf8').replace(/\n$/, ''),
        ...(error ? { error } : timedOut ? { error: new Error(`${file} timed out after ${o.timeoutMs} ms`) } : {}),
      });
    });
  });
}
