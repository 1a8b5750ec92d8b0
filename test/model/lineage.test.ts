/**
 * The process model's lineage, in process: a parent is shown only when the trace proves it (a fork/clone result, a
 * wait4/waitid result, a SIGCHLD with si_pid); anything else is a root marked parentNotTraced. Lines without a pid
 * column in a `strace -f` trace written to stderr belong to the first tracee once its pid is known, not to a pid 0.
 * The stderr traces below are strace 6.1 output captured on Debian 12 (`strace -f -e trace=... sh -c ...`).
 */
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import type { SyscallEvent } from '../../parsers/types.js';
import { ManifestBuilder, type Manifest } from '../../src/manifest/manifest.js';
import { ProcessModel } from '../../src/model/model.js';
import { syscallTable } from '../../src/platforms/index.js';
import { buildTree } from '../../src/tree/build.js';
import { renderTree } from '../../src/tree/render.js';
import { feed, warnings } from '../helpers.js';

function manifestOf(text: string): { m: Manifest; model: ProcessModel; warns: string[] } {
  const model = new ProcessModel({ table: syscallTable('linux'), platform: 'linux', cwd: '/start' });
  const b = new ManifestBuilder();
  const warns: string[] = [];
  const evs = feed(strace, text);
  for (const w of warnings(evs)) warns.push(w.message);
  for (const ev of evs)
    if (ev.kind !== 'warning')
      model.onEvent(
        ev,
        (a) => b.add(a),
        (_l, msg, sev) => sev !== 'note' && warns.push(msg),
      );
  const m = b.finish({ files: ['t'], format: 'strace', detected: true, platform: 'linux', cwd: '/start', lines: 0, bytes: 0 }, model.all, model.pidAliases);
  return { m, model, warns };
}
const lineage = (m: Manifest) => m.processes.map((p) => [p.pid, p.parent ?? (p.parentNotTraced ? 'not traced' : '-')]);
const pidsOf = (m: Manifest, path: string) => m.entries.find((e) => e.path === path)?.accesses.map((a) => a.pid);

