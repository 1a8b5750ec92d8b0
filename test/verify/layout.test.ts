/**
 * verify of an internal-sftp jail: nothing of the jail runs (sshd serves sftp itself), so verify checks what sshd
 * needs of it: OpenSSH's ChrootDirectory rule and the user's home, a directory of theirs. It passes on the jail build
 * made, and fails, naming the cause, when the home is gone or the jail root is writable by a group.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot, jt } from '../hardening/helpers.js';
import { lookupUser } from '../../src/profiles/workspace.js';

const USER = 'jt-layout';

describe.skipIf(!isRoot)('verify of an internal-sftp jail (needs root: users, root-owned jails)', () => {
  let base: string;
  let jail: string;
  beforeAll(async () => {
    await ensureUser(USER);
    base = await mkdtemp('/srv/jt-layout-');
    jail = path.join(base, 'jail');
    const conf = path.join(base, 'sshd_config');
    await writeFile(conf, `Match User ${USER}\n  ChrootDirectory ${jail}\n  ForceCommand internal-sftp\n`);
    const r = await jt(['build', '--from-sshd-config', conf, '--output-dir', path.join(base, 'traces')]);
    expect(r.code, r.all).toBe(0);
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  test('the jail build made passes', async () => {
    const r = await jt(['verify', jail]);
    expect(r.code, r.all).toBe(0);
  });

  test('a group-writable jail root fails, naming it', async () => {
    await chmod(jail, 0o775);
    const r = await jt(['verify', jail]);
    await chmod(jail, 0o755);
    expect(r.code).toBe(1);
    expect(r.all).toMatch(/ChrootDirectory rule/);
  });

  test("the user's home gone: fails, saying where the user would land", async () => {
    const u = await lookupUser(USER);
    await rm(path.join(jail, u.home), { recursive: true });
    const r = await jt(['verify', jail]);
    expect(r.code).toBe(1);
    expect(r.all).toMatch(/missing: sshd leaves the user in \/ of the jail/);
  });
});
