/**
 * Issue 15, item 4: a relative path under a directory fd the trace never saw opened (normal in `strace -p` and `-Z`
 * traces) is a note about the trace, not "some lines could not be read": parse exits 0, the summary counts notes and
 * warnings apart and says what each means; exit 2 stays for lines that could not be read.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { jailtrace } from './helpers.js';

let dir: string;
// pid 1 opens under fd 9 (opened before the trace began, as with strace -p) and changes into fd 7, then reads a file
const ATTACHED = [
  '1 openat(9, "x", O_RDONLY) = 3',
  '1 fchdir(7) = 0',
  '1 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 4',
  '1 exit_group(0) = ?',
  '1 +++ exited with 0 +++',
  '',
].join('\n');
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jt-parse-notes-'));
  await fs.writeFile(path.join(dir, 'attached.strace'), ATTACHED);
  await fs.writeFile(path.join(dir, 'cut.strace'), ATTACHED.replace('1 exit_group(0) = ?\n1 +++ exited with 0 +++\n', '1 openat(AT_FDCWD, "/etc/gr'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

test('an attached trace (paths under unknown directory fds) parses clean: exit 0, notes counted apart, said what they mean', async () => {
  const r = await jailtrace(['parse', path.join(dir, 'attached.strace')]);
  expect(r.exitCode).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/: strace \(detected\), 5 lines, 1 process, 2 paths, 2 notes, 0 warnings\n/);
  expect(r.stdout).toContain('notes (2): about a trace that was read: paths it could not place (exit code unchanged)');
  expect(r.stdout).toMatch(/attached.strace:1: openat: relative path .*under a directory the trace never saw opened/);
  expect(r.stdout).not.toMatch(/warnings \(/);
});

test('--json keeps notes apart from warnings', async () => {
  const r = await jailtrace(['parse', '--json', path.join(dir, 'attached.strace')]);
  expect(r.exitCode).toBe(0);
  const m = JSON.parse(r.stdout);
  expect(m.warningCount).toBe(0);
  expect(m.warnings).toEqual([]);
  expect(m.noteCount).toBe(2);
  expect(m.notes.map((n: { line: number }) => n.line)).toEqual([1, 2]);
});

test('a line that could not be read is still a warning: exit 2, counted apart from the notes', async () => {
  const r = await jailtrace(['parse', path.join(dir, 'cut.strace')]);
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toMatch(/2 notes, 2 warnings\n/); // the cut line, and no newline at the end
  expect(r.stdout).toContain('warnings (2): lines that could not be read; everything else was parsed (exit 2)');
  expect(r.stderr).toContain('2 warnings: some lines could not be read');
});
