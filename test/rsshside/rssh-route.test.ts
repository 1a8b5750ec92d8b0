/**
 * Both rssh routes, first try, checked through the real chain and not through jailtrace's own verify:
 * `build JAIL --profile rssh --user U` with the jail absent, and `build --from-rssh-conf /etc/rssh.conf`. Afterwards,
 * as the user: `rssh -c 'scp -t DIR'` fed by the scp protocol client (upload, then `scp -f` download), and a real
 * sftp session with `sftp -D "rssh -c /usr/lib/openssh/sftp-server"` (put, get, ls, mkdir, rename, rm); the bytes
 * round-trip (sha256). rssh still refuses a shell and other commands. The jail holds neither rssh, its helper,
 * rssh.conf nor any setuid file, and the home is where the helper chdirs (home minus the chroot path).
 * /etc/rssh.conf is global and other tests write it: this one builds its own rssh 2.3.4 from ../shared/rssh into a
 * private prefix (its config, helper and rssh.conf compiled in there; `rssh -v` tells jailtrace), so it never touches
 * /etc/rssh.conf nor a jail someone else's config names.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ScpClient, type ScpEntry } from '../../src/profiles/scp-protocol.js';
import { isRoot } from '../support/root.js';
import { CLI, ROOT } from '../support/cli.js';

const TARBALL = path.resolve(ROOT, '../shared/rssh/rssh-2.3.4.tar.gz');
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const ready =
  isRoot && existsSync(TARBALL) && existsSync(SFTP_SERVER) && existsSync('/usr/bin/sftp') && existsSync('/usr/bin/make') && existsSync('/usr/bin/gcc');

const tag = randomBytes(3).toString('hex');
const BASE = `/srv/rsshside-${tag}`;
const PREFIX = `${BASE}/rssh`;
const RSSH = `${PREFIX}/bin/rssh`;
const CONF = `${PREFIX}/etc/rssh.conf`;
/** Raw traces of the builds (root's, under the root-owned BASE). */
const OUT = `${BASE}/traces`;
const U1 = `rsshside-a${tag}`;
const U2 = `rsshside-b${tag}`;
const J1 = `${BASE}/one`;
const J2 = `${BASE}/two`;

