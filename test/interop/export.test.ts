/** jailtrace export on a recorded trace: what build would copy, in tar/cpio/rsync and jailkit form. */
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { CLI } from '../support/cli.js';

const jailtrace = (...args: string[]) => execa('node', [CLI, ...args], { reject: false, encoding: 'buffer' });
const SFTP = ['--cwd', '/tmp/jt-sftp-work', '--exclude', '/tmp/jt-sftp-work', 'traces/linux/sftp-server/f.strace'];

describe('jailtrace export', () => {
  test('--files-from: NUL-separated, relative, with the ELF interpreter; no account files', async () => {
    const r = await jailtrace('export', '--files-from', ...SFTP);
    expect(r.exitCode).toBe(0);
    const list = Buffer.from(r.stdout).toString('utf8').split('\0');
    expect(list).toContain('usr/lib/openssh/sftp-server');
    expect(list).toContain('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
    expect(list).not.toContain('etc/passwd');
    expect(list.every((p) => !p.startsWith('/'))).toBe(true);
  });

  test('--jk-ini SECTION', async () => {
    const r = await jailtrace('export', '--jk-ini', 'sftp-traced', ...SFTP);
    const text = Buffer.from(r.stdout).toString('utf8');
    expect(text).toMatch(/^\[sftp-traced\]\n/);
    expect(text).toMatch(/^paths = .*\/usr\/lib\/openssh\/sftp-server/m);
    expect(text).toMatch(/^devices = \/dev\/null$/m);
  });

  test.each([[['export', ...SFTP]], [['export', '--files-from', '--jk-ini', 'x', ...SFTP]], [['export', '--files-from']]])(
    'usage errors exit 2: %j',
    async (args) => {
      expect((await jailtrace(...args)).exitCode).toBe(2);
    },
  );
});
