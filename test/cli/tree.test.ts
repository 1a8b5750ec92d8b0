import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { jailtrace } from './helpers.js';

test('tree on a truss trace: helper → chroot → shell/server', async () => {
  const r = await jailtrace(['tree', '--cwd', '/', 'traces/solaris/rssh-chroot-f.truss']);
  expect(r.exitCode).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^2301 rssh_chroot_helper .*\(root \/var\/jail\)$/m);
  expect(r.stdout).toContain('│   chroot   /var/jail\n');
  expect(r.stdout).toContain('└─ 2302 sftp-server');
  expect(r.stdout).toContain('exec     /usr/bin/ksh  (host /var/jail/usr/bin/ksh)');
  expect(r.stdout).toContain('✗ stat     /home/alice/upload  ENOENT');
});

test('tree reads a manifest from parse --json, and prints the same tree', async () => {
  const m = await jailtrace(['parse', '--json', '--cwd', '/', 'traces/freebsd/rssh-chroot-fd.truss']);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'jt-tree-')), 'm.json');
  writeFileSync(file, m.stdout);
  const fromManifest = await jailtrace(['tree', file]);
  const fromTrace = await jailtrace(['tree', '--cwd', '/', 'traces/freebsd/rssh-chroot-fd.truss']);
  expect(fromManifest.exitCode).toBe(0);
  expect(fromManifest.stdout).toBe(fromTrace.stdout);
});

test('tree --json: jailtrace.tree/1, children nested', async () => {
  const r = await jailtrace(['tree', '--json', '--cwd', '/', 'traces/linux/probe/f.strace']);
  expect(r.exitCode).toBe(0);
  const t = JSON.parse(r.stdout);
  expect(t.schema).toBe('jailtrace.tree/1');
  expect(t.roots[0].children.map((c: { pid: number }) => c.pid)).toEqual([5492, 5493, 5494]);
});

test('tree on a pipe: a broken pipe exits quietly', async () => {
  const r = await execa('sh', ['-c', 'node dist/src/cli.js tree --all --cwd / traces/linux/probe/f.strace | head -1'], { reject: false });
  expect(r.exitCode).toBe(0);
  expect(r.stderr).toBe('');
});
