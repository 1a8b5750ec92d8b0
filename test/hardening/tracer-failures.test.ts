/**
 * Issue 7, part 5: tracer failures, each with a clear message and a documented exit code (src/errors.ts EXIT:
 * TRACER 4; the program's own status, as strace gives it, since issue 15):
 * - strace missing: hidden by a bind mount of /dev/null over it, in a private mount namespace (find.ts looks on PATH
 *   and then at /usr/bin/strace, so a PATH override alone would not hide it);
 * - ptrace not permitted: a seccomp filter (test/hardening/noptrace.c, as a default container profile does) makes
 *   ptrace(2) fail with EPERM for strace; Yama's ptrace_scope is host-global and not touched here;
 * - the traced program hangs: `--timeout 1`, then strace and the program are gone;
 * - the traced program dies on a signal: reported by name;
 * - strace itself is killed mid-run: reported as the tracer dying, not as the program failing.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs/promises';
import { CLI, isRoot, jt, livePids, tempDir } from './helpers.js';

let base: string;
let noptrace: string | undefined;
beforeAll(async () => {
  base = await tempDir('hardening-tracer');
  const out = path.join(base, 'noptrace');
  const r = await execa('gcc', ['-O2', '-o', out, path.join(import.meta.dirname, 'noptrace.c')], { reject: false });
  if (r.exitCode === 0) noptrace = out;
});
afterAll(async () => {
  if (base) await fs.rm(base, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = (s: number) => `${s}.${process.pid % 1000}`; // a unique sleep duration: findable by pgrep -f

describe.skipIf(!isRoot)('tracer failures (needs root: ptrace, unshare)', () => {
  test('strace missing: exit 4, "strace is not installed" with the install hint', async () => {
    const r = await execa(
      'unshare',
      ['--mount', 'sh', '-c', `mount --bind /dev/null /usr/bin/strace && exec node ${CLI} capture -o ${base}/a.strace -- true`],
      { reject: false },
    );
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toBe('jailtrace: tracer: strace is not installed (apt-get install strace (Debian/Ubuntu), dnf install strace (Fedora/RHEL))');
  });

  test('ptrace not permitted (seccomp): exit 4, names ptrace and says how to allow it', async (ctx) => {
    if (!noptrace) ctx.skip(); // gcc missing: nothing to simulate with
    const r = await execa(noptrace!, ['node', CLI, 'capture', '-o', `${base}/b.strace`, '--', 'true'], { reject: false });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^jailtrace: tracer: ptrace not permitted: .*Operation not permitted/);
    expect(r.stderr).toMatch(/--cap-add=SYS_PTRACE --security-opt seccomp=unconfined/);
  });

  // capture -- COMMAND exits with the program's status, as strace does (issue 15): 124 when --timeout ended it, as
  // timeout(1); 128+N for signal N, as a shell shows it
  test('the program hangs: --timeout 1 ends it with exit 124 and the reason; nothing is left running', { timeout: 20_000 }, async () => {
    const arg = tag(30);
    const t0 = Date.now();
    const r = await jt(['capture', '-o', `${base}/c.strace`, '--timeout', '1', '--', 'sleep', arg]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain(`jailtrace: sleep ${arg} (timed out after 1 s): killed by SIGTERM`);
    expect(await livePids(`sleep ${arg}`)).toEqual([]);
  });

  test('the program dies on a signal: exit 128+11, the signal named', async () => {
    const r = await jt(['capture', '-o', `${base}/d.strace`, '--', 'sh', '-c', 'kill -SEGV $$']);
    expect(r.code).toBe(139);
    expect(r.stderr).toContain('jailtrace: sh -c kill -SEGV $$: killed by SIGSEGV');
  });

  test('strace is killed mid-run: exit 4, "strace died", not blamed on the program; nothing left running', { timeout: 20_000 }, async () => {
    const arg = tag(5);
    const child = execa('node', [CLI, 'capture', '-o', `${base}/e.strace`, '--', 'sleep', arg], { reject: false });
    let pids: string[] = [];
    // until one strace is there: for a moment after its fork, the tracee-to-be still shows strace's command line
    for (let i = 0; i < 200 && pids.length !== 1; i++) {
      await sleep(25);
      pids = await livePids(`^strace .*sleep ${arg}`);
    }
    expect(pids.length, 'strace never started').toBe(1);
    await sleep(300); // let the program start under it
    process.kill(Number(pids[0]), 'SIGKILL');
    const r = await child;
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^jailtrace: tracer: strace died \\(SIGKILL\\) while tracing sleep ${arg.replace('.', '\\.')}: the trace .*e\\.strace stops at line \\d+, before the program ended`,
      ),
    );
    await sleep(200);
    expect(await livePids(`sleep ${arg}`)).toEqual([]);
  });
});
