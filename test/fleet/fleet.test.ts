/**
 * Issue 16's "Done when": the collection's example playbook (jailtrace.jails.fleet), run by the real
 * `ansible-playbook` over a three-host fleet on this one machine:
 *   - controller: `ansible_connection=local`, jailtrace runs there;
 *   - alpha (127.0.0.2) and beta (127.0.0.3): real ssh, as root, to a test sshd on loopback (test/support/sshd.ts,
 *     with `ListenAddress 127.0.0.2/3` and `PermitRootLogin prohibit-password` for those local addresses only);
 *     alpha runs jailtrace, beta is marked as having no Node: it is traced with the tracer command the controller's
 *     jailtrace prints, and its jail is built by the sh script the controller renders from its fetched trace.
 * Each host has its own trace dir, jail and user (host vars), so the "hosts" do not collide.
 *
 * Drift without touching the real /etc (docs/fleet.md): alpha's capture runs jailtrace inside its own mount
 * namespace (`unshare -m`) where alpha's copy of nsswitch.conf is bind-mounted on /etc/nsswitch.conf. The copy starts
 * equal to /etc/nsswitch.conf (the baseline run); the test then changes it to `passwd: compat`, and the next run's
 * real sftp-server really loads libnss_compat, on alpha only.
 *
 * Runs: 1 builds everything and stores baselines; 2 (after alpha's change) reports alpha's drift and no other; 3 is
 * the same play again: changed=0 on every host; 4 is `--check`: not one file changes under the fleet's dirs. Then
 * each jail user logs in through sshd (ChrootDirectory) and moves files with sftp and scp. And ansible-lint passes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { explainSteps, isRoot, missingTools, startSshd, type Sshd, type User } from '../support/sshd.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/src/cli.js');
const COLLECTIONS = path.join(ROOT, 'ansible');
const COLLECTION = path.join(COLLECTIONS, 'ansible_collections/jailtrace/jails');

const has = async (cmd: string) => (await execa('sh', ['-c', `command -v ${cmd}`], { reject: false })).exitCode === 0;
const missing = isRoot
  ? [
      ...(await missingTools()),
      ...(await Promise.all(['ansible-playbook', 'ansible-lint', 'unshare', 'strace'].map(async (c) => ((await has(c)) ? [] : [c])))).flat(),
    ]
  : [];
const SKIP = `needs root, sshd, the OpenSSH clients, strace, ansible-core and ansible-lint${missing.length ? `; missing: ${missing.join(' ')}` : ''}`;

interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}
interface Play {
  check: boolean;
  exitCode: number;
  out: string;
  recap: Record<string, Recap>;
  recapLines: string[];
}

/** `PLAY RECAP` lines → counts per host. */
function parseRecap(out: string): { recap: Record<string, Recap>; lines: string[] } {
  const recap: Record<string, Recap> = {};
  const lines: string[] = [];
  for (const m of out.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+).*$/gm)) {
    recap[m[1]] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
    lines.push(m[0].replace(/\s+$/, ''));
  }
  return { recap, lines };
}

/** `TASK [NAME]` → the hosts it reported `changed` for, as "NAME: host, host". */
function changedTasks(out: string): string[] {
  const rows: string[] = [];
  for (const block of out.split(/^TASK /m).slice(1)) {
    const name = /^\[([^\]]*)\]/.exec(block)?.[1] ?? '?';
    const hosts = [...block.matchAll(/^changed: \[([^\]]+)\]/gm)].map((m) => m[1]);
    if (hosts.length) rows.push(`${name}: ${[...new Set(hosts)].join(', ')}`);
  }
  return rows;
}

