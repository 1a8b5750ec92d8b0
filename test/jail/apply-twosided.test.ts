/**
 * apply.ts's checks one side at a time. "Up to date" is several facts joined by `&&` (type, links, size, mtime, mode,
 * owner, content, target, rdev) and "the source changed" several joined by `||`: each fact is changed alone here, so a
 * check that drops one, or an `&&` that becomes `||`, fails a test. Every refusal sits next to its acceptance twin.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan, countResults, removeLiveTemps, type ActionResult, type ApplyOptions } from '../../src/jail/apply.js';
import { devMajor, devMinor, makedev, TEMP_PREFIX } from '../../src/jail/on-disk.js';
import type { Action, Plan } from '../../src/plan/plan.js';
import { ROOT_SKIP, findTemps, isRoot, tempDir } from './helpers.js';

let base: string;
let n = 0;
beforeAll(async () => {
  base = await tempDir('apply-2s');
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

const ROOT: Action = { kind: 'mkdir', path: '/', mode: 0o755, uid: 0, gid: 0, reason: 'root' };
/** A fresh jail and source directory (root's, so a changed source is an upgrade unless the test says otherwise). */
async function arena(): Promise<{ jail: string; src: string }> {
  const d = path.join(base, `t${++n}`);
  await fs.mkdir(path.join(d, 'src'), { recursive: true });
  return { jail: path.join(d, 'jail'), src: path.join(d, 'src') };
}
async function one(jail: string, a: Action, opts: ApplyOptions = {}): Promise<ActionResult> {
  const plan: Plan = { jail, actions: [ROOT, a] };
  const r = await applyPlan(plan, opts);
  return r.results[1];
}
async function copyOf(src: string, p = '/f'): Promise<Extract<Action, { kind: 'copy' }>> {
  const st = await fs.stat(src);
  return {
    kind: 'copy',
    path: p,
    source: src,
    mode: st.mode & 0o7777,
    uid: 0,
    gid: 0,
    mtimeMs: st.mtimeMs,
    size: st.size,
    dev: st.dev,
    ino: st.ino,
    reason: 'test',
  };
}
const T0 = new Date('2020-01-02T03:04:05Z');

