/**
 * Traces of a program that made itself untraceable say what happened: refused (no session; an error with the cause
 * and the route that works, exit 4) or lost (a warning at the line where the tracer lost it; parse exits 2), and a
 * trace where the tracer kept the process says nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { strace } from '../../parsers/strace.js';
import { EXIT } from '../../src/errors.js';
import { syscallTable } from '../../src/platforms/index.js';
import { LiveTrace, parseTraces } from '../../src/trace.js';
import { UntraceableError } from '../../src/untraceable/error.js';
import { LOST, TracingWatch } from '../../src/untraceable/watch.js';

const TRACES = path.resolve(import.meta.dirname, '../../traces');
const at = (f: string): string => path.join(TRACES, f);

async function refusal(f: string): Promise<UntraceableError> {
  const e = await parseTraces([at(f)]).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UntraceableError);
  return e as UntraceableError;
}

describe('refused: the program died of the tracer, the trace holds no session', () => {
  test.each([
    ['untraceable/freebsd-truss-refused.truss', 10],
    ['untraceable/freebsd-kdump-refused.kdump', 9],
  ])('%s', async (f, line) => {
    const e = await refusal(f);
    expect(e.exitCode).toBe(EXIT.TRACER);
    expect(e.refusal).toMatchObject({ line, errno: 'EBUSY', file: at(f) });
    expect(e.what).toBe(`${at(f)}:${line}`);
    expect(e.message).toContain('PROC_TRACE_CTL');
    expect(e.message).toContain('kern_procctl.c');
    expect(e.message).toContain('jailtrace capture --platform freebsd --print-command --profile sftp');
  });

  test('the fatal() text on the syslog line is named when the trace shows it', () => {
    const text = [
      '9 prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = -1 EINVAL (Invalid argument)',
      '9 sendto(3, "<11>Nov 30 13:25:05 sftp-server[9]: fatal: unable to make the process undumpable: Invalid argument", 96, MSG_NOSIGNAL, NULL, 0) = 96',
      '9 exit_group(255) = ?',
      '9 +++ exited with 255 +++',
    ].join('\n');
    const w = new TracingWatch('linux', syscallTable('linux'));
    for (const ev of parseText(strace, text, { want: (n) => syscallTable('linux').has(n) || w.wants(n) })) w.onEvent(ev);
    expect(w.finish().refused).toMatchObject({ line: 1, pid: 9, errno: 'EINVAL', message: 'unable to make the process undumpable' });
  });

  test('a program that goes on after the call failed (not strict, like ssh-agent) is not refused', () => {
    const text = [
      '9 prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = -1 EINVAL (Invalid argument)',
      '9 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
      '9 exit_group(0) = ?',
      '9 +++ exited with 0 +++',
    ].join('\n');
    const w = new TracingWatch('linux', syscallTable('linux'));
    for (const ev of parseText(strace, text, { want: (n) => syscallTable('linux').has(n) || w.wants(n) })) w.onEvent(ev);
    expect(w.finish()).toEqual({ lost: [] });
  });
});

describe('lost: the tracer lost the process here; later needs are missing', () => {
  test.each([
    // real: strace as nobody; the first path lookup after PR_SET_DUMPABLE 0 (line 55) is a bare address
    ['untraceable/linux-nonroot-sftp.strace', 80, 'bare address 0x559953c8d350'],
    // dtruss never shows ptrace(PT_DENY_ATTACH): the cut is sftp-server's last recorded line, without an exit
    ['untraceable/macos-dtruss-silent.dtruss', 6, 'sftp-server (pid 812, exec at line 2)'],
    // jailtrace's D script prints the call at entry: the cut is that line
    ['dtrace-macos/sftp-deny.dtrace', 12, 'called ptrace(PT_DENY_ATTACH)'],
  ])('%s: line %i', async (f, line, why) => {
    const m = await parseTraces([at(f)], { cwd: '/' });
    expect(m.tracerLost).toEqual([expect.objectContaining({ line, message: expect.stringContaining(why) })]);
    expect(m.tracerLost![0].message.startsWith(LOST)).toBe(true);
    expect(m.warnings).toContainEqual({ file: at(f), line, message: m.tracerLost![0].message });
  });

  test('the needs before the cut are still there', async () => {
    const m = await parseTraces([at('untraceable/linux-nonroot-sftp.strace')], { cwd: '/' });
    expect(m.entries.map((e) => e.path)).toContain('/lib/x86_64-linux-gnu/libc.so.6');
  });
});

describe('kept: the tracer followed the process after the call', () => {
  test.each([
    // root's strace reads the paths after PR_SET_DUMPABLE 0 (real captures)
    'linux/sftp-server/f.strace',
    // DTrace does not attach: procctl(PROC_TRACE_CTL) succeeds and the session goes on
    'dtrace-freebsd/sftp-session.dtrace',
  ])('%s', async (f) => {
    const m = await parseTraces([at(f)], { cwd: '/' });
    expect(m.tracerLost).toBeUndefined();
    expect(m.warnings.filter((w) => w.message.startsWith(LOST))).toEqual([]);
  });
});

describe('a live capture (jailtrace capture) watches the same way', () => {
  test('strace output streamed in chunks: the cut is flagged at the same line', () => {
    const bytes = readFileSync(at('untraceable/linux-nonroot-sftp.strace'));
    const live = new LiveTrace('live.strace', '/');
    for (let i = 0; i < bytes.length; i += 777) live.push(bytes.subarray(i, i + 777));
    const m = live.finish();
    expect(m.tracerLost).toEqual([expect.objectContaining({ line: 80, pid: 25251 })]);
    expect(m.warnings).toContainEqual(expect.objectContaining({ file: 'live.strace', line: 80 }));
  });
});
