/**
 * Issue 15, item 1: `capture -- COMMAND` behaves like `strace -f -o FILE COMMAND`. The program owns the terminal
 * (stdin, stdout, stderr, its /dev/tty), its stdout is byte for byte what an untraced run prints, and capture exits
 * with its status. jailtrace's report goes to stderr after the program, or to --report FILE (JSON with --json).
 * The pty runs use script(1): `script -qec CMD /dev/null` gives CMD a terminal; the shell there prints its status.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { programStatus, stepOutcome } from '../../src/cli/capture.js';
import { skipReason } from './helpers.js';
import { CLI } from '../support/cli.js';

const skip = skipReason('/usr/bin/script');
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

describe('how a run ended, in words and as a status (pure)', () => {
  test.each([
    { s: { exitCode: 0 }, code: 0 },
    { s: { exitCode: 7 }, code: 7 },
    { s: { signal: 'SIGSEGV' }, code: 139 },
    { s: { signal: 'SIGINT' }, code: 130 },
    { s: { signal: 'SIGTERM', timedOut: true }, code: 124 },
  ])('$s → $code', ({ s, code }) => {
    expect(programStatus(s)).toBe(code);
  });

  test('a check is "ok" or "failed: why", never "exit status undefined"', () => {
    expect(stepOutcome({ description: 'upload arrived', ok: true, check: true, stderr: '' })).toBe('ok');
    expect(stepOutcome({ description: 'upload arrived', ok: false, check: true, stderr: 'up/upload.bin differs\n' })).toBe('failed: up/upload.bin differs');
    expect(stepOutcome({ description: 'upload arrived', ok: false, check: true })).toBe('failed: the check did not hold');
    expect(stepOutcome({ description: 'scp -t', ok: true, exitCode: 0 })).toBe('exit status 0');
  });
});

describe.skipIf(skip !== undefined)(`capture -- COMMAND owns the terminal (${skip ?? 'needs root: strace'})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-terminal-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * `script -qec "…" /dev/null`, fed `input`: what the terminal showed, and jailtrace's exit status. script's own
   * `-e` status is not used: util-linux 2.38's script sometimes returns 0 (or 130) for a child that exited 4 when the
   * child's end races its stdin's EOF (seen under load, and in CI). The shell inside records the status on the
   * terminal instead; it traps SIGINT (a handler, not an ignore, so jailtrace starts with the default) so that the
   * program's `kill -INT 0` does not end it.
   */
  const onPty = async (args: string[], input: string) => {
    const line = `trap : INT; ${['node', CLI, ...args].map(q).join(' ')}; echo "[jailtrace exit $?]"`;
    const r = await execa('script', ['-qec', line, '/dev/null'], { input, reject: false, timeout: 60_000, env: { SHELL: '/bin/sh' } });
    const screen = String(r.stdout).replace(/\r\n/g, '\n');
    const status = /\[jailtrace exit (\d+)\]\n?$/.exec(screen);
    if (!status) throw new Error(`no exit status on the terminal (script exited ${r.exitCode}):\n${screen}`);
    return { code: Number(status[1]), screen: screen.slice(0, status.index) };
  };

  test('an interactive program reads the line typed at the terminal and answers it (under a pty)', async () => {
    const t = path.join(dir, 'read.strace');
    const r = await onPty(['capture', '-o', t, '--', 'sh', '-c', 'read x; echo got $x'], 'hello\n');
    expect(r.screen).toContain('got hello\n');
    expect(r.code).toBe(0);
    expect(await readFile(t, 'utf8')).toMatch(/execve\("\/usr\/bin\/sh"/);
  });

  test('stdin, stdout and stderr are the terminal, and /dev/tty opens (the program keeps its controlling terminal)', async () => {
    const r = await onPty(
      ['capture', '-o', path.join(dir, 'tty.strace'), '--', 'sh', '-c', 'test -t 0 && test -t 1 && test -t 2 && echo ALL-TTY; echo via-dev-tty > /dev/tty'],
      '',
    );
    expect(r.screen).toContain('ALL-TTY\n');
    expect(r.screen).toContain('via-dev-tty\n');
    expect(r.code).toBe(0);
  });

  test("the program's stdout is byte for byte an untraced run's; the report is on stderr", async () => {
    // every kind of byte: NUL, high bytes, no final newline, and what a report would look like
    const script = `printf 'a\\000b\\377c\\n'; echo 'trace saved: not from jailtrace'; printf 'no newline'; echo to-stderr >&2`;
    const plain = await execa('sh', ['-c', script], { encoding: 'buffer', reject: false });
    const t = path.join(dir, 'bytes.strace');
    const traced = await execa('node', [CLI, 'capture', '-o', t, '--', 'sh', '-c', script], { encoding: 'buffer', reject: false });
    expect(Buffer.compare(Buffer.from(traced.stdout), Buffer.from(plain.stdout))).toBe(0);
    const err = Buffer.from(traced.stderr).toString();
    expect(err).toContain('to-stderr\n');
    expect(err).toContain(`jailtrace: trace saved: ${t}`);
    expect(err).toMatch(/bytes\.strace: strace, \d+ lines, 1 process,/);
    expect(traced.exitCode).toBe(0);
  });

  test('stdin is passed through when it is not a terminal', async () => {
    const r = await execa('node', [CLI, 'capture', '-q', '-o', path.join(dir, 'cat.strace'), '--', 'cat'], { input: 'piped in\n', reject: false });
    expect(r.stdout).toBe('piped in');
    expect(r.exitCode).toBe(0);
  });

  test.each([
    { cmd: 'exit 7', code: 7 },
    { cmd: 'kill -SEGV $$', code: 139 },
  ])("exit status: the program's ($cmd → $code)", async ({ cmd, code }) => {
    const r = await execa('node', [CLI, 'capture', '-o', path.join(dir, `status-${code}.strace`), '--', 'sh', '-c', cmd], { reject: false });
    expect(r.exitCode).toBe(code);
    expect(r.stdout).toBe('');
  });

  test("--json needs --report FILE (stdout is the program's); with it, FILE holds the JSON and stdout only the program's", async () => {
    const refused = await execa('node', [CLI, 'capture', '--json', '-o', path.join(dir, 'j0.strace'), '--', 'echo', 'hi'], { reject: false });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--json with a command: stdout is the program's.*--report/);
    expect(await readdir(dir)).not.toContain('j0.strace');
    const report = path.join(dir, 'report.json');
    const r = await execa('node', [CLI, 'capture', '--json', '--report', report, '-o', path.join(dir, 'j.strace'), '--', 'echo', 'hi'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('hi');
    const m = JSON.parse(await readFile(report, 'utf8')) as { schema: string; entries: Array<{ path: string }> };
    expect(m.schema).toBe('jailtrace.manifest/1');
    expect(m.entries.map((e) => e.path)).toContain('/usr/bin/echo');
  });

  test("Ctrl-C is the program's: a program that traps SIGINT goes on, and capture reports its end (under a pty)", async () => {
    // the program interrupts its own foreground group, as Ctrl-C at the terminal does: jailtrace is in it too
    const prog = `trap 'echo caught' INT; kill -INT 0; echo still-running; exit 4`;
    const r = await onPty(['capture', '-o', path.join(dir, 'int.strace'), '--', 'sh', '-c', prog], '');
    expect(r.screen).toContain('caught\n');
    expect(r.screen).toContain('still-running\n');
    expect(r.screen).not.toContain('interrupted');
    expect(r.code).toBe(4);
  });
});