describe.skipIf(!isRoot)(`a copy is up to date only when every fact matches [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  async function built(): Promise<{ jail: string; a: Extract<Action, { kind: 'copy' }>; target: string }> {
    const { jail, src } = await arena();
    const f = path.join(src, 'file');
    await fs.writeFile(f, 'content\n', { mode: 0o644 });
    await fs.utimes(f, T0, T0);
    const a = await copyOf(f);
    expect((await one(jail, a)).result).toBe('done');
    return { jail, a, target: path.join(jail, 'f') };
  }

  test('unchanged: up-to-date, not touched', async () => {
    const { jail, a, target } = await built();
    const ino = (await fs.stat(target)).ino;
    expect(await one(jail, a)).toMatchObject({ result: 'up-to-date' });
    expect((await fs.stat(target)).ino).toBe(ino);
  });

  test.each<[string, (target: string, jail: string) => Promise<void>, RegExp]>([
    ['another size, same mtime', async (t) => (await fs.writeFile(t, 'content, longer\n'), await fs.utimes(t, T0, T0)), /^copied /],
    ['same size, another mtime', async (t) => fs.utimes(t, T0, new Date(T0.getTime() + 5000)), /^copied /],
    ['another mode', async (t) => fs.chmod(t, 0o600), /^copied /],
    ['another owner', async (t) => fs.chown(t, 65534, 0), /^copied /],
    ['another group', async (t) => fs.chown(t, 0, 65534), /^copied /],
    [
      'a second hard link',
      async (t, jail) => fs.link(t, path.join(jail, 'other-link')),
      /replaced a file with 2 hard links; the other links keep their content/,
    ],
    ['a symlink in its place', async (t) => (await fs.rm(t), await fs.symlink('/etc/hostname', t)), /replaced a symlink -> \/etc\/hostname/],
  ])('%s: copied again', async (_t, change, detail) => {
    const { jail, a, target } = await built();
    await change(target, jail);
    const r = await one(jail, a);
    expect(r.result).toBe('done');
    expect(r.detail).toMatch(detail);
    const st = await fs.lstat(target);
    expect([st.isFile(), st.nlink, st.size, st.mtimeMs, st.mode & 0o7777, st.uid, st.gid]).toEqual([true, 1, 8, T0.getTime(), 0o644, 0, 0]);
    expect(await fs.readFile(target, 'utf8')).toBe('content\n');
  });
});

describe.skipIf(!isRoot)(`a source changed since planning: each fact alone [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  /** The plan's facts, then `change` applied to the source; `theirs` puts it in a directory a user owns. */
  async function changed(change: (f: string) => Promise<void>, theirs: boolean): Promise<{ r: ActionResult; jail: string }> {
    const { jail, src } = await arena();
    const f = path.join(src, 'file');
    await fs.writeFile(f, 'version 1\n', { mode: 0o644 });
    await fs.utimes(f, T0, T0);
    const a = await copyOf(f);
    await change(f);
    if (theirs) await fs.chown(src, 65534, 65534);
    return { r: await one(jail, a), jail };
  }
  const sameSizeNewMtime = (f: string) => fs.utimes(f, T0, new Date(T0.getTime() + 5000));
  const newSizeSameMtime = async (f: string) => (await fs.writeFile(f, 'version 2, longer\n'), await fs.utimes(f, T0, T0));
  const newInodeSameFacts = async (f: string) => (
    await fs.writeFile(`${f}.new`, 'version 2\n', { mode: 0o644 }), await fs.utimes(`${f}.new`, T0, T0), await fs.rename(`${f}.new`, f)
  );

  test.each<[string, (f: string) => Promise<void>]>([
    ['only the mtime', sameSizeNewMtime],
    ['only the size', newSizeSameMtime],
    ['only the inode (same size and mtime)', newInodeSameFacts],
  ])('%s changed, in a directory a user owns: refused, nothing written', async (_t, change) => {
    const { r, jail } = await changed(change, true);
    expect(r).toMatchObject({ result: 'refused', code: 'source-changed' });
    expect(r.detail).toMatch(/a directory on the way may have been swapped; not copied, re-plan/);
    await expect(fs.lstat(path.join(jail, 'f'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test.each<[string, (f: string) => Promise<void>, string]>([
    ['only the mtime', sameSizeNewMtime, 'new size/mtime'],
    ['only the size', newSizeSameMtime, 'new size/mtime'],
    ['only the inode (same size and mtime)', newInodeSameFacts, 'a new inode'],
  ])("%s changed, in root's directories (an upgrade): copied with the new facts", async (_t, change, why) => {
    const { r, jail } = await changed(change, false);
    expect(r.result).toBe('done');
    expect(r.detail).toContain(`(${why}: an upgrade`);
    expect(r.replanned?.why).toContain(why);
    expect(r.replanned?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await fs.readFile(path.join(jail, 'f'), 'utf8')).toMatch(/^version/);
  });

  test('the twin: nothing changed, in a directory a user owns: copied, no replanned facts', async () => {
    const { r } = await changed(async () => undefined, true);
    expect(r.result).toBe('done');
    expect(r.replanned).toBeUndefined();
  });

  test('an upgraded source already in the jail with its new facts: up-to-date, with the new facts', async () => {
    const { jail, src } = await arena();
    const f = path.join(src, 'file');
    await fs.writeFile(f, 'version 1\n', { mode: 0o644 });
    const a = await copyOf(f);
    await newSizeSameMtime(f);
    expect((await one(jail, a)).result).toBe('done');
    const again = await one(jail, a);
    expect(again).toMatchObject({ result: 'up-to-date', replanned: { size: 18 } });
  });

  test('a source that is now a symlink, a directory, a FIFO: refused; a regular file: copied', async () => {
    const { jail, src } = await arena();
    const f = path.join(src, 'file');
    await fs.writeFile(f, 'x\n');
    const a = await copyOf(f);
    const swap = async (make: () => Promise<void>) => (await fs.rm(f, { recursive: true }), await make());
    await swap(() => fs.symlink('/etc/hostname', f));
    expect(await one(jail, a)).toMatchObject({ result: 'refused', code: 'source-changed', detail: expect.stringContaining('is now a symlink') });
    await swap(() => fs.mkdir(f));
    expect(await one(jail, a)).toMatchObject({ result: 'refused', code: 'source-not-file' });
    await swap(async () => void (await execa('mkfifo', [f])));
    expect(await one(jail, a)).toMatchObject({ result: 'refused', code: 'source-not-file' });
    await swap(() => fs.writeFile(f, 'x\n'));
    expect((await one(jail, { ...a, ...(await copyOf(f)) })).result).toBe('done');
  });

  test('a source that is gone: failed with the errno in words, not refused', async () => {
    const { jail, src } = await arena();
    const f = path.join(src, 'file');
    await fs.writeFile(f, 'x\n');
    const a = await copyOf(f);
    await fs.rm(f);
    expect(await one(jail, a)).toMatchObject({
      result: 'failed',
      code: 'ENOENT',
      detail: `cannot copy to ${path.join(jail, 'f')}: no such file or directory (ENOENT)`,
    });
  });
});

describe.skipIf(!isRoot)(`generated files, symlinks, device nodes, directories: each fact alone [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  const W: Action = { kind: 'write', path: '/w', content: 'hello\n', mode: 0o644, uid: 0, gid: 0, reason: 'test' };
  test.each<[string, (t: string, jail: string) => Promise<void>, string]>([
    ['unchanged', async () => undefined, 'up-to-date'],
    ['other content, same size', async (t) => fs.writeFile(t, 'HELLO\n'), 'done'],
    ['other size', async (t) => fs.writeFile(t, 'hello!\n'), 'done'],
    ['another mode', async (t) => fs.chmod(t, 0o600), 'done'],
    ['another owner', async (t) => fs.chown(t, 65534, 0), 'done'],
    ['a second hard link', async (t, jail) => fs.link(t, path.join(jail, 'x')), 'done'],
  ])('write, %s: %s', async (_t, change, result) => {
    const { jail } = await arena();
    await one(jail, W);
    await change(path.join(jail, 'w'), jail);
    expect((await one(jail, W)).result).toBe(result);
    const st = await fs.lstat(path.join(jail, 'w'));
    expect([await fs.readFile(path.join(jail, 'w'), 'utf8'), st.mode & 0o7777, st.uid, st.nlink]).toEqual(['hello\n', 0o644, 0, 1]);
  });

  test('write: the detail says how many bytes, and what was replaced', async () => {
    const { jail } = await arena();
    expect((await one(jail, W)).detail).toBe(`wrote 6 bytes to ${path.join(jail, 'w')}`);
    await fs.rm(path.join(jail, 'w'));
    await execa('mkfifo', [path.join(jail, 'w')]);
    expect((await one(jail, W)).detail).toBe(`wrote 6 bytes to ${path.join(jail, 'w')} (replaced a FIFO)`);
    expect((await one(jail, W, { dryRun: true })).result).toBe('up-to-date');
  });

  test('symlink: the same target is up to date, another target or a file is replaced', async () => {
    const { jail } = await arena();
    const L: Action = { kind: 'symlink', path: '/l', target: 'usr/lib', reason: 'test' };
    expect((await one(jail, L)).detail).toBe(`linked ${path.join(jail, 'l')} -> usr/lib`);
    expect((await one(jail, L)).result).toBe('up-to-date');
    await fs.rm(path.join(jail, 'l'));
    await fs.symlink('usr/lib64', path.join(jail, 'l'));
    expect(await one(jail, L, { dryRun: true })).toMatchObject({
      result: 'done',
      detail: `would link ${path.join(jail, 'l')} -> usr/lib (replaced a symlink -> usr/lib64)`,
    });
    expect((await one(jail, L)).result).toBe('done');
    expect(await fs.readlink(path.join(jail, 'l'))).toBe('usr/lib');
    await fs.rm(path.join(jail, 'l'));
    await fs.writeFile(path.join(jail, 'l'), 'usr/lib');
    expect((await one(jail, L)).result).toBe('done');
    expect(await fs.readlink(path.join(jail, 'l'))).toBe('usr/lib');
  });

  const NULL: Extract<Action, { kind: 'mknod' }> = { kind: 'mknod', path: '/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0, reason: 'test' };
  test.each<[string, Partial<Extract<Action, { kind: 'mknod' }>>]>([
    ['another minor', { minor: 5 }],
    ['another major', { major: 5, minor: 3 }],
    ['a block device', { type: 'b' }],
    ['another mode', { mode: 0o600 }],
    ['another owner', { uid: 65534 }],
    ['another group', { gid: 65534 }],
  ])('mknod: a node with %s is remade; the same one is up to date', async (_t, was) => {
    const { jail } = await arena();
    expect((await one(jail, { ...NULL, ...was })).result).toBe('done');
    const r = await one(jail, NULL);
    expect(r.result).toBe('done');
    expect(r.detail).toMatch(new RegExp(`^made ${path.join(jail, 'null')} \\(c 1,3 0666 0:0\\) \\(replaced a (character|block) device\\)$`));
    const st = await fs.lstat(path.join(jail, 'null'));
    expect([st.isCharacterDevice(), st.rdev, st.mode & 0o7777, st.uid, st.gid]).toEqual([true, makedev(1, 3), 0o666, 0, 0]);
    expect((await one(jail, NULL)).result).toBe('up-to-date');
  });

  test('mknod strips setuid bits unless kept', async () => {
    const { jail } = await arena();
    await one(jail, { ...NULL, mode: 0o4666 });
    expect((await fs.lstat(path.join(jail, 'null'))).mode & 0o7777).toBe(0o666);
  });

  test.each<[string, (d: string) => Promise<void>, string | undefined]>([
    ['unchanged', async () => undefined, undefined],
    ['another mode', async (d) => fs.chmod(d, 0o700), `fixed DIR: mode 0700 → 0755`],
    ['another owner', async (d) => fs.chown(d, 65534, 0), `fixed DIR: owner 65534:0 → 0:0`],
    ['another group', async (d) => fs.chown(d, 0, 65534), `fixed DIR: owner 0:65534 → 0:0`],
  ])('mkdir, %s', async (_t, change, detail) => {
    const { jail } = await arena();
    const D: Action = { kind: 'mkdir', path: '/d', mode: 0o755, uid: 0, gid: 0, reason: 'test' };
    expect((await one(jail, D)).detail).toBe(`created ${path.join(jail, 'd')} (0755 0:0)`);
    await change(path.join(jail, 'd'));
    const r = await one(jail, D);
    expect(r).toEqual(detail ? { action: D, result: 'done', detail: detail.replace('DIR', path.join(jail, 'd')) } : { action: D, result: 'up-to-date' });
    const st = await fs.stat(path.join(jail, 'd'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o755, 0, 0]);
  });

  test('the jail root: created reports done; existing and right, up to date; wrong mode, fixed', async () => {
    const { jail } = await arena();
    const plan: Plan = { jail, actions: [ROOT] };
    expect((await applyPlan(plan)).results[0]).toMatchObject({ result: 'done', detail: `created ${jail} (0755 0:0)` });
    expect((await applyPlan(plan)).results[0].result).toBe('up-to-date');
    await fs.chmod(jail, 0o700);
    expect((await applyPlan(plan, { confineMode: 'path' })).results[0]).toMatchObject({ result: 'done', detail: `fixed ${jail}: mode 0700 → 0755` });
    expect((await fs.stat(jail)).mode & 0o7777).toBe(0o755);
  });

  test('a directory where a file should be is refused, never deleted; a file where a directory should be too', async () => {
    const { jail } = await arena();
    await fs.mkdir(path.join(jail, 'w'), { recursive: true });
    expect(await one(jail, W)).toMatchObject({ result: 'refused', code: 'is-a-directory' });
    expect((await fs.lstat(path.join(jail, 'w'))).isDirectory()).toBe(true);
    await fs.writeFile(path.join(jail, 'd'), 'x');
    expect(await one(jail, { kind: 'mkdir', path: '/d', mode: 0o755, uid: 0, gid: 0, reason: 't' })).toMatchObject({
      result: 'refused',
      code: 'not-a-directory',
      detail: `${path.join(jail, 'd')} is a regular file where a directory should be; not following or deleting it`,
    });
    expect(await fs.readFile(path.join(jail, 'd'), 'utf8')).toBe('x');
  });
});

describe.skipIf(!isRoot)(`stale temp files [${isRoot ? 'root' : ROOT_SKIP}]`, () => {
  test('a stale temp file where the run writes is removed and reported; a temp-named directory and other names are kept', async () => {
    const { jail } = await arena();
    await fs.mkdir(path.join(jail, 'etc'), { recursive: true });
    await fs.writeFile(path.join(jail, 'etc', `${TEMP_PREFIX}stale`), 'x');
    await fs.mkdir(path.join(jail, 'etc', `${TEMP_PREFIX}dir`));
    await fs.writeFile(path.join(jail, 'etc', 'keep'), 'x');
    await fs.writeFile(path.join(jail, `${TEMP_PREFIX}elsewhere`), 'x');
    const report = await applyPlan({ jail, actions: [{ kind: 'write', path: '/etc/w', content: 'w', mode: 0o644, uid: 0, gid: 0, reason: 't' }] });
    expect(report.results[0].result).toBe('done');
    expect(report.removedTemps).toEqual([`/etc/${TEMP_PREFIX}stale`]);
    expect((await fs.readdir(path.join(jail, 'etc'))).sort()).toEqual([`${TEMP_PREFIX}dir`, 'keep', 'w']);
    expect(await findTemps(jail)).toEqual([`${TEMP_PREFIX}elsewhere`, `etc/${TEMP_PREFIX}dir`]); // only the directories written in are swept
  });

  test('the twin: nothing stale, no removedTemps; a dry run removes nothing', async () => {
    const { jail } = await arena();
    await fs.mkdir(jail, { recursive: true });
    const w: Action = { kind: 'write', path: '/w', content: 'w', mode: 0o644, uid: 0, gid: 0, reason: 't' };
    expect((await applyPlan({ jail, actions: [w] })).removedTemps).toBeUndefined();
    await fs.writeFile(path.join(jail, `${TEMP_PREFIX}stale`), 'x');
    expect((await applyPlan({ jail, actions: [{ ...w, content: 'v' }] }, { dryRun: true })).removedTemps).toBeUndefined();
    expect(await fs.readdir(jail)).toContain(`${TEMP_PREFIX}stale`);
  });

  test('removeLiveTemps with nothing in flight removes nothing', () => {
    expect(removeLiveTemps()).toBe(0);
  });
});

test('countResults counts each outcome', () => {
  const a = ROOT;
  expect(
    countResults([
      { action: a, result: 'done' },
      { action: a, result: 'done' },
      { action: a, result: 'failed' },
      { action: a, result: 'refused' },
    ]),
  ).toEqual({ done: 2, 'up-to-date': 0, refused: 1, failed: 1 });
});

test('makedev matches glibc for small numbers, large minors and majors of 4096 and up; devMajor/devMinor undo it', () => {
  expect(makedev(1, 3)).toBe(259);
  expect(makedev(8, 0x12311)).toBe((8 << 8) | 0x11 | (0x12300 << 12));
  // values from glibc's formula evaluated in Python (arbitrary precision): sys/sysmacros.h __SYSMACROS_DEFINE_MAKEDEV
  expect(makedev(4096, 0)).toBe(17592186044416);
  expect(makedev(0x1234, 0x56789)).toBe(17593636369545);
  for (const [maj, min] of [
    [4096, 0],
    [0x1234, 0x56789],
    [259, 65536],
    [1, 3],
  ])
    expect([devMajor(makedev(maj, min)), devMinor(makedev(maj, min))]).toEqual([maj, min]);
});
