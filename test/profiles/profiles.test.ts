import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { runProfile } from '../../src/profiles/index.js';
import { whichExecutable } from '../../src/capture/find.js';
import { sftpBatch } from '../../src/profiles/sftp.js';
import { sftpDirectCommand } from '../../src/profiles/workspace.js';
import { parseTraces } from '../../src/trace.js';
import { ensureTestUser, skipReason, TEST_USER } from '../capture/helpers.js';

test('sftp -D cannot carry a path with a space: a UsageError that says so', () => {
  expect(() => sftpDirectCommand(['strace', '-o', '/tmp/a b/f', 'x'])).toThrow(/splits its command on whitespace/);
  expect(sftpDirectCommand(['a', 'b'])).toBe('a b');
});

test('the sftp batch: every request kind, the failing one with a leading -', () => {
  const b = sftpBatch('/r', '/l').split('\n');
  expect(b.slice(0, 2)).toEqual(['cd "/r"', 'lcd "/l"']);
  for (const cmd of ['ls -l', 'put ', 'get ', 'mkdir ', 'rename ', 'symlink ', '-ls -l missing', 'rm ', 'rmdir '])
    expect(b.some((l) => l.startsWith(cmd))).toBe(true);
});

const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const reason = skipReason(SFTP_SERVER, '/usr/bin/sftp', '/usr/bin/scp');

describe.skipIf(reason !== undefined)(`profiles end to end ${reason ? `[${reason}]` : '[root, real sftp-server and scp]'}`, () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'jt-profiles-'));
    await ensureTestUser();
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  const paths = (m: Awaited<ReturnType<typeof parseTraces>>) =>
    new Map(m.entries.map((e) => [e.path, e.accesses.map((a) => `${a.op}${a.ok ? '' : `!${a.errno}`}`)]));

  test.each([
    ['as root', undefined],
    [`as ${TEST_USER}`, TEST_USER],
  ])('sftp %s: every step ok, the trace streams and parses to the server exec and /etc/passwd', async (_n, user) => {
    const dir = await mkdtemp(path.join(out, 'sftp-'));
    const chunks: Buffer[] = [];
    const run = await runProfile('sftp', { outputDir: dir, user, onData: (c, i) => i === 0 && chunks.push(Buffer.from(c)) });
    expect(run.steps.filter((s) => !s.ok)).toEqual([]);
    expect(run.steps.length).toBeGreaterThanOrEqual(5);
    expect(run.traces).toEqual([path.join(dir, 'sftp-server.strace')]);
    const raw = await readFile(run.traces[0]);
    expect(raw.length).toBeGreaterThan(1000);
    expect(Buffer.concat(chunks).equals(raw)).toBe(true);
    const m = await parseTraces(run.traces, { cwd: run.cwd });
    const p = paths(m);
    expect(p.get(SFTP_SERVER)).toContain('exec');
    expect(p.get('/etc/passwd')).toContain('read');
    // the workload's scratch files are in the trace, and in excludes
    const scratch = [...p.keys()].filter((k) => run.excludes.some((x) => k.startsWith(`${x}/`)));
    expect(scratch.some((k) => k.endsWith('/remote/newdir'))).toBe(true);
    expect(m.processes[0].exit).toEqual({ code: 0 });
    // the scratch dirs are gone after the run
    for (const x of run.excludes) await expect(stat(x)).rejects.toThrow(/ENOENT/);
  });

  test.each([
    ['as root', undefined],
    [`as ${TEST_USER}`, TEST_USER],
  ])('scp %s: three traced runs, bytes intact, traces parse', async (_n, user) => {
    const dir = await mkdtemp(path.join(out, 'scp-'));
    const seen = new Set<number>();
    const run = await runProfile('scp', { outputDir: dir, user, onData: (_c, i) => seen.add(i) });
    expect(run.steps.filter((s) => !s.ok)).toEqual([]);
    expect(run.traces).toHaveLength(3);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    const m = await parseTraces(run.traces, { cwd: run.cwd });
    const p = paths(m);
    expect(p.get('/usr/bin/scp')).toContain('exec');
    expect(p.get('/etc/passwd')).toContain('read');
    expect([...p.keys()].some((k) => k.endsWith('/up/upload.bin') && p.get(k)!.includes('create'))).toBe(true);
    expect([...p.keys()].some((k) => k.endsWith('/down/download.bin') && p.get(k)!.includes('read'))).toBe(true);
    expect([...p.keys()].some((k) => k.endsWith('/up-r/tree/sub/b.txt'))).toBe(true);
  });

  test('rssh: not installed → a UsageError the CLI prints as a skip; installed → a run', async () => {
    // The host decides which outcome is right (not the outcome itself): a run that throws where rssh is installed fails.
    const installed = (await whichExecutable('rssh', `${process.env.PATH ?? ''}:/usr/local/bin:/usr/bin:/bin`)) !== undefined;
    const r = await runProfile('rssh', { outputDir: out }).catch((e: unknown) => e);
    if (installed) expect(r).toMatchObject({ name: 'rssh' });
    else {
      expect(r).toBeInstanceOf(UsageError);
      expect((r as UsageError).message).toMatch(/rssh is not installed on this host.*profiles sftp and scp/);
    }
  });

  test('a server path with a space cannot go through sftp -D', async () => {
    await expect(
      runProfile('sftp', { outputDir: out, sftpServer: '/bin/true', chrootCommand: ['chroot', '/a b'], scratchRoot: out, scratchInJail: '/x' }),
    ).rejects.toThrow(/whitespace/);
  });
});

