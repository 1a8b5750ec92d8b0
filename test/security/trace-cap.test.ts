/**
 * Issue 20, reproduction 6: a crafted trace never crashes jailtrace. 5,000,000 distinct failed paths used to end in
 * "Reached heap limit" and an abort (rc 134). Now distinct paths, processes and live fds are capped (`--max-paths`,
 * default 1,000,000): crossing the cap is an input error, exit 2, naming the trace file and line, with no stack.
 * The heap test runs the CLI under a 64 MiB heap with a 24 MB trace of 300,000 paths: the old code aborts there
 * (SIGABRT), the new one stops at a cap lowered in proportion (1,000,000 × 64 / 4096).
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writePathTrace } from '../../bench/path-trace.js';
import { dialectByName } from '../../parsers/index.js';
import { walkCommands } from '../../src/cli/docgen/commands.js';
import { TraceError } from '../../src/errors.js';
import { DEFAULT_MAX_PATHS } from '../../src/limits.js';
import { ManifestBuilder } from '../../src/manifest/manifest.js';
import type { Access } from '../../src/model/model.js';
import { silentOutput } from '../../src/cli/output.js';
import { makeProgram } from '../../src/cli/program.js';
import { LiveTrace } from '../../src/trace.js';
import { CLI, jt, tempDir } from '../hardening/helpers.js';
import { feed, syscalls, warnings } from '../helpers.js';

let base: string;
let paths5k: string;
beforeAll(async () => {
  base = await tempDir('trace-cap');
  paths5k = path.join(base, 'paths-5000.strace');
  await writePathTrace(paths5k, 5000);
});
afterAll(async () => {
  if (base) await fs.rm(base, { recursive: true, force: true });
});

/** The cap message: `FILE:LINE: more than N KIND (raise --max-paths ... or filter the trace ...)`, and nothing else. */
function expectCapError(r: { code: number; stdout: string; stderr: string }, file: string, line: number, what: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`jailtrace: ${file}:${line}: more than ${what} (raise --max-paths above`);
  expect(r.stderr).toContain('or filter the trace');
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack
  expect(r.stderr).not.toMatch(/internal error|FATAL ERROR|heap limit/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

describe('the distinct-path cap, through the CLI', () => {
  // 1 openat of /x/0000000, then /etc/passwd and close(3) on lines 2-3; the 1001st distinct path is /x/0000999 on line 1002
  test('5,000 distinct paths over --max-paths 1000: exit 2 with file:line and what to do, no stack', async () => {
    expectCapError(await jt(['parse', '--max-paths', '1000', paths5k]), paths5k, 1002, '1000 distinct paths');
  });

  test('the same trace under the default cap parses whole', async () => {
    const r = await jt(['parse', paths5k]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('5010 lines, 1 process, 5001 paths, 0 notes, 0 warnings');
  });

  test.each([
    ['tree', ['tree', '--max-paths', '1000']],
    ['build --trace', ['build', '--dry-run', '/nonexistent-jail', '--max-paths', '1000', '--trace']],
    ['diff', ['diff', '--max-paths', '1000', '/dev/null']],
    ['baseline save', ['baseline', 'save', 'x', '--baselines', '/nonexistent-baselines', '--max-paths', '1000']],
    ['export', ['export', '--files-from', '--max-paths', '1000']],
    ['script', ['script', '--jail', '/srv/jail', '--max-paths', '1000']],
    ['explain', ['explain', '/etc/passwd', '--max-paths', '1000', '--manifest']],
  ])('%s stops at the cap too', async (_name, args) => {
    const file = paths5k;
    const r = await jt(args[0] === 'diff' ? [...args.slice(0, -1), file, file] : [...args, file]);
    expectCapError(r, file, 1002, '1000 distinct paths');
  });

  test.each([['0'], ['-5'], ['1e3'], ['many']])('--max-paths %s is a usage error', async (v) => {
    const r = await jt(['parse', '--max-paths', v, paths5k]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '--max-paths <n>' argument '${v}' is invalid`);
  });

  test('every command that reads traces has --max-paths (default 1000000) in its help', () => {
    const readers = ['parse', 'build', 'capture', 'diff', 'baseline save', 'script', 'export', 'tree', 'explain', 'verify', 'ldd-diff'];
    const commands = new Map(walkCommands(makeProgram(silentOutput())).map((c) => [c.words, c.cmd]));
    for (const words of readers) {
      const help = commands.get(words)?.helpInformation() ?? `no command ${words}`;
      expect(help, words).toMatch(/--max-paths <n>[\s\S]*?\(default:\s+1000000\)/); // help text wraps
    }
    expect(DEFAULT_MAX_PATHS).toBe(1_000_000);
  });
});

describe('a heap the trace would exhaust', () => {
  test('300,000 paths under --max-old-space-size=64: exit 2 at the proportional cap, not an abort', { timeout: 60_000 }, async () => {
    const file = path.join(base, 'paths-300000.strace');
    await writePathTrace(file, 300_000);
    const cap = Math.floor((DEFAULT_MAX_PATHS * 64) / 4096); // 15625
    const r = await execa('node', ['--max-old-space-size=64', CLI, 'parse', '--max-paths', String(cap), file], { reject: false, timeout: 50_000 });
    expect(r.signal, r.stderr.slice(0, 2000)).toBeUndefined();
    // the (cap+1)th distinct path is /x/(cap-1) (/etc/passwd is one of the first cap), and every 1000th /x path is
    // followed by two more lines (the passwd open and its close)
    const line = cap + 2 * (1 + Math.floor((cap - 2) / 1000));
    expectCapError({ code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }, file, line, `${cap} distinct paths`);
    await fs.rm(file);
  });
});

describe('processes and open fds are capped by the same number', () => {
  test('1,500 pids over --max-paths 1000: "more than 1000 processes" at the 1001st pid\'s line', async () => {
    const file = path.join(base, 'pids.strace');
    const lines = Array.from({ length: 1500 }, (_, i) => `${1000 + i} openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3\n`);
    await fs.writeFile(file, lines.join(''));
    expectCapError(await jt(['parse', '--max-paths', '1000', file]), file, 1001, '1000 processes');
  });

  test('1,500 fds left open over --max-paths 1000: "more than 1000 open file descriptors"; closed ones do not count', async () => {
    const open = path.join(base, 'fds-open.strace');
    const closed = path.join(base, 'fds-closed.strace');
    await fs.writeFile(open, Array.from({ length: 1500 }, (_, i) => `openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = ${3 + i}\n`).join(''));
    await fs.writeFile(closed, Array.from({ length: 1500 }, (_, i) => `openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = ${3 + i}\nclose(${3 + i}) = 0\n`).join(''));
    expectCapError(await jt(['parse', '--max-paths', '1000', open]), open, 1001, '1000 open file descriptors');
    const r = await jt(['parse', '--max-paths', '1000', closed]);
    expect(r.code, r.stderr).toBe(0);
  });

  test('long names: 200 distinct 2,000-byte paths over --max-paths 1000 cross its 256,000 bytes of path names', async () => {
    const file = path.join(base, 'long-names.strace');
    const name = (i: number) => `/${'a'.repeat(1990)}${String(i).padStart(9, '0')}`; // 2000 bytes
    await fs.writeFile(
      file,
      Array.from({ length: 200 }, (_, i) => `openat(AT_FDCWD, "${name(i)}", O_RDONLY) = -1 ENOENT (No such file or directory)\n`).join(''),
    );
    expectCapError(await jt(['parse', '--max-paths', '1000', file]), file, 129, '256000 bytes of path names'); // 129 x 2000 > 256000
  });

  test('one path reached by 900 processes five ways over --max-paths 1000 crosses its 4,000 distinct accesses', async () => {
    const file = path.join(base, 'accesses.strace');
    const errnos = ['ENOENT', 'EACCES', 'ELOOP', 'ENOTDIR', 'EPERM'];
    const lines = Array.from({ length: 900 }, (_, p) => errnos.map((e) => `${1000 + p} openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 ${e} (x)\n`).join(''));
    await fs.writeFile(file, lines.join(''));
    expectCapError(await jt(['parse', '--max-paths', '1000', file]), file, 4001, '4000 distinct accesses');
  });

  test('300 execs with 1,000-byte argv over --max-paths 1000 cross its 256,000 bytes of command lines', async () => {
    const file = path.join(base, 'argv.strace');
    const exec = `execve("/bin/true", ["true", "${'a'.repeat(1000)}"], 0x7ffd /* 1 var */) = 0\n`; // 9 + 4 + 1000 bytes kept
    await fs.writeFile(file, exec.repeat(300));
    expectCapError(await jt(['parse', '--max-paths', '1000', file]), file, 253, '256000 bytes of command lines'); // 253 x 1013 > 256000
  });

  test('fds of exited processes and copies made by fork are released (many short-lived children stay under the cap)', async () => {
    // 600 children, each forked from a parent holding 5 fds and exiting: 3,000 fd copies made, never more than ~10 live
    const file = path.join(base, 'forks.strace');
    const head = Array.from({ length: 5 }, (_, i) => `100 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = ${3 + i}\n`);
    const kids = Array.from({ length: 600 }, (_, i) => `100 fork() = ${200 + i}\n${200 + i} +++ exited with 0 +++\n`);
    await fs.writeFile(file, head.join('') + kids.join(''));
    const r = await jt(['parse', '--max-paths', '1000', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('601 processes');
  });
});

describe('in process', () => {
  test("a live capture over the cap: push never throws (it runs in the tracer's stream), finish() is the TraceError", () => {
    const live = new LiveTrace('/tmp/live.strace', '/', 'linux', { maxPaths: 10 });
    for (let i = 0; i < 50; i++) live.push(Buffer.from(`openat(AT_FDCWD, "/x/${i}", O_RDONLY) = -1 ENOENT (No such file or directory)\n`));
    let err: unknown;
    try {
      live.finish();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).message).toMatch(/^\/tmp\/live\.strace:11: more than 10 distinct paths/);
  });

  test('folding is unchanged: repeats count on the first record, many kinds of access on one path (the key-map path)', () => {
    const b = new ManifestBuilder();
    const acc = (pid: number, line: number, ok: boolean, errno?: string): Access => ({
      path: '/etc/passwd',
      op: 'read',
      ok,
      errno,
      pid,
      line,
      syscall: 'openat',
    });
    let line = 0;
    for (let round = 0; round < 3; round++) for (let pid = 1; pid <= 20; pid++) b.add(acc(pid, ++line, true));
    b.add(acc(1, ++line, false, 'ENOENT'));
    b.add(acc(1, ++line, false)); // failed without an errno: its own record
    b.add(acc(1, ++line, false, 'ENOENT'));
    const m = b.finish({ files: ['t'], format: 'strace', detected: true, platform: 'linux', cwd: '/', lines: line, bytes: 0 }, []);
    expect(m.entries).toHaveLength(1);
    const recs = m.entries[0].accesses;
    expect(recs).toHaveLength(22);
    expect(recs.slice(0, 20).map((r) => [r.pid, r.line, r.count])).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, i + 1, 3]));
    expect(recs[20]).toEqual({ op: 'read', ok: false, pid: 1, line: 61, syscall: 'openat', errno: 'ENOENT', count: 2 });
    expect(recs[21]).toEqual({ op: 'read', ok: false, pid: 1, line: 62, syscall: 'openat' });
  });

  test('the strace parser holds at most 65,536 unfinished calls: the oldest are dropped with a warning, recent ones still resume', () => {
    const n = 70_000;
    const lines = Array.from({ length: n }, (_, i) => `${10 + i} openat(AT_FDCWD, "/etc/passwd", O_RDONLY <unfinished ...>`);
    lines.push(`${10 + n - 1} <... openat resumed>) = 3`);
    const evs = feed(dialectByName('strace')!, lines.join('\n') + '\n');
    const dropped = warnings(evs).filter((w) => w.kind === 'warning' && w.message.includes('dropped, too many unfinished calls'));
    expect(dropped).toHaveLength(n - 65_536);
    expect(dropped[0]).toMatchObject({ line: 1, message: 'openat for pid 10: dropped, too many unfinished calls held at once' });
    expect(syscalls(evs)).toMatchObject([{ pid: 10 + n - 1, name: 'openat', retval: 3, line: n + 1 }]);
  });

  test('the strace prefilter remembers at most 4,096 call names (a crafted trace can invent millions)', () => {
    const parser = dialectByName('strace')!.create({ want: (n) => n === 'openat' });
    const buf = Buffer.from(Array.from({ length: 10_000 }, (_, i) => `sys${i}(1, 2) = 0\n`).join(''));
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; start = nl + 1, nl = buf.indexOf(10, start)) expect(parser.accept!(buf, start, nl)).toBe(false);
    expect((parser as unknown as { nameCache: Map<number, unknown> }).nameCache.size).toBe(4096);
  });
});
