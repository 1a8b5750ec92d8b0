/** diff: the needs comparison (table-driven), and real traces through the CLI. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { diffNeeds, stem } from '../../src/diff/diff.js';
import type { Need } from '../../src/diff/needs.js';
import { CLI } from '../support/cli.js';

const jailtrace = (...args: string[]) => execa('node', [CLI, ...args], { reject: false });
const lib = (p: string, extra: Partial<Need> = {}): Need => ({ path: p, role: 'library', ...extra });

describe('stem', () => {
  test.each([
    ['/lib/libc.so.6', 'libc.so'],
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'libc.so'],
    ['/usr/lib/libfoo.so.1.2', 'libfoo.so'],
    ['/usr/lib/libfoo.so.1.3', 'libfoo.so'],
    ['/lib/x86_64-linux-gnu/libnss_files-2.31.so', 'libnss_files.so'],
    ['/etc/nsswitch.conf', 'nsswitch.conf'],
  ])('%s → %s', (p, s) => expect(stem(p)).toBe(s));
});

describe('diffNeeds', () => {
  test('a library moved between directories is a move', () => {
    const d = diffNeeds([lib('/lib/libc.so.6')], [lib('/usr/lib/x86_64-linux-gnu/libc.so.6')]);
    expect(d.moved).toEqual([{ from: lib('/lib/libc.so.6'), to: lib('/usr/lib/x86_64-linux-gnu/libc.so.6'), fields: [] }]);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
  });

  test('a version bump is a move that shows the content change', () => {
    const d = diffNeeds([lib('/usr/lib/libfoo.so.1.2', { size: 10, sha256: 'aa' })], [lib('/usr/lib/libfoo.so.1.3', { size: 12, sha256: 'bb' })]);
    expect(d.moved).toHaveLength(1);
    expect(d.moved[0].fields).toEqual(['size', 'sha256']);
  });

  test('same path: role, mode and hash changes; fields one side lacks are not differences', () => {
    const d = diffNeeds(
      [
        { path: '/usr/bin/x', role: 'data', sha256: 'aa', mode: 0o755 },
        { path: '/etc/a', role: 'config' },
      ],
      [
        { path: '/usr/bin/x', role: 'executable', sha256: 'bb', mode: 0o4755 },
        { path: '/etc/a', role: 'config', size: 5 },
      ],
    );
    expect(d.changed).toEqual([expect.objectContaining({ path: '/usr/bin/x', fields: ['role', 'mode', 'sha256'] })]);
  });

  test('different stems stay an addition and a removal', () => {
    const d = diffNeeds([lib('/lib/libc.so.6')], [lib('/lib/libm.so.6')]);
    expect(d.moved).toEqual([]);
    expect(d.added.map((n) => n.path)).toEqual(['/lib/libm.so.6']);
    expect(d.removed.map((n) => n.path)).toEqual(['/lib/libc.so.6']);
  });
});

describe('jailtrace diff on recorded traces', () => {
  // The traces' cwd: other test files make it (the hardening tests build from the same trace). Made here too, so both
  // sides of a diff see the same host whichever file runs first: a path missing on one side and a directory on the
  // other is a real difference.
  beforeAll(async () => {
    await fs.mkdir('/tmp/jt-sftp-work', { recursive: true });
  });
  test.each([
    ['sftp-server', 'f.strace', 'f-tt-T-y.strace', '/tmp/jt-sftp-work'],
    ['probe', 'f.strace', 'f-tt-T.strace', '/'],
  ])('%s: %s and %s (other strace flags) are equal', async (dir, a, b, cwd) => {
    const r = await jailtrace('diff', '--cwd', cwd, `traces/linux/${dir}/${a}`, `traces/linux/${dir}/${b}`);
    expect(r.stdout).toContain('no difference');
    expect(r.exitCode).toBe(0);
  });

  test('scp vs sftp-server: differences, grouped by role, exit 1', async () => {
    const r = await jailtrace('diff', '--json', '--cwd', '/tmp/jt-sftp-work', 'traces/linux/scp-upload/f.strace', 'traces/linux/sftp-server/f.strace');
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('jailtrace.diff/1');
    expect(j.diff.removed).toContainEqual({ path: '/usr/bin/scp', role: 'executable' });
    expect(j.diff.added).toContainEqual({ path: '/usr/lib/openssh/sftp-server', role: 'executable' });
    const text = await jailtrace('diff', '--cwd', '/tmp/jt-sftp-work', 'traces/linux/scp-upload/f.strace', 'traces/linux/sftp-server/f.strace');
    expect(text.stdout).toMatch(/executable:\n {2}- \/usr\/bin\/scp\n {2}\+ \/usr\/lib\/openssh\/sftp-server/);
  });

  test('a manifest JSON is a side too', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jailtrace-diff-'));
    const parsed = await jailtrace('parse', '--json', '--cwd', '/tmp/jt-sftp-work', 'traces/linux/sftp-server/f.strace');
    await fs.writeFile(path.join(dir, 'm.json'), parsed.stdout);
    const r = await jailtrace('diff', '--cwd', '/tmp/jt-sftp-work', path.join(dir, 'm.json'), 'traces/linux/sftp-server/f-tt-T-y.strace');
    expect(r.exitCode).toBe(0);
  });

  test('bad input: exit 2', async () => {
    expect((await jailtrace('diff', 'traces/linux/probe/f.strace', '/nonexistent/x')).exitCode).toBe(2);
    expect((await jailtrace('diff', 'traces/linux/probe/f.strace')).exitCode).toBe(2);
  });
});

describe('baselines', () => {
  test('baseline save, then diff --baseline: same workload → 0, other workload → 1', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jailtrace-baselines-'));
    const save = await jailtrace('baseline', 'save', 'sftp', '--baselines', dir, '--cwd', '/tmp/jt-sftp-work', 'traces/linux/sftp-server/f.strace');
    expect(save.exitCode).toBe(0);
    const stored = JSON.parse(await fs.readFile(path.join(dir, 'sftp.json'), 'utf8'));
    expect(stored.schema).toBe('jailtrace.manifest/1');
    const same = await jailtrace('diff', '--baseline', 'sftp', '--baselines', dir, '--cwd', '/tmp/jt-sftp-work', 'traces/linux/sftp-server/f-tt-T-y.strace');
    expect(same.exitCode).toBe(0);
    const other = await jailtrace('diff', '--baseline', 'sftp', '--baselines', dir, '--cwd', '/tmp/jt-sftp-work', 'traces/linux/scp-upload/f.strace');
    expect(other.exitCode).toBe(1);
    expect((await jailtrace('diff', '--baseline', 'nope', '--baselines', dir, 'traces/linux/probe/f.strace')).exitCode).toBe(2);
    expect((await jailtrace('baseline', 'save', '../evil', '--baselines', dir, 'traces/linux/probe/f.strace')).exitCode).toBe(2);
  });
});