describe('parents only when the trace proves them', () => {
  test('a pid that appears with no fork in flight (threads before -p attached) is a root, parent not traced', () => {
    const { m } = manifestOf(
      ['100 openat(AT_FDCWD, "/a", O_RDONLY) = 3', '101 openat(AT_FDCWD, "/b", O_RDONLY) = 4', '102 openat(AT_FDCWD, "c", O_RDONLY) = 5'].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [100, '-'],
      [101, 'not traced'],
      [102, 'not traced'],
    ]);
    // still resolved with the first process's cwd as the best guess
    expect(m.entries.map((e) => e.path)).toContain('/start/c');
    const t = buildTree(m);
    expect(t.roots.map((r) => r.pid)).toEqual([100, 101, 102]);
    expect(renderTree(t)).toMatch(/^101 +\(parent not traced\)$/m);
    expect(renderTree(t)).not.toMatch(/^100 .*parent not traced/m);
  });

  test('a child seen while a clone is in flight, whose result never comes, is not given that parent', () => {
    const { m, warns } = manifestOf(['1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>', '2 openat(AT_FDCWD, "x", O_RDONLY) = 3'].join('\n'));
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 'not traced'],
    ]);
    expect(warns).toEqual([expect.stringMatching(/clone for pid 1 never finished/)]);
  });

  test('the clone result proves the parent of a child whose lines came first', () => {
    const { m } = manifestOf(
      ['1 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>', '2 openat(AT_FDCWD, "x", O_RDONLY) = 3', '1 <... clone resumed>) = 2'].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 1],
    ]);
  });

  test('a clone result for a fresh child proves it; a failed clone makes nothing', () => {
    const { m } = manifestOf(
      [
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
        '1 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)',
        '2 openat(AT_FDCWD, "x", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 1],
    ]);
  });

  test('wait4 returning a pid proves the caller is its parent (the fork left out by -e trace=)', () => {
    const { m } = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '2 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '3 execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0',
        '3 +++ exited with 0 +++',
        '2 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 'not traced'],
      [3, 2],
    ]);
  });

  test('a failed wait4 or one returning 0 (WNOHANG) proves nothing', () => {
    const { m } = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '2 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '1 wait4(2, 0x7ffc, WNOHANG, NULL) = 0',
        '1 wait4(-1, 0x7ffc, WNOHANG, NULL) = -1 ECHILD (No child processes)',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 'not traced'],
    ]);
  });

  test('waitid names the child in its siginfo', () => {
    const { m } = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 6',
        '7 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '6 waitid(P_ALL, 0, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7, si_uid=0, si_status=0, si_utime=0, si_stime=0}, WEXITED, NULL) = 0',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [6, 1],
      [7, 6],
    ]);
  });

  test('a kernel SIGCHLD names the child; a SIGCHLD sent by kill (SI_USER) does not', () => {
    const kernel = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '5 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '5 +++ exited with 0 +++',
        '1 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
      ].join('\n'),
    );
    expect(lineage(kernel.m)).toEqual([
      [1, '-'],
      [5, 1],
    ]);
    const user = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '5 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '1 --- SIGCHLD {si_signo=SIGCHLD, si_code=SI_USER, si_pid=5, si_uid=0} ---',
      ].join('\n'),
    );
    expect(lineage(user.m)).toEqual([
      [1, '-'],
      [5, 'not traced'],
    ]);
  });

  test('a wait in a thread proves the thread group leader is the parent', () => {
    const { m } = manifestOf(
      [
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 4',
        '4 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 5',
        '9 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '9 +++ exited with 0 +++',
        '5 wait4(9, NULL, 0, NULL) = 9',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [4, 1],
      [5, 4],
      [9, 4],
    ]);
  });

  test('proof never overrides a proven parent, and never makes a loop', () => {
    const { m } = manifestOf(
      [
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
        '2 clone(child_stack=NULL, flags=SIGCHLD) = 3',
        '1 wait4(-1, NULL, 0, NULL) = 3',
        '3 wait4(-1, NULL, 0, NULL) = 1',
        '2 wait4(-1, NULL, 0, NULL) = 2',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [1, '-'],
      [2, 1],
      [3, 2],
    ]);
  });

  test('processes[].line is where the process first appears, not its exec', () => {
    const { m } = manifestOf(
      [
        '1 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
        '2 openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '2 execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0',
        '1 execve("/bin/x", ["x"], 0x0 /* 0 vars */) = 0',
      ].join('\n'),
    );
    expect(m.processes.map((p) => [p.pid, p.line])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});

/** strace 6.1, `strace -f -e trace=execve,clone,clone3,fork,vfork,wait4,openat sh -c '/bin/true'` to stderr (cut). */
const STDERR_VFORK = [
  'execve("/usr/bin/sh", ["sh", "-c", "/bin/true; /bin/true"], 0x7ffdf4230308 /* 39 vars */) = 0',
  'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  'vfork(strace: Process 16556 attached',
  ' <unfinished ...>',
  '[pid 16556] execve("/bin/true", ["/bin/true"], 0x5606bbe8bb98 /* 39 vars */ <unfinished ...>',
  '[pid 16555] <... vfork resumed>)        = 16556',
  '[pid 16555] wait4(-1,  <unfinished ...>',
  '[pid 16556] <... execve resumed>)       = 0',
  '[pid 16556] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  '[pid 16556] +++ exited with 0 +++',
  '<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 16556',
  '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=16556, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3',
  'wait4(-1, 0x7ffc09910f1c, WNOHANG, NULL) = -1 ECHILD (No child processes)',
  'exit_group(0)                           = ?',
  '+++ exited with 0 +++',
].join('\n');

/** The same with the vfork left out by -e trace= (`-e trace=execve,wait4,openat`): only wait4 and SIGCHLD tell. */
const STDERR_NO_FORK = [
  'execve("/usr/bin/sh", ["sh", "-c", "/bin/true"], 0x7ffe83ebba78 /* 39 vars */) = 0',
  'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  'strace: Process 10825 attached',
  '[pid 10825] execve("/bin/true", ["/bin/true"], 0x55b58fe99880 /* 39 vars */ <unfinished ...>',
  '[pid 10824] wait4(-1,  <unfinished ...>',
  '[pid 10825] <... execve resumed>)       = 0',
  '[pid 10825] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
  '[pid 10825] +++ exited with 0 +++',
  '<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 10825',
  '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=10825, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3',
  '+++ exited with 0 +++',
].join('\n');

describe('lines without a pid column (strace -f to stderr)', () => {
  test('the parser joins a call started unprefixed with its [pid N] resumption, and the reverse', () => {
    const evs = feed(strace, STDERR_VFORK);
    expect(warnings(evs)).toEqual([]);
    const calls = evs.filter((e): e is SyscallEvent => e.kind === 'syscall');
    expect(calls.find((e) => e.name === 'vfork')).toMatchObject({ pid: 16555, startedAs: 0, retval: 16556, line: 6 });
    expect(calls.find((e) => e.name === 'wait4' && e.ok)).toMatchObject({ pid: 16555, retval: 16556, line: 11 });
    expect(calls.find((e) => e.name === 'wait4' && e.ok)?.startedAs).toBeUndefined();
  });

  test('an unprefixed resumption with two such calls held is not guessed', () => {
    const evs = feed(
      strace,
      ['[pid 5] wait4(-1,  <unfinished ...>', '[pid 6] wait4(-1,  <unfinished ...>', '<... wait4 resumed>NULL, 0, NULL) = 7'].join('\n'),
    );
    expect(warnings(evs).map((w) => w.message)).toContainEqual(expect.stringMatching(/wait4 resumed for pid 0 without its start/));
  });

  test('the unprefixed first process takes its pid when its clone resumes as [pid N]', () => {
    const { m, warns } = manifestOf(STDERR_VFORK);
    expect(warns).toEqual([]);
    expect(lineage(m)).toEqual([
      [16555, '-'],
      [16556, 16555],
    ]);
    expect(m.processes[0]).toMatchObject({ pid: 16555, line: 1, exe: '/usr/bin/sh', exit: { code: 0 } });
    // its accesses from before and after the fork are one process's, folded
    expect(pidsOf(m, '/etc/ld.so.cache')).toEqual([16555, 16556]);
    expect(pidsOf(m, '/usr/bin/sh')).toEqual([16555]);
    expect(pidsOf(m, '/etc/passwd')).toEqual([16555]);
    expect(m.entries.flatMap((e) => e.accesses).some((a) => a.pid === 0)).toBe(false);
  });

  test('with the fork left out, the unprefixed process is the one left when the child is gone, proven parent by wait4', () => {
    const { m, warns } = manifestOf(STDERR_NO_FORK);
    expect(warns).toEqual([]);
    expect(lineage(m)).toEqual([
      [10824, '-'],
      [10825, 10824],
    ]);
    expect(m.processes[0]).toMatchObject({ pid: 10824, line: 1, exe: '/usr/bin/sh', exit: { code: 0 } });
    expect(pidsOf(m, '/etc/ld.so.cache')).toEqual([10824, 10825]);
    expect(pidsOf(m, '/etc/passwd')).toEqual([10824]);
  });

  test('a trace without -f keeps its one process as pid 0, even after a clone result names a child', () => {
    const { m } = manifestOf(
      [
        'execve("/bin/sh", ["sh"], 0x0 /* 0 vars */) = 0',
        'clone(child_stack=NULL, flags=SIGCHLD) = 42',
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        'wait4(-1, NULL, 0, NULL) = 42',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [0, '-'],
      [42, 0],
    ]);
    expect(pidsOf(m, '/a')).toEqual([0]);
  });

  test('after the first tracee is known, an unprefixed line is the only process left (the parent exited first)', () => {
    const { m } = manifestOf(
      [
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        'clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
        '[pid 8] openat(AT_FDCWD, "/c", O_RDONLY) = 3',
        '[pid 7] <... clone resumed>) = 8',
        '[pid 7] +++ exited with 0 +++',
        'openat(AT_FDCWD, "/d", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [7, '-'],
      [8, 7],
    ]);
    expect(pidsOf(m, '/a')).toEqual([7]);
    expect(pidsOf(m, '/d')).toEqual([8]);
  });

  test('once the unprefixed process has forked, the first pid no fork explains is that process (golang/go#11918 shape)', () => {
    const { m } = manifestOf(
      [
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        'clone(child_stack=NULL, flags=CLONE_VM|CLONE_THREAD) = 8',
        '[pid 8] openat(AT_FDCWD, "/c", O_RDONLY) = 3',
        '[pid 7] openat(AT_FDCWD, "/b", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [7, '-'],
      [8, 7],
    ]);
    expect(pidsOf(m, '/a')).toEqual([7]);
    expect(pidsOf(m, '/b')).toEqual([7]);
  });

  test('without a traced fork, a new pid is not taken for the unprefixed process', () => {
    const { m } = manifestOf(['openat(AT_FDCWD, "/a", O_RDONLY) = 3', '[pid 8] openat(AT_FDCWD, "/c", O_RDONLY) = 3'].join('\n'));
    expect(lineage(m)).toEqual([
      [0, '-'],
      [8, 'not traced'],
    ]);
  });

  test('a failed fork does not name the unprefixed process after the next pid', () => {
    const { m } = manifestOf(
      [
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        'clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)',
        '[pid 8] openat(AT_FDCWD, "/c", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [0, '-'],
      [8, 'not traced'],
    ]);
  });

  test('an unprefixed line with two other processes alive names neither', () => {
    const { m } = manifestOf(
      [
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        '[pid 7] openat(AT_FDCWD, "/b", O_RDONLY) = 3',
        '[pid 9] openat(AT_FDCWD, "/c", O_RDONLY) = 3',
        'openat(AT_FDCWD, "/d", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(m.processes.map((p) => p.pid)).toEqual([0, 7, 9]);
    expect(pidsOf(m, '/d')).toEqual([0]);
  });

  test('renamed accesses that become one fold: counts add, the earliest line is kept, whatever the order', () => {
    const b = new ManifestBuilder();
    const acc = { path: '/x', op: 'read' as const, ok: true, line: 9, syscall: 'openat' };
    b.add({ ...acc, pid: 7 });
    b.add({ ...acc, pid: 0, line: 3 });
    b.add({ ...acc, pid: 0, line: 4 });
    const m = b.finish({ files: ['t'], format: 'strace', detected: true, platform: 'linux', cwd: '/', lines: 0, bytes: 0 }, [], new Map([[0, 7]]));
    expect(m.entries[0].accesses).toEqual([{ op: 'read', ok: true, pid: 7, line: 3, syscall: 'openat', count: 3 }]);
  });

  test('an unprefixed line is never taken for a child of the unprefixed process', () => {
    const { m } = manifestOf(
      [
        'openat(AT_FDCWD, "/a", O_RDONLY) = 3',
        'clone(child_stack=NULL, flags=SIGCHLD) = 8',
        '[pid 8] openat(AT_FDCWD, "/c", O_RDONLY) = 3',
        'openat(AT_FDCWD, "/d", O_RDONLY) = 3',
      ].join('\n'),
    );
    expect(lineage(m)).toEqual([
      [0, '-'],
      [8, 0],
    ]);
    expect(pidsOf(m, '/d')).toEqual([0]);
  });
});
