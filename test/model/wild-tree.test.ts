/**
 * Published traces that show the tree problems of issue 12 (traces/wild/<dialect>/tree-*, each with its .source.md):
 * detected as their dialect, no warnings, no invented parent, and Solaris resolvepath's real files recorded.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/manifest/manifest.js';
import { parseTraces } from '../../src/trace.js';
import { buildTree } from '../../src/tree/build.js';

const WILD = path.resolve(import.meta.dirname, '../../traces/wild');
const parse = (rel: string): Promise<Manifest> => parseTraces([path.join(WILD, rel)], { cwd: '/' });
const resolved = (m: Manifest) => m.entries.flatMap((e) => e.accesses.filter((a) => a.resolvedFrom !== undefined).map((a) => [e.path, a.resolvedFrom, a.line]));

describe('published traces: the tree invents nothing', () => {
  test('golang/go#11918 (strace 4.x -f to stderr): the unprefixed first tracee is 8674, its clone proves 8675', async () => {
    const m = await parse('strace/tree-go-arm64-unprefixed-first.strace');
    expect([m.source.format, m.source.detected, m.warnings]).toEqual(['strace', true, []]);
    expect(m.processes.map((p) => [p.pid, p.parent, p.parentNotTraced])).toEqual([
      [8674, undefined, undefined],
      [8675, 8674, undefined],
    ]);
    expect(m.entries.find((e) => e.path === '/dev/urandom')?.accesses).toEqual([{ op: 'read', ok: true, pid: 8674, line: 15, syscall: 'openat' }]);
    const t = buildTree(m);
    expect(t.roots.map((r) => [r.pid, r.children.map((c) => c.pid)])).toEqual([[8674, [8675]]]);
  });

  test('Solaris 10 bash without -f: fork1() results are the only lineage; resolvepath gives the real loader', async () => {
    const m = await parse('truss-solaris/tree-sol10-x86-bash-nof.truss');
    expect([m.source.format, m.warnings]).toEqual(['truss-solaris', []]);
    expect(m.processes[0]).toMatchObject({ pid: 0, exe: '/usr/bin/bash' });
    expect(m.processes.slice(1).every((p) => p.parent === 0 && !p.parentNotTraced)).toBe(true);
    expect(m.processes.map((p) => p.pid)).toEqual([0, 1865, 1866, 1867, 1868, 1869, 1870, 1871, 1874, 1875, 1876, 1877]);
    expect(resolved(m)).toEqual([['/lib/ld.so.1', '/usr/lib/ld.so.1', 9]]);
    expect(m.entries.find((e) => e.path === '/lib/ld.so.1')?.accesses).toEqual([
      { op: 'stat', ok: true, pid: 0, line: 9, syscall: 'resolvepath', resolvedFrom: '/usr/lib/ld.so.1' },
    ]);
  });

  test('illumos libuv (amd64): resolvepath to another file is recorded; to itself adds nothing', async () => {
    const m = await parse('truss-solaris/tree-illumos-libuv-truss-a.truss');
    expect([m.source.format, m.warnings]).toEqual(['truss-solaris', []]);
    expect(resolved(m)).toEqual([['/lib/amd64/ld.so.1', '/usr/lib/amd64/ld.so.1', 10]]);
  });
});
