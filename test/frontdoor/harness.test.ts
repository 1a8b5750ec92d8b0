/**
 * The front-door harness proves itself: a plain user (no chroot, login shell /bin/sh) logs in through the fixture's
 * real sshd and round-trips files with sftp, scp -O and scp, byte for byte; a key nobody authorized is refused. When
 * this passes and a route test fails, the jail is what broke, not the harness.
 *
 * Then the controls: jails made by hand (test/frontdoor/hand-jail.ts, no jailtrace code) that a chrooted user reaches
 * through ChrootDirectory (shell /bin/sh; and ForceCommand internal-sftp into a jail that holds only the home) and an
 * rssh user through chrootpath: the same checks as the route tests, shown able to pass.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handJail } from './hand-jail.js';
import { RSSH, ensureRssh, rsshChainTrace, useRsshConf, type RsshConf } from './rssh.js';
import { SFTP_SERVER, explainSteps, isRoot, missingTools, startSshd, type Sshd, type User } from '../support/sshd.js';

const missing = isRoot ? await missingTools() : [];
const rsshSkip = isRoot && missing.length === 0 ? await ensureRssh() : undefined;

describe.skipIf(!isRoot || missing.length > 0)(
  `front-door harness: a plain user through a real sshd (needs root, sshd and the OpenSSH clients${missing.length ? `; missing: ${missing.join(' ')}` : ''})`,
  () => {
    let sshd: Sshd;
    let user: User;
    beforeAll(async () => {
      sshd = await startSshd();
      const name = `jtfd-h${randomBytes(3).toString('hex')}`;
      user = await sshd.addUser(name, { shell: '/bin/sh', home: `/home/${name}`, createHome: true });
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('listens on 127.0.0.1 only, on the port it chose', () => {
      expect(sshd.log()).toMatch(new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${sshd.port}\\.`));
      expect(sshd.log()).not.toMatch(/Server listening on (0\.0\.0\.0|::)/);
    });

    it('ssh runs a command as the user, in their home', async () => {
      const r = await sshd.ssh(user, ['id -un; pwd']);
      expect(r.exitCode, `${r.stderr}\n${sshd.tail()}`).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([user.name, user.home]);
    });

    it('sftp, scp -O and scp round-trip the bytes exactly (sha256)', async () => {
      const steps = await sshd.roundTrip(user);
      expect(steps.map((s) => s.step)).toEqual(['sftp put/ls/mkdir/rename/get/rm/rmdir', 'scp -O upload', 'scp -O download', 'scp upload', 'scp download']);
      expect(
        steps.filter((s) => !s.ok).map((s) => s.step),
        explainSteps(sshd, steps),
      ).toEqual([]);
    });

    it('sshd runs every session command as SHELL -c: scp -O runs scp -t / scp -f, plain scp and sftp the subsystem', async () => {
      // a login shell that notes its arguments in the user's home, then is /bin/sh
      const logsh = path.join(sshd.dir, 'logsh');
      await writeFile(logsh, '#!/bin/sh\nprintf "%s\\n" "$*" >> "$HOME/.shell-log"\nexec /bin/sh "$@"\n', { mode: 0o755 });
      const name = `jtfd-l${randomBytes(3).toString('hex')}`;
      const logged = await sshd.addUser(name, { shell: logsh, home: `/home/${name}`, createHome: true });
      const steps = await sshd.roundTrip(logged);
      expect(
        steps.filter((s) => !s.ok).map((s) => s.step),
        explainSteps(sshd, steps),
      ).toEqual([]);
      const r = await sshd.ssh(logged, ['cat .shell-log']); // read as the user: root does not read what a user wrote
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toContain(`-c ${SFTP_SERVER}`);
      expect(lines).toContain('-c scp -t scp-legacy.bin');
      expect(lines).toContain('-c scp -f scp-legacy.bin');
      expect(lines.filter((l) => l === `-c ${SFTP_SERVER}`).length).toBe(3); // sftp, scp up, scp down
    });

    it('a key nobody authorized is refused', async () => {
      const stray = await sshd.newKey(user.name, false);
      const r = await sshd.ssh(user, ['true'], { key: stray });
      expect(r.exitCode).toBe(255);
      expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
    });
  },
);

describe.skipIf(!isRoot || missing.length > 0)(
  `front-door harness, controls: hand-made jails through ChrootDirectory, internal-sftp and rssh (needs root, sshd and the OpenSSH clients${missing.length ? `; missing: ${missing.join(' ')}` : ''})`,
  () => {
    let base: string;
    let sshd: Sshd;
    let conf: RsshConf | undefined;
    const tag = randomBytes(3).toString('hex');
    const names = { shell: `jtfd-cs${tag}`, internal: `jtfd-ci${tag}`, rssh: `jtfd-cr${tag}` };
    const users: Partial<Record<keyof typeof names, User>> = {};
    beforeAll(async () => {
      await mkdir('/srv', { recursive: true });
      base = await mkdtemp('/srv/jt-frontdoor-');
      await chmod(base, 0o755);
      const jail = (k: string) => path.join(base, k);
      sshd = await startSshd({
        syslog: true,
        extra: [
          `Match User ${names.shell}`,
          `    ChrootDirectory ${jail('shell')}`,
          `Match User ${names.internal}`,
          `    ChrootDirectory ${jail('internal')}`,
          '    ForceCommand internal-sftp',
          '',
        ].join('\n'),
      });
      users.shell = await sshd.addUser(names.shell, { shell: '/bin/sh', home: `/home/${names.shell}` });
      await handJail(jail('shell'), users.shell, ['/bin/sh', '/usr/bin/scp', SFTP_SERVER]);
      users.internal = await sshd.addUser(names.internal, { shell: '/bin/sh', home: `/home/${names.internal}` });
      await handJail(jail('internal'), users.internal, []);
      if (!rsshSkip) {
        conf = await useRsshConf(`logfacility = LOG_USER\nuser=${names.rssh}:022:00011:${jail('rssh')}\n`);
        users.rssh = await sshd.addUser(names.rssh, { shell: RSSH, home: `${jail('rssh')}/home/${names.rssh}` });
        await handJail(jail('rssh'), { name: names.rssh, home: `/home/${names.rssh}` }, ['/usr/bin/scp', SFTP_SERVER]);
      }
    });
    afterAll(async () => {
      await sshd?.stop();
      await conf?.restore();
      if (base) await rm(base, { recursive: true, force: true });
    });

    it('ChrootDirectory, login shell /bin/sh in the jail: sftp, scp -O and scp round-trip', async () => {
      const steps = await sshd.roundTrip(users.shell!);
      expect(
        steps.filter((s) => !s.ok).map((s) => s.step),
        explainSteps(sshd, steps),
      ).toEqual([]);
    });

    it('ChrootDirectory + ForceCommand internal-sftp, a jail of only the home: sftp and scp round-trip', async () => {
      const steps = await sshd.roundTrip(users.internal!, { scpLegacy: false });
      expect(
        steps.filter((s) => !s.ok).map((s) => s.step),
        explainSteps(sshd, steps),
      ).toEqual([]);
    });

    it.skipIf(rsshSkip !== undefined)(`rssh, user=U:022:00011:JAIL: sftp, scp -O and scp round-trip${rsshSkip ? ` (skipped: ${rsshSkip})` : ''}`, async () => {
      const steps = await sshd.roundTrip(users.rssh!);
      const chain = steps.some((s) => !s.ok) ? `\n${await rsshChainTrace(names.rssh, 'scp -t chain.bin')}` : '';
      expect(
        steps.filter((s) => !s.ok).map((s) => s.step),
        explainSteps(sshd, steps) + chain,
      ).toEqual([]);
    });

    it('once /bin/sh is gone from the jail, every session fails: the harness sees a broken jail', async () => {
      // the same user, once /bin/sh is gone from their jail: every session through sshd must now fail
      await rm(path.join(base, 'shell/bin/sh'));
      const steps = await sshd.roundTrip(users.shell!);
      expect(steps.map((s) => s.ok)).toEqual([false, false, false, false, false]);
      expect(steps.find((s) => s.step === 'scp -O upload')!.stderr).toMatch(/\/bin\/sh: No such file or directory/);
    });
  },
);