/** A minimal jail for the server: the binary, its ldd closure, the NSS files. */
async function miniJail(root: string, bins: string[]): Promise<void> {
  const { execa } = await import('execa');
  const { cp, mkdir: mk } = await import('node:fs/promises');
  const files = new Set<string>(['/etc/passwd', '/etc/group', '/etc/nsswitch.conf']);
  for (const b of bins) {
    files.add(b);
    const ldd = await execa('ldd', [b]);
    for (const m of ldd.stdout.matchAll(/(\/\S+) \(0x/g)) files.add(m[1]);
  }
  for (const f of files) {
    await mk(path.join(root, path.dirname(f)), { recursive: true });
    await cp(f, path.join(root, f), { dereference: true });
  }
  await mk(path.join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  await mk(path.join(root, 'dev'));
  await execa('mknod', ['-m', '666', path.join(root, 'dev', 'null'), 'c', '1', '3']);
}

describe.skipIf(reason !== undefined)(`chroot mode (verify) ${reason ? `[${reason}]` : '[root]'}`, () => {
  test.each(['sftp', 'scp'] as const)('%s through chroot --userspec: traced inside the jail, scratch in the jail', async (name) => {
    const jail = await mkdtemp(path.join(os.tmpdir(), 'jt-jail-'));
    const out = await mkdtemp(path.join(os.tmpdir(), 'jt-jail-out-'));
    try {
      await ensureTestUser();
      const { chmod } = await import('node:fs/promises');
      await chmod(jail, 0o755); // mkdtemp makes it 0700: the user could not even reach the server
      await miniJail(jail, [SFTP_SERVER, '/usr/bin/scp']);
      const { chown, mkdir: mk } = await import('node:fs/promises');
      const { execFileSync } = await import('node:child_process');
      const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', TEST_USER], { encoding: 'utf8' }));
      await mk(path.join(jail, 'tmp', 'work'));
      await chown(path.join(jail, 'tmp', 'work'), uid, gid);
      const run = await runProfile(name, {
        outputDir: out,
        user: TEST_USER,
        chrootCommand: ['chroot', `--userspec=${TEST_USER}:${TEST_USER}`, jail],
        scratchRoot: path.join(jail, 'tmp', 'work'),
        scratchInJail: '/tmp/work',
      });
      expect(run.steps.filter((s) => !s.ok)).toEqual([]);
      const m = await parseTraces(run.traces, { cwd: run.cwd });
      const chrootProc = m.processes.find((p) => p.root && p.root !== '/');
      expect(chrootProc?.root).toBe(jail);
      // inside the jail the server saw /etc/passwd: the manifest names the host file in the jail, with its jail path
      const passwd = m.entries.find((e) => e.path === path.join(jail, 'etc/passwd'));
      expect(passwd?.accesses.some((a) => a.jailPath === '/etc/passwd')).toBe(true);
    } finally {
      await rm(jail, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  });
});
