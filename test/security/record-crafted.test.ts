/**
 * Issue 20, reproduction 4: decisions come from rules, not from records. A jail's record is edited to ask for
 * /etc/shadow (or to lie about host facts, or to climb with `..`); check must call it suspicious and exit 1, and
 * sync / verify --fix must not bring the secret in. `--allow-secret /etc/shadow` is the one route that copies it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { build, copiesOf, copyEntry, craft, fixture, isRoot, jailtrace, ROOT_SKIP, type CheckJson, type Fixture } from './record-helpers.js';

const SHADOW = '/etc/shadow';

async function check(jail: string, ...extra: string[]): Promise<CheckJson> {
  const r = await jailtrace('check', '--json', ...extra, jail);
  if (r.exitCode === 2) throw new Error(String(r.stderr));
  const j = JSON.parse(String(r.stdout));
  return { code: r.exitCode ?? -1, suspicious: j.suspicious, findings: j.findings };
}

const suspicious = (c: CheckJson) => c.findings.filter((f) => f.kind === 'suspicious-record');

describe.skipIf(!isRoot)(`crafted records: check, sync (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let n = 0;
  let jail: string;
  let hostDir: string;

  beforeAll(async () => {
    f = await fixture('record');
  });
  afterAll(async () => f?.cleanup());
  afterEach(async () => {
    if (hostDir) await fs.rm(hostDir, { recursive: true, force: true });
  });
  const fresh = async (): Promise<string> => (jail = await build(f, `j${++n}`));

  test('a record asking for /etc/shadow: check says suspicious (exit 1, counted in --json); sync refuses and says so', async () => {
    await fresh();
    expect((await check(jail)).code).toBe(0);
    const entry = await copyEntry(SHADOW);
    await craft(jail, (r) => r.entries.push(entry));

    const c = await check(jail);
    expect(c.code).toBe(1);
    expect(suspicious(c)).toEqual([expect.objectContaining({ path: SHADOW, severity: 'problem', detail: expect.stringMatching(/secret/) })]);
    expect(c.suspicious).toBe(1);
    // not reported as a missing file sync would "fix"
    expect(c.findings.filter((x) => x.path === SHADOW).map((x) => x.kind)).toEqual(['suspicious-record']);

    const s = await jailtrace('sync', jail);
    expect(String(s.stdout)).toMatch(/refused.*\/etc\/shadow.*secret/);
    expect(s.exitCode).toBe(1);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
    await expect(fs.lstat(path.join(jail, SHADOW))).rejects.toThrow(/ENOENT/);
  });

  test('the same entry disguised (role data, via parent, a reason that says it is fine) is judged by its path', async () => {
    await fresh();
    const entry = await copyEntry(SHADOW, { role: 'data', via: 'parent', reason: 'read by the program' });
    await craft(jail, (r) => r.entries.push(entry));
    const c = await check(jail);
    expect(suspicious(c).map((x) => x.path)).toEqual([SHADOW]);
    await jailtrace('sync', jail);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
  });

  test('a record that lies about host facts: "file" where the host has a symlink to the secret, or a symlinked parent', async () => {
    await fresh();
    hostDir = await fs.mkdtemp('/tmp/jt-record-lies-');
    await fs.symlink(SHADOW, path.join(hostDir, 'link'));
    await fs.symlink('/etc', path.join(hostDir, 'etc'));
    const lie = await copyEntry(SHADOW, { path: path.join(hostDir, 'link'), role: 'data', reason: 'read by the program' });
    const viaParent = await copyEntry(SHADOW, { path: path.join(hostDir, 'etc/shadow'), role: 'data', reason: 'read by the program' });
    const parentDir = {
      path: path.join(hostDir, 'etc'),
      role: 'directory',
      decision: 'create',
      reason: 'directory',
      via: 'parent',
      ops: [],
      host: { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: 0, rdev: 0 },
    };
    const top = { ...parentDir, path: hostDir };
    await craft(jail, (r) => r.entries.push(top, parentDir, lie, viaParent));

    const c = await check(jail);
    expect(c.code).toBe(1);
    expect(
      suspicious(c)
        .map((x) => x.path)
        .sort(),
    ).toEqual([lie.path, viaParent.path].sort());
    expect((await jailtrace('sync', jail)).exitCode).toBe(1);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
  });

  test.each([
    ['climbing with ..', (d: string) => `${d}/../../etc/shadow`],
    ['relative', () => 'etc/shadow'],
    ['a doubled slash', () => '//etc/shadow'],
  ])('a record path %s is suspicious and never acted on', async (_name, spell) => {
    await fresh();
    const p = spell(path.dirname(f.file));
    const entry = await copyEntry(SHADOW, { path: p, role: 'data', reason: 'read by the program' });
    await craft(jail, (r) => r.entries.push(entry));
    const c = await check(jail);
    expect(c.code).toBe(1);
    expect(suspicious(c)).toEqual([expect.objectContaining({ path: p, detail: expect.stringMatching(/absolute|normal/) })]);
    const s = await jailtrace('sync', jail);
    expect(s.exitCode).toBe(1); // refused and said so, not an internal error
    expect(String(s.stdout)).toContain(`refused (suspicious record): ${p}`);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
  });

  test.each(['secret', 'data'])('a secret in the jail is extra even when the record names it as skipped (role %s)', async (role) => {
    await fresh();
    const entry = await copyEntry(SHADOW, { decision: 'skip', role, reason: 'secret: not copied' });
    await craft(jail, (r) => r.entries.push(entry));
    await fs.copyFile(SHADOW, path.join(jail, SHADOW));
    const c = await check(jail);
    expect(c.code).toBe(1);
    expect(c.findings).toContainEqual(expect.objectContaining({ kind: 'extra', path: SHADOW, severity: 'problem' }));
  });

  test('a record cannot hide extra files by claiming the program wrote beside the copied programs', async () => {
    await fresh();
    const runtime = {
      path: `/usr/bin/jt-runtime-${n}`,
      role: 'data',
      decision: 'skip',
      reason: 'created or changed by the program: runtime data, not copied',
      via: 'trace',
      ops: ['create'],
    };
    await craft(jail, (r) => r.entries.push(runtime));
    await fs.writeFile(path.join(jail, 'usr/bin/planted'), '#!/bin/sh\n');
    const c = await check(jail);
    expect(c.findings).toContainEqual(expect.objectContaining({ kind: 'extra', path: '/usr/bin/planted' }));
    expect(c.code).toBe(1);
  });

  test("the record's jail field does not redirect where sync writes", async () => {
    await fresh();
    const other = path.join(f.base, 'elsewhere');
    await fs.mkdir(other);
    await craft(jail, (r) => (r.jail = other));
    await fs.rm(path.join(jail, f.file));
    expect((await jailtrace('sync', jail)).exitCode).toBe(0);
    expect(await fs.readFile(path.join(jail, f.file), 'utf8')).toBe('original content\n');
    expect(await fs.readdir(other)).toEqual([]);
  });

  test('record users whose home is a system directory (bin: /bin, sys: /dev) are suspicious and left out of the generated passwd', async () => {
    await fresh();
    const passwd = await copyEntry('/etc/passwd', { role: 'account', decision: 'generate', reason: 'generated: root and the jail users only' });
    await craft(jail, (r) => {
      r.users.push('bin', 'sys');
      r.entries.push(passwd);
    });
    const c = await check(jail);
    expect(c.code).toBe(1);
    expect(
      suspicious(c)
        .map((x) => x.detail)
        .join('\n'),
    ).toMatch(/user bin.*\/(usr\/)?bin/);
    // sync leaves them out of the accounts, and check then finds only the suspicious users, not a passwd to "fix"
    expect((await jailtrace('sync', jail)).exitCode).toBe(1);
    expect(await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8')).not.toMatch(/^(bin|sys):/m);
    expect((await check(jail)).findings.filter((x) => x.severity === 'problem').map((x) => x.kind)).toEqual(['suspicious-record', 'suspicious-record']);
  });

  test('--allow-secret /etc/shadow on sync copies it: the one allowed route', async () => {
    await fresh();
    const entry = await copyEntry(SHADOW);
    await craft(jail, (r) => r.entries.push(entry));
    const c = await check(jail, '--allow-secret', SHADOW);
    expect(suspicious(c)).toEqual([]);
    expect(c.findings).toContainEqual(expect.objectContaining({ kind: 'missing', path: SHADOW }));
    // another secret named does not open this one
    await jailtrace('sync', '--allow-secret', '/etc/gshadow', jail);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
    const s = await jailtrace('sync', '--allow-secret', SHADOW, jail);
    expect(s.exitCode).toBe(0);
    expect(await copiesOf(jail, SHADOW)).toEqual(['etc/shadow']);
    const st = await fs.stat(path.join(jail, SHADOW));
    expect(st.mode & 0o077 & ~(await fs.stat(SHADOW)).mode).toBe(0); // no wider than the host's
  });
});
