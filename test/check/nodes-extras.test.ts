/**
 * What `check` reports besides content (issue 18, item 3): a device node whose type, major or minor differ from the
 * record is tampered; an entry added to a directory jailtrace created is extra, one in a user's home is not.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser } from '../build/session.js';
import { checkJson, isRoot, jailtrace, ROOT_SKIP } from './helpers.js';

const USER = 'jt-gen-test';

describe.skipIf(!isRoot)(`device nodes and extra entries (${ROOT_SKIP}, useradd)`, () => {
  let base: string;
  let jail: string;
  let home: string;
  beforeAll(async () => {
    home = (await ensureUser(USER)).home;
    await fs.mkdir('/srv', { recursive: true });
    base = await fs.mkdtemp('/srv/jt-nodes-');
    const trace = path.join(base, 'null.strace');
    await execa('strace', ['-f', '-o', trace, 'sh', '-c', 'cat /etc/hostname >/dev/null'], { cwd: '/' });
    jail = path.join(base, 'j');
    const r = await jailtrace('build', jail, '--trace', trace, '--cwd', '/', '--user', USER);
    if (r.exitCode !== 0) throw new Error(r.stderr);
    expect((await checkJson(jail)).exitCode).toBe(0);
  });
  afterAll(async () => {
    if (base) await fs.rm(base, { recursive: true, force: true });
  });

  const replaceNode = async (type: 'c' | 'b', major: number, minor: number): Promise<void> => {
    const p = path.join(jail, 'dev/null');
    await fs.rm(p);
    await execa('mknod', ['-m', '666', p, type, String(major), String(minor)]);
  };

  test.each([
    { name: 'another minor (/dev/zero in its place)', type: 'c' as const, major: 1, minor: 5, says: /device 1,3 → 1,5/ },
    { name: 'another major', type: 'c' as const, major: 4, minor: 3, says: /device 1,3 → 4,3/ },
    { name: 'a block device', type: 'b' as const, major: 1, minor: 3, says: /is a block, the record says char/ },
  ])('/dev/null with $name: tampered; sync restores it', async ({ type, major, minor, says }) => {
    await replaceNode(type, major, minor);
    const c = await checkJson(jail);
    expect(c.exitCode).toBe(1);
    expect(c.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'tampered', path: '/dev/null', detail: expect.stringMatching(says) })]));
    expect((await jailtrace('sync', jail)).exitCode).toBe(0);
    expect((await checkJson(jail)).exitCode).toBe(0);
  });

  test("a file added to /etc or /dev is extra; one in the user's home is not", async () => {
    await fs.writeFile(path.join(jail, 'etc/ld.so.preload'), '/tmp/evil.so\n');
    await fs.writeFile(path.join(jail, 'dev/extra'), '');
    const h = path.join(jail, home);
    await fs.writeFile(path.join(h, 'notes.txt'), 'mine\n');
    try {
      const c = await checkJson(jail);
      const extras = c.findings.filter((f) => f.kind === 'extra').map((f) => f.path);
      expect(extras).toEqual(expect.arrayContaining(['/etc/ld.so.preload', '/dev/extra']));
      expect(extras).not.toContain(path.posix.join(home, 'notes.txt'));
    } finally {
      await fs.rm(path.join(jail, 'etc/ld.so.preload'), { force: true });
      await fs.rm(path.join(jail, 'dev/extra'), { force: true });
    }
  });
});
