/**
 * `capture --platform P --print-command --profile sftp` prints a route that works for sftp-server on every platform,
 * and the DTrace route's wrapper really runs: dtrace is started on the shell's own pid, which then becomes the program
 * (nothing attaches to it), and the output ends up sorted with the header first. A stub stands in for dtrace (Linux).
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DTRACE_RUN_SH, dtraceScript } from '../../src/capture/dtrace-script.js';
import { CAPTURE_ROUTES, captureRoute, printedCapture } from '../../src/capture/route.js';
import { PLATFORMS } from '../../src/syscalls.js';
import { jailtrace } from '../cli/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'jt-route-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the sftp route per platform', () => {
  test.each([
    ['freebsd', 'dtrace', /dtrace -Z -q -s "\$d" -o/, /^(truss|ktrace) /m],
    ['macos', 'dtrace', /dtrace -Z -q -s "\$d" -o/, /dtruss -f/],
    ['linux', 'tracer', /^strace /, /dtrace/],
    ['solaris', 'tracer', /^truss -f -a /, /dtrace/],
    ['aix', 'tracer', /^truss -f -a /, /dtrace/],
  ] as const)('%s: %s', (platform, route, has, hasNot) => {
    expect(captureRoute(platform, 'sftp').route).toBe(route);
    const text = printedCapture(platform, { output: 'sftp.trace', profile: 'sftp', follow: true });
    expect(text).toMatch(new RegExp(has.source, 'm'));
    expect(text).not.toMatch(hasNot);
  });

  test('every platform has a row for sftp and one for any command, each with its reason', () => {
    for (const p of PLATFORMS) {
      expect(captureRoute(p, 'sftp')).toBeDefined();
      expect(captureRoute(p, undefined).route).toBe('tracer');
    }
    for (const r of CAPTURE_ROUTES) expect(r.why.length).toBeGreaterThan(40);
  });

  test("the wrapper refuses to write through anything already at the trace's name (a planted symlink)", async () => {
    const dir = mkdtempSync(path.join(tmp, 'planted-'));
    writeFileSync(path.join(dir, 'run.sh'), DTRACE_RUN_SH);
    symlinkSync(path.join(dir, 'victim'), path.join(dir, 't.trace'));
    const r = await execa('sh', ['run.sh', 't.trace', '/bin/true'], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('t.trace (or .unsorted, .dtrace-errors) exists');
    expect(existsSync(path.join(dir, 'victim'))).toBe(false);
  });

  test('the printed text is valid sh, and the wrapper passes shellcheck', async () => {
    const text = printedCapture('freebsd', { output: "it's.trace", profile: 'sftp', follow: true });
    expect((await execa('sh', ['-n'], { input: text, reject: false })).exitCode).toBe(0);
    const f = path.join(tmp, 'run.sh');
    writeFileSync(f, DTRACE_RUN_SH);
    const sc = await execa('shellcheck', ['-s', 'sh', f], { reject: false });
    expect(sc.stdout).toBe('');
  });

  test('the CLI prints the same text', async () => {
    const r = await jailtrace(['capture', '--platform', 'freebsd', '--print-command', '--profile', 'sftp', '-o', 's.trace']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(printedCapture('freebsd', { output: 's.trace', profile: 'sftp', follow: true }));
  });
});

describe('the DTrace route runs (a stub dtrace on PATH)', () => {
  test('dtrace follows the pid the program gets, and the trace comes out sorted', async () => {
    const dir = mkdtempSync(path.join(tmp, 'run-'));
    const bin = path.join(dir, 'bin');
    const stub = [
      '#!/bin/sh',
      '# stub: dtrace [-Z] [-q] -s SCRIPT -o OUT PID',
      'while [ $# -gt 1 ]; do case $1 in -s) s=$2; shift 2 ;; -o) o=$2; shift 2 ;; *) shift ;; esac; done',
      'cp "$s" "$(dirname "$o")/script-seen.d"',
      'echo "$1" > "$(dirname "$o")/dtrace-pid"',
      'printf "0 jailtrace-dtrace 1 freebsd\\n" > "$o"',
      'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done',
      'printf "9000 %s/1: exit(0) ...\\n8000 %s/1: close(3) = 0 0\\n\\n" "$1" "$1" >> "$o"',
    ].join('\n');
    await execa('mkdir', [bin]);
    writeFileSync(path.join(bin, 'dtrace'), stub);
    chmodSync(path.join(bin, 'dtrace'), 0o755);
    const text = printedCapture('freebsd', { output: 'out.trace', argv: ['/bin/sh', '-c', 'echo $$ > program-pid'], profile: 'sftp', follow: true });
    const r = await execa('sh', ['-e'], { input: text, cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` }, reject: false });
    expect(r.exitCode).toBe(0);
    for (let i = 0; i < 200 && existsSync(path.join(dir, 'out.trace.unsorted')); i++) await new Promise((res) => setTimeout(res, 50));
    const pid = readFileSync(path.join(dir, 'program-pid'), 'utf8').trim();
    expect(readFileSync(path.join(dir, 'dtrace-pid'), 'utf8').trim()).toBe(pid);
    expect(readFileSync(path.join(dir, 'script-seen.d'), 'utf8')).toBe(dtraceScript('freebsd'));
    expect(readFileSync(path.join(dir, 'out.trace'), 'utf8')).toBe(
      `0 jailtrace-dtrace 1 freebsd\n\n8000 ${pid}/1: close(3) = 0 0\n9000 ${pid}/1: exit(0) ...\n`,
    );
    const parsed = await jailtrace(['parse', '--json', path.join(dir, 'out.trace')]);
    expect(parsed.exitCode).toBe(0);
    expect(JSON.parse(parsed.stdout).source.format).toBe('dtrace-freebsd');
  });
});

describe('parse of a refused or lost trace, through the CLI', () => {
  test('refused: exit 4, the cause and the command that works', async () => {
    const r = await jailtrace(['parse', 'traces/untraceable/freebsd-truss-refused.truss']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('traces/untraceable/freebsd-truss-refused.truss:10');
    expect(r.stderr).toContain('EBUSY');
    expect(r.stderr).toContain('jailtrace capture --platform freebsd --print-command --profile sftp');
  });
  test('lost: exit 2, the line', async () => {
    const r = await jailtrace(['parse', 'traces/dtrace-macos/sftp-deny.dtrace']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('sftp-deny.dtrace:12: the tracer lost the process here; later needs are missing');
  });
});
