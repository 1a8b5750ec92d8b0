/** check and sync on real jails built from a real trace. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, checkJson, fixture, isRoot, jailtrace, rewrite, ROOT_SKIP, type Fixture } from './helpers.js';

describe.skipIf(!isRoot)(`check and sync (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let jail: string;
  const inJail = () => path.join(jail, f.file);

  beforeAll(async () => {
    f = await fixture('check');
    jail = await build(f, 'j1');
  });
  afterAll(async () => f?.cleanup());

  test('a fresh jail is clean (a sticky /tmp is only a note)', async () => {
    const r = await checkJson(jail);
    expect(r.findings.filter((x) => x.severity === 'problem')).toEqual([]);
    expect(r.findings).toContainEqual(expect.objectContaining({ kind: 'writable-dir', path: '/tmp', severity: 'note' }));
    expect(r.exitCode).toBe(0);
  });

  test('host file changed: stale (both hashes and mtimes), exit 1; sync fixes it; check exits 0', async () => {
    await rewrite(f.file, 'updated on the host\n');
    const r = await checkJson(jail);
    expect(r.exitCode).toBe(1);
    const stale = r.findings.find((x) => x.kind === 'stale');
    expect(stale?.path).toBe(f.file);
    expect(stale?.host?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stale?.jail?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stale?.host?.sha256).not.toBe(stale?.jail?.sha256);
    expect(stale?.host?.mtimeMs).toBeGreaterThan(stale!.jail!.mtimeMs!);
    expect(r.findings.some((x) => x.kind === 'tampered')).toBe(false);

    const dry = await jailtrace('sync', '--dry-run', jail);
    expect(dry.exitCode).toBe(0);
    expect(await fs.readFile(inJail(), 'utf8')).toBe('original content\n');

    const s = await jailtrace('sync', jail);
    expect(s.exitCode).toBe(0);
    expect(await fs.readFile(inJail(), 'utf8')).toBe('updated on the host\n');
    expect((await checkJson(jail)).exitCode).toBe(0);
    // the record now holds hashes
    const record = JSON.parse(await fs.readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8'));
    expect(record.entries.find((e: { path: string }) => e.path === f.file).host.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a tampered jail copy is reported, and sync restores it even with size and mtime kept', async () => {
    const st = await fs.stat(inJail());
    const fake = 'X'.repeat(st.size - 1) + '\n';
    await fs.writeFile(inJail(), fake);
    await fs.utimes(inJail(), st.atime, st.mtime);
    const r = await checkJson(jail);
    expect(r.exitCode).toBe(1);
    expect(r.findings).toContainEqual(expect.objectContaining({ kind: 'tampered', path: f.file }));
    expect((await jailtrace('sync', jail)).exitCode).toBe(0);
    expect(await fs.readFile(inJail(), 'utf8')).toBe('updated on the host\n');
    expect((await checkJson(jail)).exitCode).toBe(0);
  });

  test('missing, extra, setuid and writable directories are findings', async () => {
    const cat = (await fs.readdir(path.join(jail, 'usr/bin')))[0];
    await fs.rm(path.join(jail, 'usr/bin', cat));
    await fs.writeFile(path.join(jail, 'usr/bin/planted'), '');
    await fs.chmod(path.join(jail, 'usr/bin/planted'), 0o4755);
    await fs.mkdir(path.join(jail, 'pub'));
    await fs.chmod(path.join(jail, 'pub'), 0o777);
    const r = await checkJson(jail);
    expect(r.exitCode).toBe(1);
    const kinds = r.findings.filter((x) => x.severity === 'problem').map((x) => `${x.kind} ${x.path}`);
    expect(kinds).toEqual(
      expect.arrayContaining([`missing /usr/bin/${cat}`, 'extra /usr/bin/planted', 'setid /usr/bin/planted', 'extra /pub', 'writable-dir /pub']),
    );
    // sync brings the missing file back and leaves the rest for the admin
    expect((await jailtrace('sync', jail)).exitCode).toBe(0);
    const after = await checkJson(jail);
    expect(after.findings.map((x) => x.kind)).not.toContain('missing');
    expect(after.exitCode).toBe(1);
    await fs.rm(path.join(jail, 'usr/bin/planted'));
    await fs.rmdir(path.join(jail, 'pub'));
    expect((await checkJson(jail)).exitCode).toBe(0);
  });

  test('a jail root OpenSSH would refuse is a finding', async () => {
    await fs.chmod(jail, 0o775);
    try {
      const r = await checkJson(jail);
      expect(r.findings).toContainEqual(expect.objectContaining({ kind: 'root', severity: 'problem' }));
      expect(r.exitCode).toBe(1);
    } finally {
      await fs.chmod(jail, 0o755);
    }
  });

  test('not a jail: exit 2', async () => {
    expect((await jailtrace('check', f.base)).exitCode).toBe(2);
  });
});
