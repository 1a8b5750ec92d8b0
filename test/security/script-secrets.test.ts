/**
 * Issue 20, reproduction 3 without a race: the generated sh scripts on a host where a local user owns some of the
 * traced paths. The user turns a traced data file (under /tmp, and under a directory of theirs in /srv) into a symlink
 * to /etc/shadow after the trace: the script must not copy shadow (no jail file has its sha256) and must say
 * `secret: not copied`. A traced file whose directory the user swaps for `-> /etc` likewise. And a host directory a
 * local user owns is never recreated in the jail as theirs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  LOCAL,
  SHELLS,
  asLocal,
  dash,
  hostScript,
  isRoot,
  localUser,
  openBase,
  secrets,
  secretsIn,
  snapshot,
  tempDir,
  traceOf,
  userTree,
  type Ids,
} from './script-helpers.js';

let base: string;
let ids: Ids;
const tag = `${process.pid}`;
const TMP = `/tmp/jt-sec-b-${tag}`;
const SRV = `/srv/jt-sec-b-${tag}`;
const OWNED = `/srv/jt-sec-c-${tag}`;
const TMPDIR = `/tmp/jt-sec-c-${tag}`;

describe.skipIf(!isRoot)("the sh scripts never copy a secret through a local user's symlink (needs root: useradd, setpriv, chown)", () => {
  beforeAll(async () => {
    ids = await localUser();
    base = await tempDir('sec-script');
    await openBase(base);
    await fs.mkdir('/srv', { recursive: true });
    await userTree(TMP, { data: 'workload data\n' }, ids);
    await userTree(SRV, { data: 'user data\n', 'd/shadow': 'not the real one\n' }, ids);
    await userTree(OWNED, { keep: 'mine\n' }, ids);
    await userTree(TMPDIR, { 'sub/file': 'mine too\n' }, ids);
  }, 60_000);
  afterAll(async () => {
    for (const d of [base, TMP, SRV, OWNED, TMPDIR]) if (d) await fs.rm(d, { recursive: true, force: true });
  });

  test.each(SHELLS)(
    'host script under %s: traced /tmp/…/data and /srv/…/data turned into -> /etc/shadow by a local user: shadow is not copied',
    async (name, shell) => {
      const before = await secrets();
      const trace = path.join(base, 'b.strace');
      await traceOf(trace, 'cat', [`${TMP}/data`, `${SRV}/data`]);
      const swap = await asLocal('for d in "$@"; do rm -f "$d/data" && ln -s /etc/shadow "$d/data" || exit 1; done', [TMP, SRV]);
      expect(swap.exitCode, swap.all).toBe(0);
      const jail = path.join(base, `jail-b-${name.replace(/ /g, '-')}`);
      const script = path.join(base, 'b.sh');
      await hostScript(trace, jail, script);
      const r = await dash(script, jail, 60_000, shell);
      expect(r.code, r.all).toBe(0);
      expect(await secretsIn(jail)).toEqual([]);
      expect(r.all).not.toMatch(/^copy \/etc\/shadow$/m);
      expect(r.all).toContain(`secret: not copied: ${SRV}/data (/etc/shadow)`);
      expect(r.all).toContain(`secret: not copied: ${TMP}/data (/etc/shadow)`);
      expect(await secrets()).toEqual(before);
    },
  );

  test("host script: a traced file's directory swapped for -> /etc after the trace (the last name is a regular file): shadow is not copied", async () => {
    const src = `${SRV}/d/shadow`;
    const trace = path.join(base, 'd.strace');
    await traceOf(trace, 'cat', [src]);
    const jail = path.join(base, 'jail-d');
    const script = path.join(base, 'd.sh');
    await hostScript(trace, jail, script);
    const swap = await asLocal('mv "$1/d" "$1/d.old" && ln -s /etc "$1/d"', [SRV]);
    expect(swap.exitCode, swap.all).toBe(0);
    const r = await dash(script, jail);
    expect(await secretsIn(jail)).toEqual([]);
    expect(r.all).toContain(`secret: not copied: ${src} (/etc/shadow)`);
    expect(r.code, r.all).toBe(0);
  });

  test(`host script: directories a local user owns (${OWNED}, and under /tmp) are never recreated as theirs in the jail`, async () => {
    const trace = path.join(base, 'c.strace');
    await traceOf(trace, 'sh', ['-c', `ls ${OWNED} >/dev/null && cat ${TMPDIR}/sub/file >/dev/null`]);
    const jail = path.join(base, 'jail-c');
    const script = path.join(base, 'c.sh');
    await hostScript(trace, jail, script);
    const r = await dash(script, jail);
    expect(r.code, r.all).toBe(0);
    const mine = (await snapshot(jail)).filter((e) => e.uid === ids.uid || e.gid === ids.gid).map((e) => `${e.path} ${e.uid}:${e.gid}`);
    expect(mine, `owned by ${LOCAL} in the jail`).toEqual([]);
    const owned = await fs.lstat(path.join(jail, OWNED));
    expect([owned.isDirectory(), owned.uid, owned.gid, owned.mode & 0o7777]).toEqual([true, 0, 0, 0o755]);
    await expect(fs.lstat(path.join(jail, TMPDIR))).rejects.toThrow(/ENOENT/);
    expect(r.all).toContain(`not copied: ${TMPDIR}/sub/file (under the world-writable or sticky /tmp: workload data, never jail content)`);
  });
});
