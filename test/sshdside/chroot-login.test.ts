/**
 * Issue 11, OpenSSH ChrootDirectory through the real front door: a real sshd on 127.0.0.1 chroots users into jails
 * jailtrace built, and the real clients log in on the first try — sftp (put, get, ls, mkdir, rename, rm), `scp -O`
 * (scp -t / scp -f through the login shell in the jail) and `scp` (sftp protocol) — bytes checked by sha256.
 * Routes: `build JAIL --profile sftp --profile scp --user U`; `build --from-sshd-config` with the Match blocks in an
 * included file (Match Group with a negation; ForceCommand internal-sftp: layout only).
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI } from '../hardening/helpers.js';
import { clientArgs, freePort, sha256, sshdConfigText, sshdFiles, sshdUser, startSshd, type Sshd } from './sshd.js';
import { isRoot } from '../support/root.js';

const haveSshd = await stat('/usr/sbin/sshd').then(
  () => true,
  () => false,
);

const A = 'jt-sshdside-a'; // bash, built with --profile sftp --profile scp --user
const B = 'jt-sshdside-b'; // sh, in the group of an included Match Group block
const C = 'jt-sshdside-c'; // nologin, ForceCommand internal-sftp in an included file
const X = 'jt-sshdside-x'; // in the group but excluded by the negation
const D = 'jt-sshdside-d'; // ChrootDirectory %h: the jail is the host home, the home inside is JAIL + passwd home
const GROUP = 'jt-sshdside-g';

const jt = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 300_000 });

describe.skipIf(!isRoot || !haveSshd)('ChrootDirectory users log in through a real sshd (needs root and openssh-server)', () => {
  let dir: string;
  let sshd: Sshd;
  let payload: string;
  const jails = { a: '', b: '', c: '', x: '' };

  beforeAll(async () => {
    // under /srv (root's, 0755): every parent of the jails passes sshd's ownership rule, unlike sticky /tmp
    dir = await mkdtemp('/srv/jt-sshdside-');
    await sshdFiles(dir);
    await execa('groupadd', ['-f', GROUP]);
    await sshdUser(dir, A, '/bin/bash');
    await sshdUser(dir, B, '/bin/sh', [GROUP]);
    await sshdUser(dir, C, '/usr/sbin/nologin');
    await sshdUser(dir, X, '/bin/sh', [GROUP]);
    await mkdir(path.join(dir, 'homes'), { mode: 0o755 });
    await execa('useradd', ['-m', '-d', path.join(dir, 'homes', D), '-s', '/bin/sh', D], { reject: false });
    await sshdUser(dir, D, '/bin/sh');
    await execa('usermod', ['-aG', GROUP, B]);
    await execa('usermod', ['-aG', GROUP, X]);
    await mkdir(path.join(dir, 'jails'), { mode: 0o755 });
    jails.a = path.join(dir, 'jails/a');
    jails.b = path.join(dir, 'jails', B);
    jails.c = path.join(dir, 'jails/c');
    jails.x = path.join(dir, 'jails', X);
    await mkdir(path.join(dir, 'sshd_config.d'), { mode: 0o755 });
    await writeFile(
      path.join(dir, 'sshd_config.d/50-group.conf'),
      `# jails by group; not ${X}\nMatch Group ${GROUP} User *,!${X}\n  ChrootDirectory ${dir}/jails/%u\n  AllowTcpForwarding no\n`,
    );
    await writeFile(path.join(dir, 'sshd_config.d/60-internal.conf'), `Match User ${C}\n  ChrootDirectory ${jails.c}\n  ForceCommand internal-sftp -l INFO\n`);
    await writeFile(path.join(dir, 'sshd_config.d/70-home.conf'), `Match User ${D}\n  ChrootDirectory %h\n`);
    await writeFile(path.join(dir, 'sshd_config.d/README'), 'not a .conf: not included\nMatch User nobody\n  ChrootDirectory /nowhere\n');
    const port = await freePort();
    // Debian 12's shape: the Include first, then the Subsystem line
    const body = `Include ${dir}/sshd_config.d/*.conf\nSubsystem sftp /usr/lib/openssh/sftp-server\nMatch User ${A}\n  ChrootDirectory ${jails.a}\n`;
    await writeFile(path.join(dir, 'sshd_config'), sshdConfigText(dir, port, body));
    sshd = await startSshd(dir, path.join(dir, 'sshd_config'));
    payload = path.join(dir, 'payload.bin');
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    await writeFile(payload, bytes);
  });

  afterAll(async () => {
    await sshd?.stop();
    for (const u of [A, B, C, X, D]) await execa('userdel', ['-r', u], { reject: false });
    await execa('groupdel', [GROUP], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** sftp, scp -O and scp for one user; returns what went wrong (empty: all good). */
  async function sessions(user: string, opts: { legacyScp: boolean }): Promise<string[]> {
    const problems: string[] = [];
    const local = await mkdtemp(path.join(dir, 'local-'));
    const want = await sha256(payload);
    const batch = path.join(local, 'batch');
    await writeFile(
      batch,
      [
        `lcd ${local}`,
        `put ${payload} up.bin`,
        'mkdir d',
        'rename up.bin d/moved.bin',
        'ls -l d',
        'get d/moved.bin back.bin',
        'rm d/moved.bin',
        'rmdir d',
        'ls',
        '',
      ].join('\n'),
    );
    const s = await execa('sftp', [...clientArgs(dir, sshd.port, true), '-b', batch, `${user}@127.0.0.1`], { reject: false, all: true });
    if (s.exitCode !== 0) problems.push(`sftp: exit ${s.exitCode}: ${s.all}`);
    else if ((await sha256(path.join(local, 'back.bin')).catch(() => '')) !== want) problems.push('sftp: the download differs');
    else if (!/moved\.bin/.test(String(s.all))) problems.push(`sftp: ls did not show the renamed file: ${s.all}`);
    const scp = async (label: string, extra: string[]): Promise<void> => {
      const up = await execa('scp', [...extra, ...clientArgs(dir, sshd.port, true), payload, `${user}@127.0.0.1:${label}.bin`], { reject: false, all: true });
      const down = await execa('scp', [...extra, ...clientArgs(dir, sshd.port, true), `${user}@127.0.0.1:${label}.bin`, path.join(local, `${label}.bin`)], {
        reject: false,
        all: true,
      });
      if (up.exitCode !== 0 || down.exitCode !== 0) problems.push(`${label}: exit ${up.exitCode}/${down.exitCode}: ${up.all} ${down.all}`);
      else if ((await sha256(path.join(local, `${label}.bin`))) !== want) problems.push(`${label}: the round trip differs`);
    };
    if (opts.legacyScp) await scp('scp-O', ['-O']);
    await scp('scp', []);
    await rm(local, { recursive: true, force: true });
    return problems;
  }

  test(`build --profile sftp --profile scp --user ${A} (login shell bash): sftp, scp -O and scp work on the first try`, async () => {
    const out = path.join(dir, 'traces-a');
    await mkdir(out);
    const r = await jt(['build', jails.a, '--profile', 'sftp', '--profile', 'scp', '--user', A, '--output-dir', out]);
    expect(r.exitCode, r.all).toBe(0);
    // traced as sshd runs it: the login shell's exec first, with -c and the command
    const sftpTrace = await readFile(path.join(out, 'sftp-server.strace'), 'utf8');
    expect(sftpTrace).toMatch(/execve\("\/bin\/bash", \["\/bin\/bash", "-c", "\/usr\/lib\/openssh\/sftp-server"\]/);
    expect(await readFile(path.join(out, 'scp-1.strace'), 'utf8')).toMatch(/execve\("\/bin\/bash", \["\/bin\/bash", "-c", "scp -t \/tmp\/jailtrace-scp-/); // strace cuts long strings
    // the shell and what it loads are in the jail; the user's host dotfiles are not
    expect((await stat(path.join(jails.a, 'usr/bin/bash'))).isFile()).toBe(true);
    expect((await readdir(path.join(jails.a, 'usr/lib/x86_64-linux-gnu'))).some((f) => f.startsWith('libtinfo.so'))).toBe(true);
    expect(await readdir(path.join(jails.a, 'home', A))).toEqual([]);
    expect((await stat(path.join(jails.a, 'home', A))).uid).toBe(Number((await execa('id', ['-u', A])).stdout));
    expect(await sessions(A, { legacyScp: true })).toEqual([]);
  });

  test('build --from-sshd-config, Match blocks in an included file: the group block (not the negated user) and internal-sftp', async () => {
    const out = path.join(dir, 'traces-many');
    await mkdir(out);
    // --fix-perms: D's jail is D's host home (useradd made it D's); sshd wants it root's
    const r = await jt(['build', '--from-sshd-config', sshd.config, '--output-dir', out, '--fix-perms']);
    expect(r.exitCode, r.all).toBe(0);
    // B: the sh of the group block (dash on Debian), with its home where sshd chdirs in the jail
    expect((await lstat(path.join(jails.b, 'bin'))).isSymbolicLink() || (await stat(path.join(jails.b, 'bin/sh'))).isFile()).toBe(true);
    expect((await stat(path.join(jails.b, 'bin/sh'))).isFile()).toBe(true);
    expect((await stat(path.join(jails.b, 'home', B))).uid).toBe(Number((await execa('id', ['-u', B])).stdout));
    // X is in the group but the block says User *,!X: no jail for X
    await expect(stat(jails.x)).rejects.toThrow();
    // C: internal-sftp: the layout only (root-owned root, the home), and the output says why, /dev/log included
    expect(r.all).toMatch(/internal-sftp.*only its layout is built.*\/dev\/log/);
    const root = await stat(jails.c);
    expect([root.uid, root.mode & 0o777]).toEqual([0, 0o755]);
    expect((await stat(path.join(jails.c, 'home', C))).uid).toBe(Number((await execa('id', ['-u', C])).stdout));
    await expect(stat(path.join(jails.c, 'usr'))).rejects.toThrow();
    // A's jail (the main file's Match) was rebuilt by the same run
    expect(r.all).toContain(jails.a);

    // D: ChrootDirectory %h; sshd chdirs to the passwd home inside the chroot: JAIL + home, D's own
    const homeD = path.join(dir, 'homes', D);
    expect((await stat(homeD)).uid).toBe(0);
    expect((await stat(path.join(homeD, homeD))).uid).toBe(Number((await execa('id', ['-u', D])).stdout));

    expect(await sessions(B, { legacyScp: true })).toEqual([]);
    expect(await sessions(D, { legacyScp: true })).toEqual([]);
    expect(await sessions(C, { legacyScp: false })).toEqual([]);
    // internal-sftp refuses scp -O, as sshd says it will
    const legacy = await execa('scp', ['-O', ...clientArgs(dir, sshd.port, true), payload, `${C}@127.0.0.1:legacy.bin`], { reject: false, all: true });
    expect(legacy.exitCode).not.toBe(0);
    expect(String(legacy.all)).toMatch(/only sftp|sftp connections only/);
  });
});
