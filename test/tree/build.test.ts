import { describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/manifest/manifest.js';
import { parseTraces } from '../../src/trace.js';
import { buildTree, type TreeNode } from '../../src/tree/build.js';
import { renderTreeDot } from '../../src/tree/dot.js';
import { renderTree } from '../../src/tree/render.js';

const tree = async (file: string, all = false) => buildTree(await parseTraces([file], { cwd: '/' }), { all });
const execs = (n: TreeNode) => n.accesses.filter((a) => a.op === 'exec').map((a) => a.jailPath ?? a.path);
const ops = (n: TreeNode) => n.accesses.map((a) => `${a.ok ? '' : '✗'}${a.op} ${a.jailPath ?? a.path}${a.ok ? '' : ` ${a.errno}`}`);

describe('rssh chain: helper → chroot → shell/server', () => {
  test.each([
    ['traces/solaris/rssh-chroot-f.truss', 2301, 2302, ['/usr/bin/ksh', '/usr/lib/ssh/sftp-server']],
    ['traces/aix/rssh-chroot-fl.truss', 311420, 311421, ['/usr/bin/ksh93', '/usr/local/libexec/sftp-server', '/usr/lib/ssh/sftp-server']],
    ['traces/freebsd/rssh-chroot-fd.truss', 4120, 4121, ['/bin/sh', '/usr/libexec/sftp-server']],
  ])('%s', async (file, helper, child, childExecs) => {
    const t = await tree(file);
    expect(t.roots.map((r) => r.pid)).toEqual([helper]);
    const root = t.roots[0];
    expect(root.program).toBe('rssh_chroot_helper');
    expect(root.root).toBe('/var/jail');
    expect(root.accesses.filter((a) => a.op === 'chroot' && a.ok).map((a) => a.path)).toEqual(['/var/jail']);
    expect(root.children.map((c) => c.pid)).toEqual([child]);
    const c = root.children[0];
    expect(c.parent).toBe(helper);
    expect(c.root).toBe('/var/jail');
    expect(execs(c)).toEqual(childExecs);
    // the chroot's host path is kept beside what the process named
    expect(c.accesses.find((a) => a.op === 'exec')!.path).toBe(`/var/jail${childExecs[0]}`);
  });

  test('solaris: default view keeps execs, chroots, connects and failures only', async () => {
    const t = await tree('traces/solaris/rssh-chroot-f.truss');
    const [helper] = t.roots;
    expect(ops(helper)).toEqual(['exec /usr/local/libexec/rssh_chroot_helper', 'chroot /var/jail', '✗read /var/ld/ld.config ENOENT']);
    expect(helper.hidden).toBe(7); // with /lib/ld.so.1, what resolvepath says /usr/lib/ld.so.1 is
    expect(ops(helper.children[0])).toEqual([
      'exec /usr/bin/ksh',
      'exec /usr/lib/ssh/sftp-server',
      'connect /var/tmp/agent.sock',
      '✗stat /home/alice/upload ENOENT',
    ]);
    expect(helper.children[0].jailExe).toBe('/usr/lib/ssh/sftp-server');
  });

  test('--all keeps everything, grouped by op then line', async () => {
    const t = await tree('traces/solaris/rssh-chroot-f.truss', true);
    const [helper] = t.roots;
    expect(helper.hidden).toBe(0);
    expect(helper.accesses.map((a) => a.op)).toEqual(['exec', 'chroot', 'chdir', 'read', 'read', 'read', 'readlink', 'stat', 'stat', 'stat']);
    expect(helper.accesses.find((a) => a.resolvedFrom !== undefined)).toMatchObject({
      op: 'stat',
      path: '/lib/ld.so.1',
      resolvedFrom: '/usr/lib/ld.so.1',
      line: 2,
    });
    expect(helper.failures).toBe(1);
  });

  test('freebsd: exit statuses and a refused /var/run/log connect', async () => {
    const t = await tree('traces/freebsd/rssh-chroot-fd.truss');
    const [helper] = t.roots;
    expect(helper.exit).toEqual({ code: 0 });
    expect(ops(helper.children[0])).toContain('✗connect /var/run/log ECONNREFUSED');
  });
});

test('linux probe (cwd /): the leader forks sh and /bin/true, argv and exits kept, repeats folded', async () => {
  const t = await tree('traces/linux/probe/f.strace');
  expect(t.roots.map((r) => r.pid)).toEqual([5491]);
  const [leader] = t.roots;
  expect(leader.argv).toEqual(['/tmp/jt-probe-bin/probe', '/tmp/jt-probe-work']);
  expect(leader.children.map((c) => [c.pid, c.program, c.argv, c.exit])).toEqual([
    [5492, 'sh', ['/bin/sh', '-c', 'echo hi'], { code: 0 }],
    [5493, 'probe', ['/tmp/jt-probe-bin/probe', '/tmp/jt-probe-work'], { code: 0 }],
    [5494, 'true', ['true'], { code: 0 }],
  ]);
  expect(execs(leader.children[0])).toEqual(['/bin/sh']);
  expect(execs(leader.children[2])).toEqual(['/bin/true']);
  expect(leader.accesses.find((a) => a.path === '/var/run/nscd/socket')).toMatchObject({ op: 'connect', ok: false, errno: 'ENOENT', count: 4 });
});

describe('shape', () => {
  const base: Manifest = {
    schema: 'jailtrace.manifest/1',
    source: { files: ['t'], format: 'strace', detected: true, platform: 'linux', cwd: '/', lines: 9, bytes: 9 },
    entries: [],
    processes: [],
    warnings: [],
    warningCount: 0,
  };

  test('pids seen only in accesses get a node; unknown parents make roots', () => {
    const t = buildTree({
      ...base,
      processes: [{ pid: 10, parent: 1, line: 1 }],
      entries: [{ path: '/bin/x', accesses: [{ op: 'exec', ok: true, pid: 11, line: 5, syscall: 'execve' }] }],
    });
    expect(t.roots.map((r) => [r.pid, r.program])).toEqual([
      [10, undefined],
      [11, 'x'],
    ]);
  });

  test('parentNotTraced travels from the manifest to the node, the text and the dot picture; a resolved path keeps its origin', () => {
    const t = buildTree(
      {
        ...base,
        processes: [
          { pid: 1, line: 1 },
          { pid: 2, line: 4, parentNotTraced: true },
        ],
        entries: [
          { path: '/lib/ld.so.1', accesses: [{ op: 'stat', ok: true, pid: 1, line: 2, syscall: 'resolvepath', resolvedFrom: '/usr/lib/ld.so.1' }] },
          { path: '/usr/lib/ld.so.1', accesses: [{ op: 'stat', ok: true, pid: 1, line: 3, syscall: 'stat' }] },
        ],
      },
      { all: true },
    );
    expect(t.roots.map((r) => [r.pid, r.parentNotTraced])).toEqual([
      [1, undefined],
      [2, true],
    ]);
    expect(t.roots[0].accesses.map((a) => [a.path, a.resolvedFrom])).toEqual([
      ['/lib/ld.so.1', '/usr/lib/ld.so.1'],
      ['/usr/lib/ld.so.1', undefined],
    ]);
    expect(renderTree(t)).toContain('\n2  (parent not traced)\n');
    expect(renderTree(t)).toContain('stat     /lib/ld.so.1  (resolved from /usr/lib/ld.so.1)\n');
    expect(renderTreeDot(t)).toContain('pid 2\\nparent not traced');
    expect(renderTreeDot(t)).not.toContain('pid 1\\nparent not traced');
  });

  test('a parent loop is broken into roots, not lost', () => {
    const t = buildTree({
      ...base,
      processes: [
        { pid: 1, parent: 2, line: 1 },
        { pid: 2, parent: 1, line: 2 },
      ],
    });
    expect(t.roots.map((r) => r.pid)).toEqual([1, 2]);
  });

  test('accesses folded across trace files add their counts', () => {
    const t = buildTree({
      ...base,
      processes: [{ pid: 7, line: 1 }],
      entries: [
        {
          path: '/dev/null',
          accesses: [
            { op: 'read', ok: false, errno: 'ENOENT', pid: 7, line: 3, syscall: 'open', count: 2 },
            { op: 'read', ok: false, errno: 'ENOENT', pid: 7, line: 9, file: 1, syscall: 'open' },
          ],
        },
      ],
    });
    expect(t.roots[0].accesses).toEqual([{ op: 'read', path: '/dev/null', ok: false, errno: 'ENOENT', line: 3, count: 3 }]);
  });
});
