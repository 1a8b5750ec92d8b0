/**
 * The pure parts of verify --fix's rounds: the failure path of a process (what it touches after a failed exec is not a
 * need), fallback rows (/dev/console), the no-progress stop and its reasons, and the rules' decision on a fallback.
 */
import { describe, expect, test } from 'vitest';
import { decide, type Facts } from '../../src/expand/classify.js';
import type { JailEntry } from '../../src/expand/expand.js';
import type { AccessRecord, Manifest } from '../../src/manifest/manifest.js';
import { platformInfo } from '../../src/platforms/index.js';
import type { MissingFile } from '../../src/verify/analyze.js';
import { failedExecIndex } from '../../src/verify/failure-path.js';
import { sameAsBefore, splitFallbacks, stoppedNoProgress } from '../../src/verify/rounds.js';

const acc = (op: AccessRecord['op'], ok: boolean, pid: number, line: number, file?: number): AccessRecord => ({
  op,
  ok,
  pid,
  line,
  syscall: op === 'exec' ? 'execve' : 'openat',
  ...(ok ? {} : { errno: 'ENOENT' }),
  ...(file !== undefined ? { file } : {}),
});

const manifest = (entries: Array<[string, AccessRecord[]]>): Manifest =>
  ({ entries: entries.map(([path, accesses]) => ({ path, accesses })) }) as unknown as Manifest;

describe('failure path: after a failed exec, until an exec works', () => {
  const m = manifest([
    ['/usr/local/bin/scp', [acc('exec', false, 10, 5)]], // execvp's PATH search...
    ['/usr/bin/scp', [acc('exec', true, 10, 6), acc('exec', false, 20, 30)]], // ...then found; pid 20 fails for real
    ['/etc/passwd', [acc('read', false, 10, 8)]],
    ['/etc/localtime', [acc('read', false, 20, 31)]],
    ['/dev/null', [acc('read', false, 20, 25)]],
    ['/etc/other', [acc('read', false, 20, 31, 1)]], // same pid and line, another trace file: another process
  ]);
  const after = failedExecIndex(m);
  test.each([
    { what: 'an access after a PATH search that found the program', path: '/etc/passwd', a: acc('read', false, 10, 8), want: undefined },
    {
      what: 'an access after the failed exec of its process',
      path: '/etc/localtime',
      a: acc('read', false, 20, 31),
      want: { exec: '/usr/bin/scp', pid: 20, line: 30 },
    },
    { what: 'an access before the failed exec', path: '/dev/null', a: acc('read', false, 20, 25), want: undefined },
    { what: 'the same pid in another trace file', path: '/etc/other', a: acc('read', false, 20, 31, 1), want: undefined },
    { what: 'the exec itself', path: '/usr/bin/scp', a: acc('exec', false, 20, 30), want: undefined },
  ])('$what', ({ a, want }) => {
    expect(after(a)).toEqual(want);
  });
});

const missing = (path: string, extra: Partial<MissingFile> = {}): MissingFile => ({
  path,
  kind: 'missing',
  errno: 'ENOENT',
  syscall: 'openat',
  pid: 1,
  line: 1,
  ...extra,
});

describe('what --fix never adds', () => {
  test('/dev/console (syslog LOG_CONS) and what a process touched after its failed exec are not needed; the rest is', () => {
    const { needed, notNeeded } = splitFallbacks([
      missing('/dev/console'),
      missing('/etc/localtime', { after: { exec: '/bin/sh', pid: 3, line: 9 } }),
      missing('/dev/null'),
    ]);
    expect(needed.map((m) => m.path)).toEqual(['/dev/null']);
    expect(notNeeded.map((x) => x.path)).toEqual(['/dev/console', '/etc/localtime']);
    expect(notNeeded[0].why).toMatch(/LOG_CONS.*\/dev\/log/);
    expect(notNeeded[1].why).toMatch(/after the exec of \/bin\/sh failed \(pid 3, trace line 9\)/);
  });

  test('build never puts /dev/console in a jail either (the rules: report-only, with the reason)', () => {
    const f: Facts = { path: '/dev/console', ops: new Set(['write']), failedOnly: false, type: 'char', via: 'trace' };
    const d = decide(f, platformInfo('linux'), { allowSecrets: new Set(), fullPasswd: false });
    expect(d.decision).toBe('report-only');
    expect(d.reason).toMatch(/LOG_CONS/);
    expect(decide({ ...f, path: '/dev/null' }, platformInfo('linux'), { allowSecrets: new Set(), fullPasswd: false }).decision).toBe('create');
  });
});

describe('a round that makes no progress', () => {
  const entry = (path: string, decision: JailEntry['decision'], reason: string): JailEntry =>
    ({ path, decision, reason, role: 'data' }) as unknown as JailEntry;
  test.each([
    {
      what: 'a secret the rules keep out',
      m: missing('/etc/shadow'),
      entries: [entry('/etc/shadow', 'skip', 'secret: not copied')],
      results: [],
      refused: [],
      want: /the rules keep it out of a jail: secret/,
    },
    {
      what: 'a refused write',
      m: missing('/lib/x.so'),
      entries: [entry('/lib/x.so', 'copy', 'library')],
      results: [],
      refused: [{ path: '/lib/x.so', detail: 'escapes the jail' }],
      want: /refused: escapes the jail/,
    },
    {
      what: 'a permission problem',
      m: missing('/etc/passwd', { kind: 'permission', errno: 'EACCES' }),
      entries: [],
      results: [],
      refused: [],
      want: /EACCES: copying cannot fix that/,
    },
    {
      what: 'already there as the rules want',
      m: missing('/etc/group'),
      entries: [entry('/etc/group', 'generate', 'generated')],
      results: [{ action: { path: '/etc/group' }, result: 'up-to-date' }],
      refused: [],
      want: /already has it/,
    },
    { what: 'not reached on the host', m: missing('/gone'), entries: [], results: [], refused: [], want: /do not reach it/ },
  ])('$what: says why', ({ m, entries, results, refused, want }) => {
    const s = stoppedNoProgress(2, [m], entries, { results } as never, refused);
    expect(s.why).toMatch(/round 2 put nothing back/);
    expect(s.unfixed).toEqual([{ path: m.path, why: expect.stringMatching(want) }]);
  });

  test('nothing missing and nothing to put back: the workload fails for another reason', () => {
    expect(stoppedNoProgress(1, [], [], { results: [] }, []).why).toMatch(/nothing is missing.*another reason/);
  });

  test('the same missing files and failed steps as the round before: no progress', () => {
    const a = { missing: [missing('/x'), missing('/y')], failed: ['s1'] };
    expect(sameAsBefore(a, { missing: [missing('/y'), missing('/x')], failed: ['s1'] })).toBe(true);
    expect(sameAsBefore(a, { missing: [missing('/x')], failed: ['s1'] })).toBe(false);
    expect(sameAsBefore(a, { missing: a.missing, failed: [] })).toBe(false);
  });
});
