/**
 * Issue 11's "Done when": each route builds its jail with the real CLI (`build`, then `verify`), then a real user logs
 * in through a real sshd on loopback, with no hand fix, and moves files with sftp (put/ls/mkdir/rename/get/rm),
 * `scp -O` (scp -t / scp -f through the user's shell) and `scp` (the sftp protocol), bytes compared by sha256.
 *
 * Routes: rssh with `--profile rssh` (chrootpath=) and `--from-rssh-conf` (a per-user `user=` line, 5 bits); OpenSSH
 * `ChrootDirectory` with `--profile sftp --profile scp --user U`, with `--from-sshd-config` (the Match block in an
 * Included file) and with `ForceCommand internal-sftp`. The rssh routes also check that rssh still refuses a login
 * and `ssh host CMD`.
 *
 * Every jail lives under a fresh /srv/jt-frontdoor-XXXXXX (OpenSSH wants the chroot and every parent root-owned and
 * not group/other-writable: /tmp will not do). The rssh routes write the global /etc/rssh.conf: they hold a host-wide
 * lock (test/frontdoor/rssh.ts) and stay in this one file, whose describes run one after the other.
 * Build and verify wall times are printed (not asserted) for the closing note.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSSH, RSSH_CONF, ensureRssh, rsshChainTrace, useRsshConf, type RsshConf } from './rssh.js';
import { SFTP_SERVER, explainSteps, isRoot, missingTools, startSshd, type Run, type Sshd, type SshdOptions, type User } from '../support/sshd.js';
import { CLI } from '../support/cli.js';

const missing = isRoot ? await missingTools() : [];
const rsshSkip = isRoot && missing.length === 0 ? await ensureRssh() : undefined;
const needs = `needs root, sshd and the OpenSSH clients${missing.length ? `; missing: ${missing.join(' ')}` : ''}`;

interface Timed extends Run {
  seconds: number;
}

async function cli(args: string[]): Promise<Timed> {
  const t0 = performance.now();
  const r = await execa('node', [CLI, ...args], { reject: false, all: true, timeout: 180_000 });
  return {
    command: `jailtrace ${args.join(' ')}`,
    exitCode: r.exitCode ?? -1,
    stdout: r.all ?? '',
    stderr: r.timedOut ? '(timed out)' : '',
    seconds: (performance.now() - t0) / 1000,
  };
}

const lastLines = (s: string, n = 30) =>
  s
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((l) => `    ${l}`)
    .join('\n');

/** What a route needs before sshd starts, given its jail dir and user name. */
interface Plan {
  sshd: SshdOptions;
  /** The user's login shell and home (passwd). */
  shell: string;
  home: string;
  /** useradd -m: a host home (ChrootDirectory users); rssh users' homes are in the jail, made by build. */
  hostHome: boolean;
  rsshConf?: string;
  /** build's arguments (without --output-dir). */
  build: string[];
}

interface Route {
  title: string;
  rssh: boolean;
  /** Which clients can work: internal-sftp runs no shell, so no `scp -O` (scp -t). */
  clients: { sftp: boolean; scpLegacy: boolean; scp: boolean };
  plan(base: string, jail: string, user: string): Promise<Plan>;
}

const rsshConf = (lines: string[]) => ['# written by test/frontdoor/routes.test.ts', 'logfacility = LOG_USER', 'umask = 022', ...lines, ''].join('\n');

const ROUTES: Route[] = [
  {
    title: 'rssh: build JAIL --profile rssh --user U (chrootpath=JAIL, allowsftp, allowscp)',
    rssh: true,
    clients: { sftp: true, scpLegacy: true, scp: true },
    plan: async (_base, jail, user) => ({
      sshd: {},
      shell: RSSH,
      home: `${jail}/home/${user}`,
      hostHome: false,
      rsshConf: rsshConf(['allowsftp', 'allowscp', `chrootpath = ${jail}`]),
      build: [jail, '--profile', 'rssh', '--user', user],
    }),
  },
  {
    title: 'rssh: build --from-rssh-conf /etc/rssh.conf (user=U:011:00011:JAIL, 5 bits)',
    rssh: true,
    clients: { sftp: true, scpLegacy: true, scp: true },
    plan: async (_base, jail, user) => ({
      sshd: {},
      shell: RSSH,
      home: `${jail}/home/${user}`,
      hostHome: false,
      rsshConf: rsshConf([`user=${user}:011:00011:${jail}`]),
      build: ['--from-rssh-conf', RSSH_CONF],
    }),
  },
  {
    title: 'ChrootDirectory: build JAIL --profile sftp --profile scp --user U (Match User U, login shell /bin/sh)',
    rssh: false,
    clients: { sftp: true, scpLegacy: true, scp: true },
    plan: async (_base, jail, user) => ({
      sshd: { extra: `Match User ${user}\n    ChrootDirectory ${jail}\n` },
      shell: '/bin/sh',
      home: `/home/${user}`,
      hostHome: true,
      build: [jail, '--profile', 'sftp', '--profile', 'scp', '--user', user],
    }),
  },
  {
    title: 'ChrootDirectory: build --from-sshd-config CONFIG (the Match block in a file Included by a glob)',
    rssh: false,
    clients: { sftp: true, scpLegacy: true, scp: true },
    plan: async (base, jail, user) => {
      const d = path.join(base, 'sshd_config.d');
      await mkdir(d, { mode: 0o755 });
      await writeFile(
        path.join(d, '50-jtfd.conf'),
        `# a Match block in an included file, as Debian's /etc/ssh/sshd_config.d/*.conf\nMatch User ${user}\n    ChrootDirectory ${jail}\n`,
      );
      return {
        sshd: { head: `Include ${d}/*.conf` },
        shell: '/bin/sh',
        home: `/home/${user}`,
        hostHome: true,
        build: ['--from-sshd-config', '@CONFIG'],
      };
    },
  },
  {
    title: 'ChrootDirectory + ForceCommand internal-sftp: build --from-sshd-config CONFIG (sftp only: no shell runs)',
    rssh: false,
    // plain scp speaks sftp: internal-sftp serves it too; scp -O needs `scp -t` through a shell
    clients: { sftp: true, scpLegacy: false, scp: true },
    plan: async (_base, jail, user) => ({
      sshd: { extra: `Match User ${user}\n    ChrootDirectory ${jail}\n    ForceCommand internal-sftp\n` },
      shell: '/bin/sh',
      home: `/home/${user}`,
      hostHome: true,
      build: ['--from-sshd-config', '@CONFIG'],
    }),
  },
];

