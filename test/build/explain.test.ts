/**
 * explain on each role, ldd-diff, --with-static-deps and --from-rssh-conf, on jails built from the committed probe
 * capture (root: mknod, chown). The probe ran a wordexp shell, dlopen'd libm, read NSS files, opened /dev/null and
 * tried /dev/log.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot } from './session.js';
import { CLI, ROOT } from '../support/cli.js';

const PROBE = path.join(ROOT, 'traces/linux/probe/f.strace');
const jt = (args: string[]) => execa('node', [CLI, ...args], { reject: false });

interface Explanation {
  inJail: boolean;
  entry?: { role: string; decision: string; via: string };
  chain: Array<{ path: string; via: string }>;
  advice: string[];
}

describe.skipIf(!isRoot)('explain, ldd-diff, static deps, many jails (needs root)', () => {
  let base: string;
  let jail: string;
  beforeAll(async () => {
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jailtrace-explain-');
    jail = path.join(base, 'jail');
    const r = await jt(['build', jail, '--trace', PROBE, '--cwd', '/', '--exclude', '/tmp/jt-probe-work', '--exclude', '/tmp/jt-probe-bin', '-q']);
    expect(r.exitCode).toBe(0);
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  const explain = async (p: string): Promise<Explanation> => JSON.parse((await jt(['explain', p, '--jail', jail, '--json'])).stdout) as Explanation;

  test.each([
    ['/lib64/ld-linux-x86-64.so.2', 'loader', 'copy', 'interp'],
    ['/lib/x86_64-linux-gnu/libc.so.6', 'library', 'copy', 'trace'],
    ['/lib/x86_64-linux-gnu/libm.so.6', 'library', 'copy', 'trace'],
    ['/bin/sh', 'shell', 'copy', 'trace'],
    ['/etc/nsswitch.conf', 'config', 'copy', 'trace'],
    ['/etc/passwd', 'account', 'generate', 'trace'],
    ['/dev/null', 'device', 'create', 'trace'],
    ['/dev/log', 'socket', 'report-only', 'trace'],
    ['/lib', 'symlink', 'create', 'symlink'],
  ])('%s: %s, %s', async (p, role, decision, via) => {
    const x = await explain(p);
    expect(x.entry).toMatchObject({ role, decision });
    expect(x.chain[0]?.via ?? x.entry?.via).toBe(via);
  });

  test('the loader is explained back to the program whose PT_INTERP names it', async () => {
    const x = await explain('/lib64/ld-linux-x86-64.so.2');
    expect(x.chain.map((c) => c.via)).toContain('interp');
    expect(
      x.chain
        .slice(1)
        .map((c) => c.path)
        .join(' '),
    ).toMatch(/probe|true|dash/);
    const text = (await jt(['explain', '/lib64/ld-linux-x86-64.so.2', '--jail', jail])).stdout;
    expect(text).toMatch(/ELF interpreter \(PT_INTERP\) of \//);
    expect(text).toContain('through the symlink /lib64 -> usr/lib64');
  });

  test('a file nothing needed: not in the jail, exit 1, and what to do', async () => {
    const r = await jt(['explain', '/etc/shadow', '--jail', jail]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/not in the jail/);
    expect(r.stdout).toMatch(/verify .* --fix/);
  });

  test('ldd-diff: what ldd misses and what it lists', async () => {
    const r = await jt(['ldd-diff', PROBE, '--cwd', '/', '--exclude', '/tmp/jt-probe-work', '--json']);
    const d = JSON.parse(r.stdout) as { invisible: Record<string, string[]>; both: string[]; unused: string[] };
    expect(d.invisible['dlopened libraries']).toEqual(['/usr/lib/x86_64-linux-gnu/libm.so.6']);
    expect(d.invisible.shells).toEqual(['/usr/bin/dash']);
    expect(d.invisible.devices).toContain('/dev/null');
    expect(d.invisible['configuration files']).toEqual(expect.arrayContaining(['/etc/nsswitch.conf', '/etc/passwd']));
    expect(d.both).toContain('/usr/lib/x86_64-linux-gnu/libc.so.6');
  });

  test('--with-static-deps adds the DT_NEEDED closure and says which files came only from it', async () => {
    const j2 = path.join(base, 'static');
    await jt(['build', j2, '--trace', PROBE, '--cwd', '/', '--exclude', '/tmp/jt-probe-work', '--with-static-deps', '-q']);
    const dryRun = [
      'build',
      path.join(base, 'plain'),
      '--trace',
      path.join(ROOT, 'traces/linux/sftp-server/f.strace'),
      '--cwd',
      '/',
      '--exclude',
      '/tmp/jt-sftp-work',
      '--dry-run',
    ];
    const plain = await jt(dryRun);
    const withDeps = await jt([...dryRun, '--with-static-deps']);
    expect(plain.stdout).not.toContain('--with-static-deps');
    // sftp-server's static closure is libc + loader, which the trace already has: nothing static-only
    expect(withDeps.stdout.split('\n').filter((l) => l.includes('(--with-static-deps)'))).toEqual([]);
    expect(existsSync(path.join(j2, 'usr/lib/x86_64-linux-gnu/libc.so.6'))).toBe(true);
  });

  test('build --from-rssh-conf: one jail per user with the services rssh allows them, identical files hard-linked', async () => {
    await ensureUser('jt-rssh-a');
    await ensureUser('jt-rssh-b');
    const conf = path.join(base, 'rssh.conf');
    await writeFile(conf, `# rssh.conf\nallowscp\nuser=jt-rssh-a:022:000110:${base}/ra\nuser = "jt-rssh-b:022:000100:${base}/rb"  # sftp only\n`);
    const r = await jt(['build', '--from-rssh-conf', conf, '--output-dir', path.join(base, 't'), '-q']);
    expect(r.exitCode).toBe(0);
    expect(existsSync(path.join(base, 'ra/usr/bin/scp'))).toBe(true);
    expect(existsSync(path.join(base, 'rb/usr/bin/scp'))).toBe(false);
    const a = await stat(path.join(base, 'ra/usr/lib/x86_64-linux-gnu/libc.so.6'));
    const b = await stat(path.join(base, 'rb/usr/lib/x86_64-linux-gnu/libc.so.6'));
    expect(a.ino).toBe(b.ino);
    const bad = path.join(base, 'bad.conf');
    await writeFile(bad, 'user=oops:022\n');
    const e = await jt(['build', '--from-rssh-conf', bad]);
    expect(e.exitCode).toBe(2);
    expect(e.stderr).toMatch(/bad\.conf.*1|line 1/);
  });
});
