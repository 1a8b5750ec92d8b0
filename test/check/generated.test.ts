/**
 * `check` sees every byte jailtrace wrote (issue 18, item 3): the generated passwd and group are recorded with their
 * sha256; a line appended to either (even a uid-0 one, which the older name check let through) is "tampered", `sync`
 * writes the file again and the record's hash follows; a record naming another file as generated is suspicious.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generatedFiles, sha256Of, RECORD_FILE, type JailRecord } from '../../src/plan/make-plan.js';
import { ensureUser } from '../build/session.js';
import { checkJson, fixture, isRoot, jailtrace, ROOT_SKIP, type Fixture } from './helpers.js';

const USER = 'jt-gen-test';

describe('generated files in the plan (pure)', () => {
  test('each write but the record is listed with its hash, mode and owner', () => {
    const g = generatedFiles([
      { kind: 'write', path: '/etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, uid: 0, gid: 0, reason: 'r' },
      { kind: 'write', path: RECORD_FILE, content: '{}', mode: 0o600, uid: 0, gid: 0, reason: 'r' },
      { kind: 'mkdir', path: '/etc', mode: 0o755, uid: 0, gid: 0, reason: 'r' },
    ]);
    expect(g).toEqual([{ path: '/etc/passwd', sha256: sha256Of('root:x:0:0::/root:/bin/sh\n'), mode: 0o644, uid: 0, gid: 0 }]);
  });
});

describe.skipIf(!isRoot)(`generated passwd and group (${ROOT_SKIP}, useradd)`, () => {
  let f: Fixture;
  let jail: string;
  const readRecord = async (): Promise<JailRecord> => JSON.parse(await fs.readFile(path.join(jail, RECORD_FILE), 'utf8')) as JailRecord;
  beforeAll(async () => {
    await ensureUser(USER);
    f = await fixture('gen');
    jail = path.join(f.base, 'j');
    const r = await jailtrace('build', jail, '--trace', f.trace, '--cwd', '/', '--user', USER);
    if (r.exitCode !== 0) throw new Error(r.stderr);
  });
  afterAll(async () => f?.cleanup());

  test('the record holds their hashes; a fresh jail is clean', async () => {
    const rec = await readRecord();
    expect(rec.generated?.map((g) => g.path)).toEqual(['/etc/group', '/etc/passwd']);
    expect(rec.generated?.find((g) => g.path === '/etc/passwd')?.sha256).toBe(sha256Of(await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8')));
    expect((await checkJson(jail)).exitCode).toBe(0);
  });

  test.each(['/etc/passwd', '/etc/group'])('a line appended to %s: tampered (exit 1); sync restores it; check is clean again', async (p) => {
    const file = path.join(jail, p);
    const before = await fs.readFile(file, 'utf8');
    await fs.appendFile(file, p === '/etc/passwd' ? 'evil:x:0:0::/:/bin/sh\n' : 'evil:x:0:\n');
    const c = await checkJson(jail);
    expect(c.exitCode).toBe(1);
    expect(c.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'tampered', path: p, detail: expect.stringMatching(/content differs from what jailtrace generated/) }),
      ]),
    );
    const s = await jailtrace('sync', jail);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.stdout).toContain(`tampered: ${p}`);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect((await checkJson(jail)).exitCode).toBe(0);
  });

  test('a removed generated file is missing, and sync writes it again', async () => {
    const file = path.join(jail, 'etc/group');
    const before = await fs.readFile(file, 'utf8');
    await fs.rm(file);
    const c = await checkJson(jail);
    expect(c.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'missing', path: '/etc/group' })]));
    expect((await jailtrace('sync', jail)).exitCode).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  test('a record naming another file as generated is suspicious, never written', async () => {
    const rec = await readRecord();
    const forged = { ...rec, generated: [...(rec.generated ?? []), { path: '/etc/ld.so.preload', sha256: sha256Of('x'), mode: 0o644, uid: 0, gid: 0 }] };
    await fs.writeFile(path.join(jail, RECORD_FILE), JSON.stringify(forged));
    try {
      const c = await checkJson(jail);
      expect(c.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'suspicious-record', path: '/etc/ld.so.preload' })]));
      await jailtrace('sync', jail);
      await expect(fs.access(path.join(jail, 'etc/ld.so.preload'))).rejects.toThrow();
    } finally {
      await fs.writeFile(path.join(jail, RECORD_FILE), JSON.stringify(rec, null, 1) + '\n');
    }
  });
});