/** rssh 2.3.4 from the shared tarball, into PREFIX (seconds with gcc and make); the helper is installed setuid root. */
async function buildRssh(): Promise<void> {
  await mkdir(`${BASE}/src`, { recursive: true });
  await execa('tar', ['xzf', TARBALL, '-C', `${BASE}/src`]);
  const cwd = `${BASE}/src/rssh-2.3.4`;
  await execa('./configure', [`--prefix=${PREFIX}`, `--sysconfdir=${PREFIX}/etc`, '--with-scp=/usr/bin/scp', `--with-sftp-server=${SFTP_SERVER}`], { cwd });
  await execa('make', [], { cwd });
  await execa('make', ['install'], { cwd });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const ids = async (u: string): Promise<{ uid: number; gid: number }> => {
  const f = String((await execa('getent', ['passwd', u])).stdout).split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
};

/** `rssh -c CMD` as the user, talking the scp protocol over its stdin/stdout. */
async function scpAs(user: string, cmd: string, talk: (c: ScpClient) => Promise<void>): Promise<{ exitCode?: number; stderr: string }> {
  const { uid, gid } = await ids(user);
  const child = execa(RSSH, ['-c', cmd], {
    uid,
    gid,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', USER: user, LOGNAME: user },
    extendEnv: false,
    reject: false,
    stdin: 'pipe',
    buffer: { stdout: false },
  });
  const c = new ScpClient(child.stdin!, child.stdout!);
  await talk(c);
  c.end();
  child.stdout!.resume();
  const r = await child;
  return { exitCode: r.exitCode, stderr: String(r.stderr) };
}

/** Upload with `scp -t`, download with `scp -f`, through rssh; returns the bytes that came back. */
async function scpRoundTrip(
  user: string,
  data: Buffer,
): Promise<{ back?: Buffer; up: { exitCode?: number; stderr: string }; down: { exitCode?: number; stderr: string } }> {
  const home = `/home/${user}`; // inside the jail: where the helper chdirs
  const up = await scpAs(user, `scp -t ${home}`, (c) => c.send([{ kind: 'file', name: 'up.bin', data }]));
  let got: ScpEntry[] = [];
  const down = await scpAs(user, `scp -f ${home}/up.bin`, async (c) => {
    got = await c.receive();
  });
  const f = got[0];
  return { back: f?.kind === 'file' ? f.data : undefined, up, down };
}

/** A real sftp session as the user: the client spawns `rssh -c SFTP_SERVER` (the exact compiled-in path). */
async function sftpSession(user: string, data: Buffer): Promise<{ exitCode?: number; stderr: string; stdout: string; back?: Buffer }> {
  const { uid, gid } = await ids(user);
  const local = await mkdtemp(path.join(os.tmpdir(), 'rsshside-sftp-'));
  await writeFile(path.join(local, 'put.bin'), data);
  const batch = ['put put.bin', 'mkdir d', 'rename put.bin d/moved.bin', 'ls -l d', 'get d/moved.bin back.bin', 'rm d/moved.bin', 'rmdir d', 'ls -l', ''].join(
    '\n',
  );
  await writeFile(path.join(local, 'batch'), batch);
  for (const f of ['', 'put.bin', 'batch']) await chown(path.join(local, f), uid, gid);
  try {
    const r = await execa('/usr/bin/sftp', ['-b', 'batch', '-D', `${RSSH} -c ${SFTP_SERVER}`], {
      uid,
      gid,
      cwd: local,
      env: { PATH: '/usr/bin:/bin', HOME: local, USER: user },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
    });
    const back = await readFile(path.join(local, 'back.bin')).catch(() => undefined);
    return { exitCode: r.exitCode, stderr: String(r.stderr), stdout: String(r.stdout), back };
  } finally {
    // the tree is the user's now: removed with the user's rights, never walked by root
    await execa('rm', ['-rf', '--', local], { uid, gid, reject: false });
    await rm(local, { recursive: true, force: true });
  }
}

async function jailProblems(jail: string): Promise<string[]> {
  const r = await execa(
    'find',
    [jail, '(', '-name', 'rssh', '-o', '-name', 'rssh_chroot_helper', '-o', '-name', 'rssh.conf*', '-o', '-perm', '/6000', ')', '-print'],
    { reject: false },
  );
  return String(r.stdout).split('\n').filter(Boolean);
}

async function cli(args: string[]): Promise<{ exitCode?: number; all: string }> {
  const r = await execa('node', [CLI, ...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    timeout: 300_000,
    env: { PATH: `${PREFIX}/bin:${process.env.PATH ?? '/usr/bin:/bin'}` },
  });
  return { exitCode: r.exitCode, all: String(r.all) };
}

async function checkRoute(user: string, jail: string): Promise<void> {
  expect(await jailProblems(jail)).toEqual([]);
  const { uid, gid } = await ids(user);
  const home = await lstat(path.join(jail, 'home', user));
  expect({ dir: home.isDirectory(), uid: home.uid, gid: home.gid }).toEqual({ dir: true, uid, gid });
  expect(existsSync(path.join(jail, BASE.slice(1)))).toBe(false); // not JAIL/srv/...: the helper strips the chroot path

  const data = randomBytes(200_000);
  const scp = await scpRoundTrip(user, data);
  expect(scp.up, scp.up.stderr).toMatchObject({ exitCode: 0 });
  expect(scp.down, scp.down.stderr).toMatchObject({ exitCode: 0 });
  expect(scp.back && sha(scp.back)).toBe(sha(data));

  const sftpData = randomBytes(150_000);
  const s = await sftpSession(user, sftpData);
  expect(s.exitCode, s.stderr).toBe(0);
  expect(s.stdout).toContain('moved.bin');
  expect(s.back && sha(s.back)).toBe(sha(sftpData));
}

describe.skipIf(!ready)('rssh routes through the real chain (needs root, rssh 2.3.4 in /usr/local, openssh sftp-server and client)', () => {
  beforeAll(async () => {
    await mkdir(BASE, { recursive: true, mode: 0o755 });
    await buildRssh();
    for (const [u, j] of [
      [U1, J1],
      [U2, J2],
    ])
      await execa('useradd', ['-M', '-d', `${j}/home/${u}`, '-s', RSSH, u]);
    // U2's line quoted as rssh.conf.default shows it can be
    await writeFile(CONF, `# rsshside test\nallowscp\nallowsftp\nuser=${U1}:022:00011:${J1}\nuser="${U2}:022:000"11:"${J2}"\n`);
  }, 180_000);

  afterAll(async () => {
    for (const u of [U1, U2]) await execa('userdel', [u], { reject: false });
    await rm(BASE, { recursive: true, force: true });
    await rm(OUT, { recursive: true, force: true });
  });

  test('build JAIL --profile rssh --user U: first build (jail absent) works through the chain', async () => {
    expect(existsSync(J1)).toBe(false);
    const r = await cli(['build', J1, '--profile', 'rssh', '--user', U1, '-v', '--output-dir', OUT]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`tracing without --seccomp-bpf: ${PREFIX}/libexec/rssh_chroot_helper is setuid`);
    expect(r.all).toContain('the workload works in the jail');
    await checkRoute(U1, J1);
  }, 300_000);

  test('rssh still refuses a shell and other commands', async () => {
    const { uid, gid } = await ids(U1);
    const opts = { uid, gid, reject: false, stdin: 'ignore' as const, env: { PATH: '/usr/bin:/bin' }, extendEnv: false };
    const shell = await execa(RSSH, [], opts);
    expect(shell.exitCode).not.toBe(0);
    expect(String(shell.stdout) + String(shell.stderr)).toMatch(/restricted|allowed/i);
    const cmd = await execa(RSSH, ['-c', 'id'], opts);
    expect(cmd.exitCode).not.toBe(0);
    expect(String(cmd.stdout)).not.toMatch(/uid=/);
  });

  test('build --from-rssh-conf RSSH.CONF: every jail works through the chain', async () => {
    await rm(J2, { recursive: true, force: true });
    const r = await cli(['build', '--from-rssh-conf', CONF, '--output-dir', OUT]);
    expect(r.exitCode, r.all).toBe(0);
    await checkRoute(U1, J1);
    await checkRoute(U2, J2);
  }, 300_000);

  test('a 6-bit line locks the user out of upstream rssh, and jailtrace warns with the line', async () => {
    await writeFile(CONF, `allowscp\nallowsftp\n\nuser=${U1}:022:000110:${J1}\n`);
    const r = await cli(['verify', J1, '--profile', 'rssh', '--user', U1, '--output-dir', path.join(path.dirname(J1), 'verify-traces')]);
    expect(r.all).toContain(`${CONF}:4: user ${U1}: 6 access bits, but the installed rssh takes 5`);
    const { uid, gid } = await ids(U1);
    const real = await execa(RSSH, ['-c', `scp -t /home/${U1}`], {
      uid,
      gid,
      reject: false,
      stdin: 'ignore',
      env: { PATH: '/usr/bin:/bin' },
      extendEnv: false,
    });
    expect(String(real.stdout) + String(real.stderr)).toContain('locked out');
    expect(r.exitCode).not.toBe(0);
  }, 120_000);
});
