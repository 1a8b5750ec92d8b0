/**
 * The chroot-aware model on a real trace of the rssh chain (traces/linux/rssh-chain/, README there): after the
 * helper's chroot, `execve("/usr/bin/scp") = -1 ENOENT` is the jail's /usr/bin/scp, and the host's /usr/bin/scp is
 * what the jail lacks. What runs before the chroot (rssh, the helper, rssh.conf) is never reported as missing, nor
 * is syslog's /dev/console fallback.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseTraces } from '../../src/trace.js';
import { splitFallbacks } from '../../src/verify/rounds.js';
import { findMissing } from '../../src/verify/analyze.js';
import type { Manifest } from '../../src/manifest/manifest.js';

const TRACE = path.resolve(import.meta.dirname, '../../traces/linux/rssh-chain/f.strace');
const JAIL = '/tmp/jt-rssh-jail';

describe('the rssh chain, chroot-aware', () => {
  let m: Manifest;
  let emptyJail: string;
  beforeAll(async () => {
    m = await parseTraces([TRACE], { cwd: '/' });
    emptyJail = await mkdtemp(path.join(os.tmpdir(), 'rsshside-empty-jail-'));
  });
  afterAll(async () => {
    await rm(emptyJail, { recursive: true, force: true });
  });

  test('the process chrooted into the jail; the failed exec carries its in-jail path', () => {
    const helper = m.processes.find((p) => p.exe === '/usr/local/libexec/rssh_chroot_helper');
    expect(helper?.root).toBe(JAIL);
    const scp = m.entries.find((e) => e.path === `${JAIL}/usr/bin/scp`);
    expect(scp?.accesses).toEqual([expect.objectContaining({ op: 'exec', ok: false, errno: 'ENOENT', jailPath: '/usr/bin/scp', syscall: 'execve' })]);
    // before the chroot: host paths, no in-jail path
    expect(m.entries.find((e) => e.path === '/etc/rssh.conf')?.accesses.every((a) => a.jailPath === undefined)).toBe(true);
  });

  test.skipIf(!existsSync('/usr/bin/scp'))('findMissing maps the post-chroot ENOENT exec back to the host /usr/bin/scp (needs openssh-client)', async () => {
    // what verify reports as missing: findMissing, less the fallbacks it lists as not needed (src/verify/rounds.ts)
    const split = splitFallbacks(await findMissing(m, emptyJail));
    const missing = split.needed;
    const paths = missing.map((x) => x.path);
    expect(missing.find((x) => x.path === '/usr/bin/scp')).toMatchObject({ kind: 'missing', errno: 'ENOENT', syscall: 'execve' });
    for (const pre of ['/usr/local/bin/rssh', '/usr/local/libexec/rssh_chroot_helper', '/etc/rssh.conf', '/etc/passwd']) expect(paths).not.toContain(pre);
    expect(paths).not.toContain('/dev/console'); // syslog's fallback after /dev/log failed
    expect(split.notNeeded.map((x) => x.path)).toContain('/dev/console'); // reported as such, never added
    expect(paths).not.toContain('/dev/log'); // logging: glibc drops the message and goes on
    expect(paths.every((p) => !p.startsWith(JAIL))).toBe(true); // host paths, never the jail's own
  });
});

describe('programs traced without --seccomp-bpf', () => {
  test('an argv naming rssh brings its helper; plain programs are not privileged', async () => {
    const { helpersOf, privilegedPrograms, argvPrograms } = await import('../../src/capture/privileged.js');
    expect(argvPrograms(['/usr/bin/rssh', '-c', 'scp -t /x', '/abs'])).toEqual(['/usr/bin/rssh', '/abs']);
    expect((await helpersOf(['/opt/x/bin/rssh', '-c', 'scp -t /x'])).length).toBe(1);
    expect(await helpersOf(['/usr/bin/scp', '-t', '/x'])).toEqual([]);
    expect(await privilegedPrograms(['/bin/true'])).toEqual([]);
  });

  test.skipIf(!existsSync('/usr/bin/passwd'))('a setuid program is found (passwd, setuid on Debian)', async () => {
    const { privilegedPrograms } = await import('../../src/capture/privileged.js');
    expect(await privilegedPrograms(['/usr/bin/passwd'])).toEqual([{ path: '/usr/bin/passwd', why: 'setuid' }]);
  });
});
