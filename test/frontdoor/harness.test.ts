/**
 * The front-door harness proves itself: a plain user (no chroot, login shell /bin/sh) logs in through the fixture's
 * real sshd and round-trips files with sftp, scp -O and scp, byte for byte; a key nobody authorized is refused. When
 * this passes and a route test fails, the jail is what broke, not the harness.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFTP_SERVER, explainSteps, isRoot, missingTools, startSshd, type Sshd, type User } from './sshd.js';

const missing = isRoot ? await missingTools() : [];

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
      expect(steps.filter((s) => !s.ok), explainSteps(sshd, steps)).toEqual([]);
    });

    it('sshd runs every session command as SHELL -c: scp -O runs scp -t / scp -f, plain scp and sftp the subsystem', async () => {
      // a login shell that notes its arguments in the user's home, then is /bin/sh
      const logsh = path.join(sshd.dir, 'logsh');
      await writeFile(logsh, '#!/bin/sh\nprintf "%s\\n" "$*" >> "$HOME/.shell-log"\nexec /bin/sh "$@"\n', { mode: 0o755 });
      const name = `jtfd-l${randomBytes(3).toString('hex')}`;
      const logged = await sshd.addUser(name, { shell: logsh, home: `/home/${name}`, createHome: true });
      const steps = await sshd.roundTrip(logged);
      expect(steps.filter((s) => !s.ok), explainSteps(sshd, steps)).toEqual([]);
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
