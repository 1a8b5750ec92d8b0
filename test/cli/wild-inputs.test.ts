/**
 * Trace files as published (issue 12), through the whole CLI: a -c table alone gets its own message, a table after a
 * trace is skipped, a trace that starts `[pid  N]` is a trace to `tree`, a path cut by the tracer never becomes an
 * entry (one warning), a cut argv word is marked in the manifest and the tree, and a non-empty trace read to nothing
 * is an error, never an empty manifest with exit 0.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { jailtrace } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'jt-wild-'));
function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

const TABLE = [
  '% time     seconds  usecs/call     calls    errors syscall',
  '------ ----------- ----------- --------- --------- ----------------',
  ' 99.18    0.003989          18       222           poll',
  '------ ----------- ----------- --------- --------- ----------------',
  '100.00    0.004022                   224         3 total',
];

describe('strace -c and -C', () => {
  test.each([['auto'], ['strace']])('a -c table alone (--format %s): says so, exits as for an unrecognised trace', async (format) => {
    const r = await jailtrace(['parse', '--format', format, file(`c-${format}.txt`, TABLE)]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(':1: a -c summary names no files: trace without -c');
  });
  test('a table after the trace: read, no warning', async () => {
    const r = await jailtrace([
      'parse',
      '--json',
      '--cwd',
      '/',
      file('C.strace', ['openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', '+++ exited with 0 +++', ...TABLE]),
    ]);
    expect(r.exitCode).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.warnings).toEqual([]);
    expect(m.entries.map((e: { path: string }) => e.path)).toEqual(['/etc/passwd']);
  });
});

test('tree reads a trace that starts with [pid  N] as a trace', async () => {
  const r = await jailtrace([
    'tree',
    '--all',
    '--cwd',
    '/',
    file('pid.strace', ['[pid  2925] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', '[pid  2925] +++ exited with 0 +++']),
  ]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('/etc/passwd');
});

describe('strings cut by the tracer', () => {
  const trace = [
    'execve("/usr/bin/cargo", ["/home/user/.rustup/toolchains"..., "build"], 0x7ffd /* 40 vars */) = 0',
    'openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu/libc"..., O_RDONLY) = 3',
    'openat(AT_FDCWD, "/home/user/.cargo/registry/index/github.com-1"..., O_RDONLY) = 4',
    'openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 5',
    '+++ exited with 0 +++',
  ];
  test('a cut path is never an entry; one warning says to capture with a larger limit', async () => {
    const r = await jailtrace(['parse', '--json', '--cwd', '/', file('cut.strace', trace)]);
    const m = JSON.parse(r.stdout);
    expect(m.entries.map((e: { path: string }) => e.path).sort()).toEqual(['/etc/passwd', '/usr/bin/cargo']);
    expect(m.warnings).toMatchObject([{ line: 2, message: expect.stringMatching(/cut short.*2 calls.*larger limit \(strace -s/) }]);
    expect(r.exitCode).toBe(2);
  });
  test('a cut argv word is marked in the manifest and shown cut in the tree', async () => {
    const m = JSON.parse((await jailtrace(['parse', '--json', '--cwd', '/', file('cut.strace', trace)])).stdout);
    expect(m.processes[0]).toMatchObject({ argv: ['/home/user/.rustup/toolchains', 'build'], argvTruncated: [0] });
    const t = await jailtrace(['tree', '--cwd', '/', file('cut.strace', trace)]);
    expect(t.stdout).toContain('/home/user/.rustup/toolchains... build');
    const dot = await jailtrace(['tree', '--dot', '--cwd', '/', file('cut.strace', trace)]);
    expect(dot.stdout).toContain('/home/user/.rustup/toolchains... build');
  });
});

test('a trace of calls that touch no file is read: an empty manifest, exit 0', async () => {
  const r = await jailtrace([
    'parse',
    '--json',
    file('semop.strace', ['20:37:49.050065 (+     0.000012) semop(9928704, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1) = 0 <5.030807>']),
  ]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout).entries).toEqual([]);
});

test('two dialects that read a trace almost equally well: both named, --format asked for', async () => {
  // tab-aligned results read as Solaris truss, ` = N` as strace: 12 against 10
  const lines = [...Array(4).fill('open("/etc/x", O_RDONLY)\t\t= 3'), 'open("/etc/y", O_RDONLY) = 4'];
  const r = await jailtrace(['parse', file('close.trace', lines)]);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/too close to guess \(name it with --format truss-solaris or --format strace\)/);
  const named = await jailtrace(['parse', '--format', 'strace', '--json', '--cwd', '/', file('close.trace', lines)]);
  expect(JSON.parse(named.stdout).entries.map((e: { path: string }) => e.path)).toEqual(['/etc/x', '/etc/y']);
});

test('a non-empty trace read to nothing is an error, not an empty manifest', async () => {
  // kdump GIO records only: detected as kdump, but no call in them
  const r = await jailtrace(['parse', file('gio.kdump', [' 85045 echo     GIO   fd 1 wrote 7 bytes', '       "ktrace', '       "'])]);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/no system call found in 3 lines \(detected as kdump\)/);
});
