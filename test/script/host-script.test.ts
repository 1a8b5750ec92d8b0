/**
 * jailtrace script: the generated POSIX sh for every committed fixture passes sh -n, dash -n, busybox sh -n and
 * shellcheck; on Linux the script, run by dash and by busybox sh, builds a jail in which the real sftp-server and scp
 * move bytes intact; -n writes nothing; a second run changes nothing; a hostile symlink is refused.
 *
 * Only dash and busybox sh are here: Solaris /bin/sh (ksh93), AIX ksh and FreeBSD sh are not, nor their ls, ldd,
 * dump -H and mknod; the foreign-platform scripts are checked for syntax only.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { platformInfo } from '../../src/platforms/index.js';
import { planHostNeeds } from '../../src/script/host-needs.js';
import { renderHostScript } from '../../src/script/host-script.js';
import type { Platform } from '../../src/syscalls.js';
import { parseTraces } from '../../src/trace.js';
import { findTemps, isRoot, snapshot, tempDir } from '../jail/helpers.js';
import { HOSTILE, makeOutside } from '../support/hostile.js';

const FIXTURES: Array<[string, string | undefined]> = [
  ['traces/solaris/rssh-chroot-f.truss', undefined],
  ['traces/solaris/sftp-lwp-raw-d.truss', undefined],
  ['traces/aix/rssh-chroot-fl.truss', undefined],
  ['traces/freebsd/rssh-chroot-fd.truss', undefined],
  ['traces/macos/rssh-chroot-f.dtruss', undefined],
  ['traces/linux/sftp-server/f.strace', '/tmp/jt-sftp-work'],
];

const which = async (cmd: string): Promise<boolean> => (await execa('sh', ['-c', `command -v ${cmd}`], { reject: false })).exitCode === 0;

async function scriptFor(traces: string[], jail: string, opts: { cwd?: string; users?: string[] } = {}): Promise<string> {
  const manifests = [];
  for (const t of traces) manifests.push(await parseTraces([t], { cwd: opts.cwd ?? '/' }));
  return renderHostScript({ manifests, platform: platformInfo(manifests[0].source.platform as Platform), jail, users: opts.users ?? ['nobody'] });
}

let base: string;
beforeAll(async () => {
  base = await tempDir('host-script');
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('syntax of the script for every fixture', () => {
  test.each(FIXTURES)('%s: sh -n, dash -n, busybox sh -n, shellcheck -s sh', async (trace, cwd) => {
    const file = path.join(base, `${path.basename(trace)}.sh`);
    await fs.writeFile(file, await scriptFor([trace], '/srv/jail', { cwd, users: ['nobody', 'alice'] }));
    const checks: Array<[string, string[]]> = [
      ['sh', ['-n', file]],
      ['dash', ['-n', file]],
      ['busybox', ['sh', '-n', file]],
      ['shellcheck', ['-s', 'sh', file]],
    ];
    for (const [cmd, args] of checks) {
      if (cmd === 'shellcheck' && !(await which(cmd))) continue; // "if installed"
      const r = await execa(cmd, args, { reject: false, all: true });
      expect({ cmd, exitCode: r.exitCode, out: r.all }).toEqual({ cmd, exitCode: 0, out: '' });
    }
  });
});

describe('what the script fetches, per platform', () => {
  const needsOf = async (trace: string) => {
    const m = await parseTraces([trace], { cwd: '/' });
    return planHostNeeds({ manifests: [m], platform: platformInfo(m.source.platform as Platform), jail: '/var/jail', users: [] });
  };

  test('AIX: libraries are not visible: a warning, ldd/dump -H in the script, archive members become archives', async () => {
    const n = await needsOf('traces/aix/rssh-chroot-fl.truss');
    expect(n.warnings.join('\n')).toMatch(/aix: the kernel loads shared libraries at exec time .* ldd \(or dump -H\)/);
    expect(n.needs.map((x) => [x.kind, x.path])).toEqual([
      ['need', '/home/alice'],
      ['exec', '/usr/bin/ksh93'],
      ['need', '/usr/lib/libiconv.a'],
      ['exec', '/usr/lib/ssh/sftp-server'],
    ]);
    expect(n.leftOut).toContainEqual({ path: '/etc/rssh.conf', why: 'used outside the chroot (by the process that chroots): not jail content' });
    const s = await scriptFor(['traces/aix/rssh-chroot-fl.truss'], '/var/jail');
    expect(s).toContain('# WARNING: aix: the kernel loads shared libraries');
    expect(s).toContain('dump -X32_64 -H "$1"'); // 32- and 64-bit objects (issue 19)
    expect(s).toContain('unset LIBPATH LDR_PRELOAD LDR_PRELOAD64 LD_LIBRARY_PATH OBJECT_MODE');
    expect(s).toContain('w != "/unix"');
    expect(s).toContain("need_exec '/usr/bin/ksh93'");
  });

  test('Solaris: the name-service door means NSS config is fetched; resolvepath targets; ld.so.1; mknod without -m', async () => {
    const n = await needsOf('traces/solaris/rssh-chroot-f.truss');
    expect(n.nameService).toBe(true);
    const paths = n.needs.map((x) => x.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/usr/bin/ksh', '/usr/lib/ssh/sftp-server', '/lib/ld.so.1', '/usr/lib/ld.so.1', '/etc/nsswitch.conf', '/var/ld/ld.config']),
    );
    expect(paths).not.toContain('/var/run/name_service_door');
    expect(n.sockets).toEqual(['/var/tmp/agent.sock']);
    const s = await scriptFor(['traces/solaris/rssh-chroot-f.truss'], '/var/jail');
    expect(s).toContain("for _nm in '/usr/lib/nss_'*'.so.1'");
    expect(s).toContain('mknod "$1" "$2" "$3" "$4"');
    expect(s).toContain('PATH=/usr/xpg4/bin:');
  });

  test('FreeBSD: the failed exec of sftp-server (no retry) is fetched, /bin/sh for wordexp, devfs instead of mknod, pwd_mkdb', async () => {
    const n = await needsOf('traces/freebsd/rssh-chroot-fd.truss');
    expect(n.needs.filter((x) => x.kind === 'exec').map((x) => x.path)).toEqual(['/bin/sh', '/usr/libexec/sftp-server']);
    expect(n.sockets).toEqual(['/var/run/log']);
    const s = await scriptFor(['traces/freebsd/rssh-chroot-fd.truss'], '/var/jail');
    expect(s).toContain('mount -t devfs devfs $JAIL/dev');
    expect(s).toContain('mk_node() { return 1; }');
    expect(s).toContain('pwd_mkdb -d');
  });

  test('macOS: the wordexp shell whose exec failed is fetched; otool -L lists libraries', async () => {
    const n = await needsOf('traces/macos/rssh-chroot-f.dtruss');
    expect(n.needs.find((x) => x.path === '/bin/sh')?.kind).toBe('exec');
    expect(await scriptFor(['traces/macos/rssh-chroot-f.dtruss'], '/var/jail')).toContain('otool -L "$1"');
  });
});

// ------------------------------------------------------------------------------------------------ running it (root)

const SHELLS: Array<[string, string[]]> = [
  ['dash', ['dash']],
  ['busybox sh', ['busybox', 'sh']],
];
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const canRun = isRoot && existsSync(SFTP_SERVER) && existsSync('/usr/bin/scp') && existsSync('/usr/bin/strace');
const SKIP = !isRoot ? 'needs root (chown, mknod, chroot)' : 'needs sftp-server, scp and strace';

describe.skipIf(!canRun)(`running the Linux script [${canRun ? 'root' : SKIP}]`, () => {
  let sftpScript: string;
  let scpScript: string;
  const SCP_DATA = 'jailtrace scp payload\n\u00e9\u0000\xff bytes\n';

  beforeAll(async () => {
    sftpScript = path.join(base, 'sftp.sh');
    await fs.writeFile(sftpScript, await scriptFor(['traces/linux/sftp-server/f.strace'], path.join(base, 'default-jail'), { cwd: '/tmp/jt-sftp-work' }));
    // a fresh capture of the scp sink, made here
    const dst = await fs.mkdtemp(path.join(base, 'scp-dst-'));
    const trace = path.join(base, 'scp.strace');
    const data = Buffer.from(SCP_DATA, 'latin1');
    const input = Buffer.concat([Buffer.from(`C0644 ${data.length} up.txt\n`), data, Buffer.from([0])]);
    const r = await execa('strace', ['-f', '-q', '-o', trace, 'scp', '-t', dst], { input, encoding: 'buffer', reject: false });
    expect(r.exitCode).toBe(0);
    expect(Buffer.compare(await fs.readFile(path.join(dst, 'up.txt')), data)).toBe(0);
    scpScript = path.join(base, 'scp.sh');
    await fs.writeFile(scpScript, await scriptFor([trace], path.join(base, 'default-jail')));
  });

  describe.each(SHELLS)('%s', (name, shell) => {
    const tag = name.replace(/ /g, '-');
    const run = (script: string, ...args: string[]) => execa(shell[0], [...shell.slice(1), script, ...args], { reject: false, all: true });
    const jail = () => path.join(base, `jail-${tag}`);

    test('-n on a missing jail writes nothing', async () => {
      const before = await snapshot(base);
      const r = await run(sftpScript, '-n', jail());
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`would create the jail root ${jail()}`);
      expect(r.stdout).toContain('would copy /usr/lib/openssh/sftp-server');
      expect(r.stdout).toMatch(/would mknod \/dev\/null c 1 3/);
      expect(r.stdout).toMatch(/jailtrace: dry run, nothing changed: \d+ to do, 0 up-to-date/);
      expect(await snapshot(base)).toEqual(before);
    });

    test('builds a jail where the real sftp-server does ls -l, put, get, mkdir, rename, rm with bytes intact', async () => {
      const r = await run(sftpScript, jail());
      // the trace's cwd, /tmp/jt-sftp-work, and what sftp-server did in it are workload data under the sticky /tmp
      expect(r.all).toMatch(/jailtrace: \d+ changed, 0 up-to-date, \d+ not on this host, 4 not copied, 0 warnings$/);
      expect(r.all).toContain('not copied: /tmp/jt-sftp-work (under the world-writable or sticky /tmp: workload data, never jail content)');
      expect(r.exitCode).toBe(0);
      await expect(fs.lstat(path.join(jail(), 'tmp/jt-sftp-work'))).rejects.toThrow(/ENOENT/);
      expect(await fs.readFile(path.join(jail(), 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:[^\n]*\nnobody:x:65534:/);
      const st = await fs.lstat(path.join(jail(), 'dev/null'));
      expect(st.isCharacterDevice()).toBe(true);
      const work = await fs.mkdtemp(path.join(base, `sftp-work-${tag}-`));
      await fs.mkdir(path.join(jail(), 'data'), { recursive: true });
      const payload = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7 + 3) & 0xff));
      await fs.writeFile(path.join(work, 'up.bin'), payload);
      const batch = path.join(work, 'batch');
      await fs.writeFile(
        batch,
        [
          'put up.bin /data/up.bin',
          'ls -l /data',
          'get /data/up.bin down.bin',
          'mkdir /data/d',
          'rename /data/up.bin /data/d/r.bin',
          'ls -l /data/d',
          'get /data/d/r.bin down2.bin',
          'rm /data/d/r.bin',
          'rmdir /data/d',
          '',
        ].join('\n'),
      );
      const s = await execa('sftp', ['-b', batch, '-D', `chroot ${jail()} ${SFTP_SERVER}`], { cwd: work, reject: false, all: true });
      expect(s.exitCode, s.all).toBe(0);
      expect(s.stdout).toMatch(/-rw-r--r-- +\? root +root +70000 .* \/data\/up\.bin/);
      expect(s.stdout).toMatch(/\/data\/d\/r\.bin/);
      expect(Buffer.compare(await fs.readFile(path.join(work, 'down.bin')), payload)).toBe(0);
      expect(Buffer.compare(await fs.readFile(path.join(work, 'down2.bin')), payload)).toBe(0);
      expect(await fs.readdir(path.join(jail(), 'data'))).toEqual([]);
    });

    test('a second run changes nothing (inodes and mtimes); -n on the built jail writes nothing', async () => {
      const before = await snapshot(jail());
      const r = await run(sftpScript, jail());
      expect(r.all).toMatch(/jailtrace: 0 changed, \d+ up-to-date/);
      expect(await snapshot(jail())).toEqual(before);
      const d = await run(sftpScript, '-n', jail());
      expect(d.stdout).toMatch(/dry run, nothing changed: 0 to do/);
      expect(await snapshot(jail())).toEqual(before);
    });

    test('the scp script (from a fresh strace capture) builds a jail where scp -t and scp -f move bytes intact', async () => {
      const j = path.join(base, `scp-jail-${tag}`);
      const r = await run(scpScript, j);
      expect(r.exitCode, r.all).toBe(0);
      await fs.mkdir(path.join(j, 'tmp/x'), { recursive: true });
      const data = Buffer.from(SCP_DATA, 'latin1');
      const up = await execa('chroot', [j, '/usr/bin/scp', '-t', '/tmp/x'], {
        input: Buffer.concat([Buffer.from(`C0644 ${data.length} f.bin\n`), data, Buffer.from([0])]),
        encoding: 'buffer',
        reject: false,
      });
      expect(up.exitCode, up.stderr.toString()).toBe(0);
      expect([...up.stdout]).toEqual([0, 0, 0]);
      expect(Buffer.compare(await fs.readFile(path.join(j, 'tmp/x/f.bin')), data)).toBe(0);
      const down = await execa('chroot', [j, '/usr/bin/scp', '-f', '/tmp/x/f.bin'], { input: Buffer.from([0, 0, 0]), encoding: 'buffer', reject: false });
      expect(down.exitCode, down.stderr.toString()).toBe(0);
      expect(Buffer.compare(down.stdout, Buffer.concat([Buffer.from(`C0644 ${data.length} f.bin\n`), data, Buffer.from([0])]))).toBe(0);
      const again = await run(scpScript, j);
      expect(again.all).toMatch(/jailtrace: 0 changed/);
    });

    test('hostile: JAIL/usr -> /OUTSIDE is refused (exit 1), with and without -n; nothing written outside', async () => {
      const dir = path.join(base, `hostile-${tag}`);
      const outside = path.join(dir, 'outside');
      const j = path.join(dir, 'jail');
      await makeOutside(outside);
      await fs.mkdir(j, { recursive: true });
      await HOSTILE.usrToOutside(j, outside);
      const before = await snapshot(outside);
      for (const args of [['-n', j], [j]]) {
        const r = await run(sftpScript, ...args);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toBe(`jailtrace: refusing /usr: ${j}/usr exists and is not a directory (not following or deleting it)`);
      }
      expect(await snapshot(outside)).toEqual(before);
      expect(await findTemps(dir)).toEqual([]);
    });
  });
});
