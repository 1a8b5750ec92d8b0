/**
 * Issue 20, reproduction 4 through `verify --fix`: the fix round re-plans the recorded entries, and must judge each by
 * the rules (a secret stays out unless `verify --allow-secret` names it), not by the decision the record stores.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, copiesOf, copyEntry, craft, fixture, isRoot, jailtrace, ROOT_SKIP, type Fixture } from './record-helpers.js';

const SHADOW = '/etc/shadow';

describe.skipIf(!isRoot)(`crafted records: verify --fix (${ROOT_SKIP})`, () => {
  let f: Fixture;
  let n = 0;
  beforeAll(async () => {
    f = await fixture('recverify');
  });
  afterAll(async () => f?.cleanup());

  /** A jail whose traced file was removed (so verify finds it missing and --fix runs), with `edit` applied. */
  async function broken(edit: Parameters<typeof craft>[1]): Promise<string> {
    const jail = await build(f, `v${++n}`);
    await fs.rm(path.join(jail, f.file));
    await craft(jail, edit);
    return jail;
  }
  const verifyFix = (jail: string, ...extra: string[]) =>
    jailtrace('verify', jail, '--fix', '--rounds', '2', '--timeout', '20', '--output-dir', path.join(f.base, 'traces'), ...extra, '--', '/usr/bin/cat', f.file);

  test.each(['parent', 'symlink', 'trace'])('an entry asking for /etc/shadow (via %s) is not copied by verify --fix, and is named', async (via) => {
    await fs.mkdir(path.join(f.base, 'traces'), { recursive: true });
    const entry = await copyEntry(SHADOW, { via, role: 'data', reason: 'read by the program' });
    const jail = await broken((r) => r.entries.push(entry));
    const v = await verifyFix(jail);
    expect(await copiesOf(jail, SHADOW)).toEqual([]);
    expect(String(v.stdout)).toMatch(/\/etc\/shadow.*suspicious/);
    // the file that was really missing is put back
    expect(await fs.readFile(path.join(jail, f.file), 'utf8')).toBe('original content\n');
  });

  test('record users that are system accounts get no home (and no passwd line) from verify --fix', async () => {
    await fs.mkdir(path.join(f.base, 'traces'), { recursive: true });
    const jail = await broken((r) => r.users.push('sys'));
    await verifyFix(jail);
    const passwd = await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8').catch(() => '');
    expect(passwd).not.toMatch(/^sys:/m);
    const dev = await fs.lstat(path.join(jail, 'dev')).catch(() => undefined);
    if (dev) expect(dev.uid).toBe(0);
  });

  test('verify --allow-secret /etc/shadow lets --fix copy it', async () => {
    await fs.mkdir(path.join(f.base, 'traces'), { recursive: true });
    const entry = await copyEntry(SHADOW, { via: 'parent' });
    const jail = await broken((r) => r.entries.push(entry));
    await verifyFix(jail, '--allow-secret', SHADOW);
    expect(await copiesOf(jail, SHADOW)).toEqual(['etc/shadow']);
  });
});
