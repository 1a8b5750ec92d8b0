/**
 * The guide's drift alarm, as printed (issue 18, item 6): the cron script is taken from docs/guide.md and run by sh,
 * from a directory other than the one the baseline was stored from, with only the user and the baseline name
 * substituted (`jailtrace` and `mail` are found on PATH: the CLI and a stub that keeps the mail). On an unchanged host
 * it exits 0 and mails nothing; after an nsswitch change (in a private mount namespace: the host's stays as it is) it
 * exits 1 and the mail names the NSS module added.
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT_BASELINES } from '../../src/diff/baseline.js';
import { ensureUser, isRoot } from '../build/session.js';
import { CLI, ROOT } from '../support/cli.js';

const USER = 'jt-diff-test';

/** The sh block of the guide that holds `name`. */
export async function guideBlock(name: string): Promise<string> {
  const guide = await readFile(path.join(ROOT, 'docs/guide.md'), 'utf8');
  const block = [...guide.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(name));
  if (!block) throw new Error(`docs/guide.md has no sh block with ${name}`);
  return block;
}

describe.skipIf(!isRoot)("the guide's drift cron script (needs root: the root baseline store, strace -u, useradd, unshare)", () => {
  let dir: string;
  let bin: string;
  let script: string;
  const name = `jt-drift-${process.pid}`;
  const env = () => ({ PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, MAILBOX: path.join(dir, 'mailbox') });

  beforeAll(async () => {
    await ensureUser(USER);
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-drift-'));
    bin = path.join(dir, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'jailtrace'), `#!/bin/sh\nexec node ${CLI} "$@"\n`);
    await writeFile(path.join(bin, 'mail'), '#!/bin/sh\n{ echo "Subject: $2"; cat; } >>"$MAILBOX"\n');
    await chmod(path.join(bin, 'jailtrace'), 0o755);
    await chmod(path.join(bin, 'mail'), 0o755);
    const cron = await guideBlock('/etc/cron.daily/jailtrace-drift');
    expect(cron).toMatch(/out=\$\(mktemp\)/);
    expect(cron.replace(/#.*$/gm, '')).not.toMatch(/\$\$/); // in the commands; the comment may warn about it
    script = path.join(dir, 'jailtrace-drift');
    await writeFile(script, cron.replaceAll('--user alice', `--user ${USER}`).replaceAll('--baseline sftp-server', `--baseline ${name}`));
    // the baseline, stored as the guide says, from yet another directory
    const store = await guideBlock('--baseline sftp-server');
    const line = store.split('\n').find((l) => l.startsWith('jailtrace capture --profile sftp'))!;
    const words = line
      .replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((w) => (w === 'alice' ? USER : w === 'sftp-server' ? name : w));
    await mkdir(path.join(dir, 'store-from'));
    const c = await execa('node', [CLI, ...words, '-q'], { cwd: path.join(dir, 'store-from'), reject: false });
    expect(c.exitCode, c.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(path.join(ROOT_BASELINES, `${name}.json`), { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('an unchanged host: exit 0 from any directory, no mail', async () => {
    for (const cwd of ['/', dir]) {
      const r = await execa('sh', [script], { cwd, env: env(), reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    await expect(readFile(path.join(dir, 'mailbox'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('after an nsswitch change: exit 1, the mail names the module added', async () => {
    const conf = path.join(dir, 'nsswitch.conf');
    await writeFile(conf, 'passwd: compat\ngroup: compat\nhosts: files\n');
    const r = await execa('unshare', ['--mount', 'sh', '-c', `mount --bind ${conf} /etc/nsswitch.conf && exec sh ${script}`], {
      cwd: '/',
      env: env(),
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(1);
    const mail = await readFile(path.join(dir, 'mailbox'), 'utf8');
    expect(mail).toMatch(/Subject: jailtrace drift on .* \(exit 1\)/);
    expect(mail).toMatch(/nss-module:\n\s+\+ \S*libnss_compat\.so\.2/);
  });
});
