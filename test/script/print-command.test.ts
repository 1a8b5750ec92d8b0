/** The tracer command per platform (for `capture --platform P --print-command`). */
import { describe, expect, test } from 'vitest';
import { profileArgv, profileHowTo, SOLARIS_TRUSS_SYSCALLS, tracerCommandLine } from '../../src/capture/print-command.js';
import { TRACE_SET } from '../../src/capture/args.js';

describe('tracerCommandLine', () => {
  test.each([
    ['solaris', ['truss', '-f', '-a', '-o', '/tmp/t', '-t', SOLARIS_TRUSS_SYSCALLS.join(','), '/usr/lib/ssh/sftp-server']],
    ['aix', ['truss', '-f', '-a', '-o', '/tmp/t', '/usr/sbin/sftp-server']],
    ['freebsd', ['truss', '-f', '-o', '/tmp/t', '/usr/libexec/sftp-server']],
    ['macos', ['sh', '-c', 'exec dtruss -f "$@" 2>/tmp/t', 'dtruss', '/usr/libexec/sftp-server']],
    ['linux', ['strace', '-f', '-q', '-o', '/tmp/t', '-e', `trace=${TRACE_SET.join(',')}`, '--', '/usr/lib/openssh/sftp-server']],
  ] as const)('%s, sftp profile', (platform, expected) => {
    expect(tracerCommandLine(platform, { output: '/tmp/t', profile: 'sftp', follow: true })).toEqual(expected);
  });

  test('a command instead of a profile; no -f without follow; odd output names quoted for dtruss', () => {
    expect(tracerCommandLine('freebsd', { output: 'o', argv: ['ls', '-l'], follow: false })).toEqual(['truss', '-o', 'o', 'ls', '-l']);
    expect(tracerCommandLine('linux', { output: 'o', argv: ['true'], follow: false })).not.toContain('-f');
    expect(tracerCommandLine('macos', { output: "it's", argv: ['ls'], follow: false })[2]).toBe(`exec dtruss "$@" 2>'it'\\''s'`);
    expect(() => tracerCommandLine('aix', { output: 'o', follow: true })).toThrow(/nothing to trace/);
  });

  test('Solaris -t names: no name missing from Solaris 10 or current illumos truss tables', () => {
    for (const gone of ['xstat', 'lxstat', 'faccessat', 'mmapobj']) expect(SOLARIS_TRUSS_SYSCALLS).not.toContain(gone);
    expect(SOLARIS_TRUSS_SYSCALLS).toEqual(expect.arrayContaining(['resolvepath', 'chroot', 'fork1', 'forkx', 'vfork', 'door_call', 'so_socket', 'connect']));
  });

  test('profiles: scp is the upload sink; how to drive sftp by hand', () => {
    expect(profileArgv('aix', 'scp')).toEqual(['/usr/bin/scp', '-t', '/tmp/jailtrace-scp']);
    const how = profileHowTo('solaris', 'sftp', tracerCommandLine('solaris', { output: '/tmp/t', profile: 'sftp', follow: true }));
    expect(how[0]).toMatch(/^sftp -D 'truss -f -a -o \/tmp\/t -t open,.* \/usr\/lib\/ssh\/sftp-server'/);
    expect(how[1]).toMatch(/^sftp -s '.*' localhost/);
  });
});