for (const route of ROUTES) {
  const skip = !isRoot || missing.length > 0 || (route.rssh && rsshSkip !== undefined);
  const why = route.rssh && rsshSkip ? `${needs}; ${rsshSkip}` : needs;
  describe.skipIf(skip)(`front door, ${route.title} (${why})`, () => {
    let base: string;
    let jail: string;
    let sshd: Sshd | undefined;
    let user: User;
    let conf: RsshConf | undefined;
    let build: Timed;
    let verify: Timed;

    beforeAll(async () => {
      await mkdir('/srv', { recursive: true });
      base = await mkdtemp('/srv/jt-frontdoor-');
      await chmod(base, 0o755); // OpenSSH's rule for the chroot's parents: root-owned, not group/other-writable
      jail = path.join(base, 'jail');
      const name = `jtfd-r${randomBytes(3).toString('hex')}`;
      const plan = await route.plan(base, jail, name);
      if (plan.rsshConf) conf = await useRsshConf(plan.rsshConf);
      sshd = await startSshd({ ...plan.sshd, syslog: true });
      user = await sshd.addUser(name, { shell: plan.shell, home: plan.home, createHome: plan.hostHome });
      const out = ['--output-dir', path.join(base, 'traces')];
      await mkdir(out[1], { mode: 0o700 });
      build = await cli(['build', ...plan.build.map((a) => (a === '@CONFIG' ? sshd!.config : a)), ...out]);
      verify = await cli(['verify', jail, ...out]);
      console.log(
        `[frontdoor] ${route.title}\n  build ${build.seconds.toFixed(1)} s (exit ${build.exitCode}), verify ${verify.seconds.toFixed(1)} s (exit ${verify.exitCode})`,
      );
    });

    afterAll(async () => {
      await sshd?.stop(); // kills sshd by pid, userdel
      await conf?.restore();
      if (base) await rm(base, { recursive: true, force: true });
    });

    it('build exits 0', () => {
      expect(build.exitCode, `${build.command}\n${lastLines(build.stdout)}`).toBe(0);
    });

    it('verify exits 0 (the workload succeeds in the jail, nothing missing)', () => {
      expect(verify.exitCode, `${verify.command}\n${lastLines(verify.stdout)}`).toBe(0);
    });

    for (const [client, label] of [
      ['sftp', 'sftp put/ls/mkdir/rename/get/rm/rmdir'],
      ['scpLegacy', 'scp -O up and down (scp -t / scp -f on the server)'],
      ['scp', 'scp up and down (sftp protocol)'],
    ] as const) {
      it.skipIf(!route.clients[client])(
        `${label} through sshd, bytes intact (sha256)${route.clients[client] ? '' : ' — not for this route: no shell runs'}`,
        async () => {
          const steps = await sshd!.roundTrip(user, { sftp: client === 'sftp', scpLegacy: client === 'scpLegacy', scp: client === 'scp' });
          expect(steps.length).toBeGreaterThan(0);
          const chain =
            route.rssh && steps.some((s) => !s.ok) ? `\n${await rsshChainTrace(user.name, client === 'sftp' ? SFTP_SERVER : 'scp -t chain.bin')}` : '';
          const why = `${explainSteps(sshd!, steps)}${chain}\nbuild: exit ${build.exitCode}\n${lastLines(build.stdout, 8)}\nverify: exit ${verify.exitCode}\n${lastLines(verify.stdout, 12)}`;
          expect(
            steps.filter((s) => !s.ok).map((s) => s.step),
            why,
          ).toEqual([]);
        },
      );
    }

    it.runIf(route.rssh)('rssh still refuses an interactive login and `ssh host CMD`', async () => {
      const marker = `JTFD-SHELL-${randomBytes(4).toString('hex')}`;
      const since = sshd!.mark();
      const login = await sshd!.ssh(user, [], { tty: true });
      const cmd = await sshd!.ssh(user, [`echo ${marker}`]);
      const log = sshd!.logSince(since);
      const msg = `login: exit ${login.exitCode} ${login.stdout} ${login.stderr}\ncmd: exit ${cmd.exitCode} ${cmd.stdout} ${cmd.stderr}\n${sshd!.tail()}`;
      // the key was accepted both times: the refusal is rssh's, not sshd's
      expect(log.match(new RegExp(`Accepted publickey for ${user.name} `, 'g'))?.length, msg).toBe(2);
      expect(login.exitCode, msg).not.toBe(0);
      expect(login.stdout + login.stderr, msg).toMatch(/This account is restricted by rssh/);
      expect(cmd.exitCode, msg).not.toBe(0);
      expect(cmd.stdout, msg).not.toContain(marker);
      expect(cmd.stdout + cmd.stderr, msg).toMatch(/restricted by rssh|not allowed|insecure/i);
    });
  });
}