/** Every file, dir and symlink under `dir`: type, mode, owner, size, mtime, and a file's sha256 or a link's target. */
async function snapshot(dir: string, into = new Map<string, string>()): Promise<Map<string, string>> {
  for (const name of (await readdir(dir)).sort()) {
    const p = path.join(dir, name);
    const st = await lstat(p);
    const what = st.isSymbolicLink()
      ? `-> ${await readlink(p)}`
      : st.isFile()
        ? createHash('sha256')
            .update(await readFile(p))
            .digest('hex')
        : '';
    into.set(p, `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() ? '' : st.size} ${st.mtimeMs} ${what}`);
    if (st.isDirectory()) await snapshot(p, into);
  }
  return into;
}

describe.skipIf(!isRoot || missing.length > 0)(`a fleet of three over loopback ssh, run by ansible-playbook (${SKIP})`, () => {
  let base: string;
  let localTmp: string;
  let sshd: Sshd;
  let rootKey: string;
  const users: Record<string, User> = {};
  const HOSTS = ['controller', 'alpha', 'beta'] as const;
  const tag = randomBytes(2).toString('hex');
  const userOf = (h: string) => `jtf${tag}${h.slice(0, 3)}`;
  const jailOf = (h: string) => path.join(base, h, 'jail');
  const plays: Play[] = [];

  async function playbook(...extra: string[]): Promise<Play> {
    const r = await execa('ansible-playbook', ['-i', path.join(base, 'inventory.yml'), 'jailtrace.jails.fleet', ...extra], {
      cwd: base,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 900_000,
      env: {
        ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
        ANSIBLE_CONFIG: path.join(base, 'ansible.cfg'),
        ANSIBLE_LOCAL_TEMP: localTmp,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
      },
    });
    const out = r.all ?? '';
    const { recap, lines } = parseRecap(out);
    const play = { check: extra.includes('--check'), exitCode: r.exitCode ?? -1, out, recap, recapLines: lines };
    plays.push(play);
    return play;
  }
  const tail = (s: string, n = 60) => s.trimEnd().split('\n').slice(-n).join('\n');

  beforeAll(async () => {
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jt-fleet-');
    await chmod(base, 0o755); // sshd's ChrootDirectory: every parent root's and not group/other-writable
    localTmp = await mkdtemp('/tmp/jt-fleet-ansible-');
    for (const h of HOSTS) await mkdir(path.join(base, h), { mode: 0o755 });
    // alpha's own nsswitch.conf: equal to the real one for the baseline run
    await copyFile('/etc/nsswitch.conf', path.join(base, 'alpha', 'nsswitch.conf'));
    const match = HOSTS.map((h) => `Match User ${userOf(h)}\n    ChrootDirectory ${jailOf(h)}\n`).join('');
    sshd = await startSshd({
      extra: `ListenAddress 127.0.0.2\nListenAddress 127.0.0.3\nMatch LocalAddress 127.0.0.2,127.0.0.3\n    PermitRootLogin prohibit-password\n${match}`,
    });
    rootKey = await sshd.newKey('root', true);
    for (const h of HOSTS) users[h] = await sshd.addUser(userOf(h), { shell: '/bin/sh', home: `/home/${userOf(h)}`, createHome: true });

    const node = ['node', CLI];
    const q = (v: unknown) => JSON.stringify(v);
    const host = (h: string) => [
      `    ${h}:`,
      `      jailtrace_trace_dir: ${base}/${h}/traces`,
      `      jailtrace_jails:`,
      `        - {path: ${jailOf(h)}, users: [${userOf(h)}]}`,
    ];
    const ssh = (addr: string) => [
      `      ansible_host: ${addr}`,
      `      ansible_port: ${sshd.port}`,
      `      ansible_user: root`,
      `      ansible_ssh_private_key_file: ${rootKey}`,
    ];
    const inventory = [
      '# written by test/fleet/fleet.test.ts',
      'fleet:',
      '  vars:',
      '    ansible_python_interpreter: /usr/bin/python3',
      `    ansible_ssh_common_args: "-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes"`,
      `    jailtrace_cmd: ${q(node)}`,
      `    jailtrace_controller_cmd: ${q(node)}`,
      `    jailtrace_fleet_dir: ${base}/store`,
      '  hosts:',
      ...host('controller'),
      '      ansible_connection: local',
      ...host('alpha'),
      ...ssh('127.0.0.2'),
      // the capture's jailtrace runs in its own mount namespace, with alpha's nsswitch.conf in place of the real one
      `      jailtrace_capture_jailtrace: ${q(['unshare', '-m', '--', 'sh', '-c', `mount --bind ${base}/alpha/nsswitch.conf /etc/nsswitch.conf && exec "$@"`, 'sh', ...node])}`,
      ...host('beta'),
      ...ssh('127.0.0.3'),
      '      jailtrace_node: false',
      '',
    ].join('\n');
    await writeFile(path.join(base, 'inventory.yml'), inventory);
    // no ssh master left behind; pipelining: modules run without temp files on the hosts
    await writeFile(
      path.join(base, 'ansible.cfg'),
      '[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n[ssh_connection]\nssh_args = -o ControlMaster=no\npipelining = True\n',
    );
  });

  afterAll(async () => {
    await sshd?.stop();
    if (base) await rm(base, { recursive: true, force: true });
    if (localTmp) await rm(localTmp, { recursive: true, force: true });
    for (const [i, p] of plays.entries())
      console.log(`run ${i + 1}${p.check ? ' (--check)' : ''} recap:\n  ${p.recapLines.join('\n  ')}\n  changed: ${changedTasks(p.out).join('; ') || 'none'}`);
  });

  test('run 1: captures on every host, stores baselines, builds the jails (beta through the sh script) and verifies them', async () => {
    const p = await playbook();
    expect(p.exitCode, tail(p.out)).toBe(0);
    for (const h of HOSTS) expect(p.recap[h], `${h} in the recap:\n${tail(p.out)}`).toMatchObject({ unreachable: 0, failed: 0 });
    for (const h of HOSTS) {
      // the raw trace on the host and its copy on the controller, keyed by host
      await expect(lstat(path.join(base, h, 'traces/sftp/jailtrace.trace'))).resolves.toBeTruthy();
      await expect(lstat(path.join(base, 'store/traces', h, 'sftp.trace'))).resolves.toBeTruthy();
      await expect(lstat(path.join(base, 'store/baselines', `${h}-sftp.json`))).resolves.toBeTruthy();
      await expect(lstat(path.join(jailOf(h), 'usr/lib/openssh/sftp-server'))).resolves.toBeTruthy();
    }
    // jailtrace built controller's and alpha's jails (their records); beta's came from the script the controller rendered
    await expect(lstat(path.join(jailOf('controller'), '.jailtrace/manifest.json'))).resolves.toBeTruthy();
    await expect(lstat(path.join(jailOf('alpha'), '.jailtrace/manifest.json'))).resolves.toBeTruthy();
    expect(await readFile(path.join(base, 'store/scripts/beta', `${jailOf('beta').slice(1).replaceAll('/', '_')}.sh`), 'utf8')).toMatch(
      /^#!\/bin\/sh\n# Generated by jailtrace/,
    );
    expect(p.out).toMatch(/TASK \[jailtrace\.jails\.jail : Run each script on the host\] \*+\nchanged: \[beta\]/);
    expect(p.out).toMatch(
      /TASK \[jailtrace\.jails\.jail : Run the workload inside each jail\] \*+\nok: \[(controller|alpha)\][^\n]*\nok: \[(controller|alpha)\]/,
    );
    expect(p.out).toMatch(/TASK \[jailtrace\.jails\.jail : The jail matches its script[^\n]*\*+\nok: \[beta\]/);
    const report = JSON.parse(await readFile(path.join(base, 'store/report.json'), 'utf8'));
    expect(report.hosts.map((r: { host: string; drifted: boolean }) => [r.host, r.drifted])).toEqual(HOSTS.map((h) => [h, false]));
  }, 900_000);

  test('run 2: alpha, whose nsswitch.conf now says compat, drifts (libnss_compat added); the others do not', async () => {
    const copy = path.join(base, 'alpha', 'nsswitch.conf');
    await writeFile(copy, (await readFile(copy, 'utf8')).replace(/^passwd:.*$/m, 'passwd:         compat'));
    const p = await playbook();
    expect(p.exitCode, tail(p.out)).toBe(0);
    for (const h of HOSTS) expect(p.recap[h], `${h} in the recap:\n${tail(p.out)}`).toMatchObject({ unreachable: 0, failed: 0 });
    const report = JSON.parse(await readFile(path.join(base, 'store/report.json'), 'utf8'));
    const row = (h: string) => report.hosts.find((r: { host: string }) => r.host === h);
    expect(row('controller').drifted).toBe(false);
    expect(row('beta').drifted).toBe(false);
    expect(row('alpha').drifted).toBe(true);
    expect(row('alpha').baseline.added.map((x: { path: string }) => x.path)).toContain('/lib/x86_64-linux-gnu/libnss_compat.so.2');
    expect(row('alpha').baseline.removed).toEqual([]);
    const md = await readFile(path.join(base, 'store/report.md'), 'utf8');
    expect(md).toMatch(/\| alpha \| yes \|/);
    expect(md).toMatch(/## alpha\n\n- added: `\/lib\/x86_64-linux-gnu\/libnss_compat\.so\.2` \(nss-module\)/);
    // the diff module's warning (Ansible wraps it): alpha's trace against alpha's baseline, naming what was added
    expect(p.out).toMatch(/\[WARNING\]: \S+\/store\/traces\/alpha\/sftp\.trace differs from\s+baseline\s+alpha-sftp[\s\S]*?libnss_compat/);
    console.log(`run 2 report.md:\n${md}`);
    // the real /etc was never touched
    expect(await readFile('/etc/nsswitch.conf', 'utf8')).not.toMatch(/^passwd:\s+compat/m);
  }, 900_000);

  test('run 3: the same play again reports changed=0 on every host', async () => {
    const p = await playbook();
    expect(p.exitCode, tail(p.out)).toBe(0);
    for (const h of HOSTS)
      expect(p.recap[h], `${h} in the recap:\n${tail(p.out, 120)}`).toEqual({ ok: expect.any(Number), changed: 0, unreachable: 0, failed: 0 });
  }, 900_000);

  test('run 4: --check writes nothing on any host (nor on the controller)', async () => {
    const before = await snapshot(base);
    const p = await playbook('--check');
    expect(p.exitCode, tail(p.out)).toBe(0);
    for (const h of HOSTS) expect(p.recap[h], `${h} in the recap:\n${tail(p.out)}`).toMatchObject({ changed: 0, unreachable: 0, failed: 0 });
    const after = await snapshot(base);
    const diff = [...new Set([...before.keys(), ...after.keys()])]
      .filter((k) => before.get(k) !== after.get(k))
      .map((k) => `${k}: ${before.get(k) ?? '(none)'} → ${after.get(k) ?? '(none)'}`);
    expect(diff).toEqual([]);
  }, 900_000);

  test('each jail works through the front door: its user logs in (ChrootDirectory) and moves files with sftp and scp', async () => {
    for (const h of HOSTS) {
      const steps = await sshd.roundTrip(users[h], { sftp: true, scpLegacy: false, scp: true });
      expect(
        steps.every((s) => s.ok),
        `${h}: ${explainSteps(sshd, steps)}`,
      ).toBe(true);
    }
  }, 300_000);

  test('ansible-lint passes on the collection', async () => {
    const r = await execa('ansible-lint', ['--offline', '--nocolor'], {
      cwd: COLLECTION,
      reject: false,
      all: true,
      env: { ANSIBLE_COLLECTIONS_PATH: COLLECTIONS, HOME: localTmp },
    });
    expect(r.exitCode, r.all).toBe(0);
  }, 300_000);
});
