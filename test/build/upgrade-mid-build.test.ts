/**
 * A host upgrade during a build is not an attack (issue 18, item 4): `/etc/ld.so.cache` replaced by rename between
 * planning and apply (what ldconfig does during an `apt install`) is copied with its new facts, the record takes
 * them, the report says so, and `check` finds the jail clean. The replacement keeps the content, mode and mtime:
 * only the inode changes, so nothing else on the host notices.
 */
import { execa } from 'execa';
import { copyFileSync, renameSync, statSync, utimesSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RECORD_FILE, type JailRecord } from '../../src/plan/make-plan.js';
import { buildCommand } from '../../src/app/build.js';
import { isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const CACHE = '/etc/ld.so.cache';

/** ldconfig's way: a new file beside it, renamed over it (same bytes, mode and mtime here). */
function replaceByRename(file: string): void {
  const st = statSync(file);
  const tmp = `${file}~jt-test-${process.pid}`;
  copyFileSync(file, tmp);
  utimesSync(tmp, st.atime, st.mtime);
  renameSync(tmp, file);
}

describe.skipIf(!isRoot)('an upgrade during a build (needs root: writes /srv, renames /etc/ld.so.cache onto an identical copy)', () => {
  let base: string;
  let trace: string;
  beforeAll(async () => {
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jt-upgrade-');
    trace = path.join(base, 'true.strace');
    await execa('strace', ['-f', '-o', trace, '/bin/true'], { cwd: '/' });
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('/etc/ld.so.cache replaced by rename mid-build: built, re-planned and said so, recorded, check clean', async () => {
    const jail = path.join(base, 'jail');
    const before = statSync(CACHE).ino;
    let replaced = false;
    const r = await buildCommand({
      jail,
      users: [],
      workloads: [{ kind: 'trace', name: 'trace', traces: [trace], cwd: '/', excludes: [], steps: [] }],
      dryRun: false,
      fullPasswd: false,
      allowSecrets: [],
      keepSetuid: [],
      fixPerms: false,
      withStaticDeps: false,
      onProgress: () => {
        if (replaced) return;
        replaced = true; // after the plan, before the copy: the first action is the jail root
        replaceByRename(CACHE);
      },
    });
    expect(replaced).toBe(true);
    const now = statSync(CACHE).ino;
    expect(now).not.toBe(before);
    expect(r.apply!.counts.refused).toBe(0);
    expect(r.apply!.counts.failed).toBe(0);
    const x = r.apply!.results.find((a) => a.action.path === CACHE)!;
    expect(x.result).toBe('done');
    expect(x.replanned).toMatchObject({ ino: now });
    expect(x.detail).toMatch(/replaced on the host since planning/);
    const rec = JSON.parse(await readFile(path.join(jail, RECORD_FILE), 'utf8')) as JailRecord;
    expect(rec.entries.find((e) => e.path === CACHE)?.host).toMatchObject({ ino: now });
    const c = await execa('node', [CLI, 'check', jail], { reject: false });
    expect(c.stdout + c.stderr).not.toMatch(/ld\.so\.cache/);
    expect(c.exitCode).toBe(0);
  });
});
