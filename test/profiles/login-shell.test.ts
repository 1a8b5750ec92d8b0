/** sshd runs every session command as `SHELL -c COMMAND` (session.c do_child): which shell, and the command quoted. */
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { sessionCommand, sessionShell, shCommand } from '../../src/profiles/login-shell.js';
import { UsageError } from '../../src/errors.js';

const user = (shell: string) => ({ name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell });

describe('sessionShell', () => {
  test.each([
    ['/bin/bash', '/bin/bash'],
    ['/bin/sh', '/bin/sh'],
    ['/usr/bin/zsh', '/usr/bin/zsh'],
    // an empty passwd field means /bin/sh to sshd (_PATH_BSHELL)
    ['', '/bin/sh'],
  ])('%j → %s', (field, shell) => expect(sessionShell(field)).toEqual({ shell }));

  test.each([
    ['/usr/sbin/nologin', 'refuses every session'],
    ['/bin/false', 'refuses every session'],
    ['/usr/local/bin/rssh', 'is rssh'],
  ])('%s is not a shell: %s', (field, why) => expect(sessionShell(field)).toEqual({ why: expect.stringContaining(why) }));
});

describe('shCommand quotes what sshd receives so the shell reads back the same words', () => {
  test.each([
    [['scp', '-t', '/tmp/jailtrace-scp-x/up'], 'scp -t /tmp/jailtrace-scp-x/up'],
    [['/usr/lib/openssh/sftp-server'], '/usr/lib/openssh/sftp-server'],
    [['scp', '-t', '/tmp/a b'], "scp -t '/tmp/a b'"],
    [['echo', "it's", '$HOME', '*', ''], "echo 'it'\\''s' '$HOME' '*' ''"],
  ])('%j → %s', async (argv, want) => {
    expect(shCommand(argv)).toBe(want);
    // round trip through a real sh: the words come back unchanged
    const r = await execa('/bin/sh', ['-c', `for w in ${shCommand(argv)}; do printf '%s\\0' "$w"; done`]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(argv);
  });
});

describe('sessionCommand', () => {
  test("a real shell: SHELL -c COMMAND, sshd's PATH and SHELL, the host home is not jail content", async () => {
    const s = await sessionCommand(user('/bin/sh'), ['scp', '-t', '/tmp/x y']);
    expect(s.argv).toEqual(['/bin/sh', '-c', "scp -t '/tmp/x y'"]);
    expect(s.shell).toBe('/bin/sh');
    expect(s.excludes).toEqual(['/home/alice']);
    expect(s.env({ PATH: '/usr/bin:/bin', HOME: '/home/alice' })).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/games',
      HOME: '/home/alice',
      SHELL: '/bin/sh',
    });
  });

  test('nologin: the command itself, and a note why', async () => {
    const s = await sessionCommand(user('/usr/sbin/nologin'), ['/usr/lib/openssh/sftp-server']);
    expect(s.argv).toEqual(['/usr/lib/openssh/sftp-server']);
    expect(s.note).toMatch(/alice: the login shell \/usr\/sbin\/nologin refuses every session/);
  });

  test('no user: unchanged', async () => {
    expect((await sessionCommand(undefined, ['scp', '-t', '/x'])).argv).toEqual(['scp', '-t', '/x']);
  });

  test('a shell missing on the host: a usage error that says what to do', async () => {
    await expect(sessionCommand(user('/opt/none/bin/fish'), ['scp'])).rejects.toThrow(UsageError);
    await expect(sessionCommand(user('/opt/none/bin/fish'), ['scp'])).rejects.toThrow(/login shell \/opt\/none\/bin\/fish is not an executable/);
  });
});
