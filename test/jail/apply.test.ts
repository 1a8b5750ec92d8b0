import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyPlan } from '../../src/jail/apply.js';
import { makedev } from '../../src/jail/on-disk.js';
import type { ConfineMode } from '../../src/jail/confine.js';
import { sortPlan, type Action, type Plan } from '../../src/plan/plan.js';
import { GROUP, PASSWD, ROOT_SKIP, findTemps, isRoot, smallPlan, snapshot, tempDir } from './helpers.js';

let base: string;
beforeAll(async () => {
  base = await tempDir('apply');
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe.skipIf(!isRoot).each<ConfineMode>(['procfd', 'path'])(`applyPlan (%s mode) [${isRoot ? 'root' : ROOT_SKIP}]`, (mode) => {
  // Each test builds its own jail (no test relies on an earlier one having run: `-t` or a reordering runs any alone).
  let n = 0;
  const fresh = async (build: boolean): Promise<{ jail: string; plan: Plan }> => {
    const jail = path.join(base, `jail-${mode}-${++n}`);
    const plan = sortPlan(smallPlan(jail));
    if (build) expect((await applyPlan(plan, { confineMode: mode })).counts.done).toBe(plan.actions.length);
    return { jail, plan };
  };

  test('builds the small plan: modes, owners, mtimes, rdev, content', async () => {
    const { jail, plan } = await fresh(false);
    const progress: number[] = [];
    const report = await applyPlan(plan, { confineMode: mode, onProgress: (done, total) => void progress.push(done / total) });
    expect(report.confineMode).toBe(mode);
    expect(report.results.filter((r) => r.result !== 'done')).toEqual([]);
    expect(report.counts).toEqual({ done: plan.actions.length, 'up-to-date': 0, refused: 0, failed: 0 });
    expect(progress.at(-1)).toBe(1);
    for (const a of plan.actions) {
      const st = await fs.lstat(path.join(jail, a.path));
      if (a.kind === 'symlink') {
        expect(await fs.readlink(path.join(jail, a.path))).toBe(a.target);
        continue;
      }
      expect([a.path, st.mode & 0o7777, st.uid, st.gid]).toEqual([a.path, a.mode & 0o7777, a.uid, a.gid]);
      if (a.kind === 'copy') {
        expect(st.isFile() && st.size === a.size && st.nlink === 1).toBe(true);
        expect(Math.abs(st.mtimeMs - a.mtimeMs)).toBeLessThan(1);
        expect((await fs.readFile(path.join(jail, a.path))).equals(await fs.readFile(a.source))).toBe(true);
      }
      if (a.kind === 'mknod') expect([st.isCharacterDevice(), st.rdev]).toEqual([true, makedev(1, 3)]);
      if (a.kind === 'mkdir') expect(st.isDirectory()).toBe(true);
    }
    expect(await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8')).toBe(PASSWD);
    expect(await fs.readFile(path.join(jail, 'etc/group'), 'utf8')).toBe(GROUP);
    expect(await findTemps(jail)).toEqual([]);
  });

  test('the jail works: chroot runs /bin/true through the /bin and /lib64 symlinks', async () => {
    const { jail } = await fresh(true);
    const r = await execa('chroot', [jail, '/bin/true'], { reject: false });
    expect(r.exitCode).toBe(0);
  });

  test('a second apply reports everything up-to-date and changes no mtime or inode', async () => {
    const { jail, plan } = await fresh(true);
    const before = await snapshot(jail);
    const report = await applyPlan(plan, { confineMode: mode });
    expect(report.counts).toEqual({ done: 0, 'up-to-date': plan.actions.length, refused: 0, failed: 0 });
    expect(await snapshot(jail)).toEqual(before);
  });

  test('drift is repaired: a chmod-ed directory, a changed passwd, a retargeted symlink', async () => {
    const { jail, plan } = await fresh(true);
    await fs.chmod(path.join(jail, 'usr/bin'), 0o700);
    await fs.writeFile(path.join(jail, 'etc/passwd'), 'tampered\n');
    await fs.rm(path.join(jail, 'lib'));
    await fs.symlink('elsewhere', path.join(jail, 'lib'));
    const dry = await applyPlan(plan, { confineMode: mode, dryRun: true });
    const changed = dry.results.filter((r) => r.result === 'done').map((r) => r.action.path);
    expect(changed.sort()).toEqual(['/etc/passwd', '/lib', '/usr/bin']);
    const report = await applyPlan(plan, { confineMode: mode });
    expect(
      report.results
        .filter((r) => r.result === 'done')
        .map((r) => r.action.path)
        .sort(),
    ).toEqual(['/etc/passwd', '/lib', '/usr/bin']);
    expect(report.results.find((r) => r.action.path === '/usr/bin')?.detail).toMatch(/mode 0700 → 0755/);
    expect((await fs.stat(path.join(jail, 'usr/bin'))).mode & 0o7777).toBe(0o755);
    expect(await fs.readFile(path.join(jail, 'etc/passwd'), 'utf8')).toBe(PASSWD);
    expect(await fs.readlink(path.join(jail, 'lib'))).toBe('usr/lib');
  });
});

describe.skipIf(!isRoot)('dry run writes nothing', () => {
  test('on an empty jail directory', async () => {
    const jail = path.join(base, 'dry-empty');
    await fs.mkdir(jail);
    const before = await snapshot(jail);
    const report = await applyPlan(sortPlan(smallPlan(jail)), { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.counts).toEqual({ done: report.results.length - 1, 'up-to-date': 1, refused: 0, failed: 0 }); // '/' exists already
    expect(report.results.find((r) => r.action.path === '/usr/bin/true')?.detail).toMatch(/would create .*\/usr\/bin\/true \(\/usr not there yet\)/);
    expect(await snapshot(jail)).toEqual(before);
  });

  test('on a jail root that does not exist yet', async () => {
    const jail = path.join(base, 'dry-missing');
    const report = await applyPlan(sortPlan(smallPlan(jail)), { dryRun: true });
    expect(report.counts.done).toBe(report.results.length);
    await expect(fs.lstat(jail)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('on a drifted jail (full listing before and after identical)', async () => {
    const jail = path.join(base, 'dry-drift');
    const plan = sortPlan(smallPlan(jail));
    await applyPlan(plan);
    await fs.chmod(path.join(jail, 'usr/bin/true'), 0o700);
    await fs.rm(path.join(jail, 'dev/null'));
    await execa('mkfifo', [path.join(jail, 'dev/null')]);
    const before = await snapshot(jail);
    const report = await applyPlan(plan, { dryRun: true });
    expect(
      report.results
        .filter((r) => r.result === 'done')
        .map((r) => r.action.path)
        .sort(),
    ).toEqual(['/dev/null', '/usr/bin/true']);
    expect(report.results.find((r) => r.action.path === '/dev/null')?.detail).toMatch(/replaced a FIFO/);
    expect(await snapshot(jail)).toEqual(before);
  });
});

describe.skipIf(!isRoot)('setuid and setgid bits', () => {
  test('stripped unless the jail path is in keepSetuid', async () => {
    const jail = path.join(base, 'suid');
    const src = path.join(base, 'suid-src');
    await fs.writeFile(src, '#!/bin/sh\n');
    await fs.chmod(src, 0o6755);
    const st = await fs.stat(src);
    const copy = (p: string): Action => ({
      kind: 'copy',
      path: p,
      source: src,
      mode: 0o6755,
      uid: 0,
      gid: 0,
      mtimeMs: st.mtimeMs,
      size: st.size,
      reason: 'test',
    });
    const plan: Plan = { jail, actions: [{ kind: 'mkdir', path: '/', mode: 0o755, uid: 0, gid: 0, reason: 'root' }, copy('/stripped'), copy('/kept')] };
    const report = await applyPlan(plan, { keepSetuid: new Set(['/kept']) });
    expect(report.counts.done).toBe(3);
    expect((await fs.stat(path.join(jail, 'stripped'))).mode & 0o7777).toBe(0o755);
    expect((await fs.stat(path.join(jail, 'kept'))).mode & 0o7777).toBe(0o6755);
    expect((await applyPlan(plan, { keepSetuid: new Set(['/kept']) })).counts['up-to-date']).toBe(3);
  });

  test('a source changed since planning in a directory a user can write is reported, not copied', async () => {
    const jail = path.join(base, 'changed-src');
    const theirs = path.join(base, 'theirs');
    await fs.mkdir(theirs);
    const src = path.join(theirs, 'changed-src-file');
    await fs.writeFile(src, 'v1\n');
    const st = await fs.stat(src);
    await fs.chown(theirs, 65534, 65534); // a user's directory on the way now: they could have swapped the file
    await fs.writeFile(src, 'version 2\n');
    const plan: Plan = {
      jail,
      actions: [
        { kind: 'copy', path: '/f', source: src, mode: 0o644, uid: 0, gid: 0, mtimeMs: st.mtimeMs, size: st.size, dev: st.dev, ino: st.ino, reason: 'test' },
      ],
    };
    const report = await applyPlan(plan);
    expect(report.results[0]).toMatchObject({ result: 'refused', code: 'source-changed' });
    expect(report.results[0].detail).toMatch(/uid 65534.*re-plan/);
    await expect(fs.lstat(path.join(jail, 'f'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test("a root-owned source replaced by rename in root's directories (an upgrade) is copied with its new facts", async () => {
    const jail = path.join(base, 'upgraded-src');
    const dir = path.join(base, 'roots');
    await fs.mkdir(dir);
    const src = path.join(dir, 'ld.so.cache');
    await fs.writeFile(src, 'old cache\n');
    const st = await fs.stat(src);
    await fs.writeFile(path.join(dir, 'ld.so.cache~'), 'the new, longer cache\n', { mode: 0o640 });
    await fs.rename(path.join(dir, 'ld.so.cache~'), src); // what ldconfig does
    const plan: Plan = {
      jail,
      actions: [
        {
          kind: 'copy',
          path: '/etc/ld.so.cache',
          source: src,
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtimeMs: st.mtimeMs,
          size: st.size,
          dev: st.dev,
          ino: st.ino,
          reason: 'test',
        },
      ],
    };
    const report = await applyPlan({
      jail,
      actions: [
        { kind: 'mkdir', path: '/', mode: 0o755, uid: 0, gid: 0, reason: 'root' },
        { kind: 'mkdir', path: '/etc', mode: 0o755, uid: 0, gid: 0, reason: 'etc' },
        ...plan.actions,
      ],
    });
    const r = report.results.find((x) => x.action.path === '/etc/ld.so.cache')!;
    expect(r.result).toBe('done');
    expect(r.detail).toMatch(/replaced on the host since planning/);
    const now = await fs.stat(src);
    expect(r.replanned).toMatchObject({ ino: now.ino, size: now.size, mode: 0o640 });
    expect(await fs.readFile(path.join(jail, 'etc/ld.so.cache'), 'utf8')).toBe('the new, longer cache\n');
    expect((await fs.stat(path.join(jail, 'etc/ld.so.cache'))).mode & 0o7777).toBe(0o640);
  });

  test("a replaced source that a user owns is refused, even in root's directories", async () => {
    const jail = path.join(base, 'user-src');
    const dir = path.join(base, 'roots2');
    await fs.mkdir(dir);
    const src = path.join(dir, 'f');
    await fs.writeFile(src, 'old\n');
    const st = await fs.stat(src);
    await fs.writeFile(path.join(dir, 'f.new'), 'new\n');
    await fs.chown(path.join(dir, 'f.new'), 65534, 65534);
    await fs.rename(path.join(dir, 'f.new'), src);
    const report = await applyPlan({
      jail,
      actions: [
        { kind: 'copy', path: '/f', source: src, mode: 0o644, uid: 0, gid: 0, mtimeMs: st.mtimeMs, size: st.size, dev: st.dev, ino: st.ino, reason: 'test' },
      ],
    });
    expect(report.results[0]).toMatchObject({ result: 'refused', code: 'source-changed' });
  });
});

test('a malformed plan throws JailPathError before touching anything', async () => {
  const jail = path.join(base ?? '/nonexistent', 'bad');
  const plan: Plan = { jail, actions: [{ kind: 'write', path: '/etc/../passwd', content: '', mode: 0o644, uid: 0, gid: 0, reason: 'x' }] };
  await expect(applyPlan(plan)).rejects.toThrow(/invalid jail path "\/etc\/..\/passwd" \(write\): contains a \. or \.\. component/);
  await expect(fs.lstat(jail)).rejects.toMatchObject({ code: 'ENOENT' });
});
