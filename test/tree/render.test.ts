import { expect, test } from 'vitest';
import { parseTraces } from '../../src/trace.js';
import { buildTree } from '../../src/tree/build.js';
import { quoteArg, renderTree } from '../../src/tree/render.js';

const render = async (file: string, opts: { all?: boolean; color?: boolean } = {}) =>
  renderTree(buildTree(await parseTraces([file], { cwd: '/' }), { all: opts.all }), { color: opts.color });

test('solaris rssh: the chain an admin reads at a glance', async () => {
  expect(await render('traces/solaris/rssh-chroot-f.truss')).toBe(
    [
      'traces/solaris/rssh-chroot-f.truss: truss-solaris, 2 processes, 2 failed accesses (showing execs, chroots, connects and failures; --all shows everything)',
      '',
      '2301 rssh_chroot_helper  /usr/local/libexec/rssh_chroot_helper  (root /var/jail)',
      '│   exec     /usr/local/libexec/rssh_chroot_helper',
      '│   chroot   /var/jail',
      '│ ✗ read     /var/ld/ld.config  ENOENT',
      '│   … 7 more (--all)',
      '└─ 2302 sftp-server  /usr/lib/ssh/sftp-server  (root /var/jail)',
      '       exec     /usr/bin/ksh  (host /var/jail/usr/bin/ksh)',
      '                /usr/lib/ssh/sftp-server  (host /var/jail/usr/lib/ssh/sftp-server)',
      '       connect  /var/tmp/agent.sock  (host /var/jail/var/tmp/agent.sock)',
      '     ✗ stat     /home/alice/upload  ENOENT  (host /var/jail/home/alice/upload)',
      '       … 3 more (--all)',
      '',
    ].join('\n'),
  );
  // Solaris resolvepath: the real file behind the name is listed with where it came from
  expect(await render('traces/solaris/rssh-chroot-f.truss', { all: true })).toContain('│   stat     /lib/ld.so.1  (resolved from /usr/lib/ld.so.1)\n');
});

test('linux probe: siblings drawn with ├─ and └─, argv quoted, exits shown', async () => {
  const text = await render('traces/linux/probe/f.strace');
  expect(text).toContain('5491 probe  /tmp/jt-probe-bin/probe /tmp/jt-probe-work  (exit 0)\n');
  expect(text).toContain("├─ 5492 sh  /bin/sh -c 'echo hi'  (exit 0)\n");
  expect(text).toContain('└─ 5494 true  (exit 0)\n       exec     /bin/true\n');
  expect(text).toContain('│ ✗ connect  /var/run/nscd/socket  ×4  ENOENT\n');
});

test('colour: failures red only when asked, the ✗ marker either way', async () => {
  const plain = await render('traces/aix/rssh-chroot-fl.truss');
  expect(plain).not.toContain('\x1b');
  expect(plain).toContain('✗ read     /etc/netsvc.conf  EACCES');
  const red = await render('traces/aix/rssh-chroot-fl.truss', { color: true });
  const redLines = red.split('\n').filter((l) => l.includes('\x1b[31m'));
  expect(redLines).toHaveLength(3);
  expect(redLines.every((l) => l.includes('✗') && l.endsWith('\x1b[0m'))).toBe(true);
});

test.each([
  ['plain', 'plain'],
  ['-c', '-c'],
  ['echo hi', "'echo hi'"],
  ["it's", "'it'\\''s'"],
  ['', "''"],
  ['a\nb', "$'a\\nb'"],
])('quoteArg(%j)', (arg, quoted) => expect(quoteArg(arg)).toBe(quoted));
