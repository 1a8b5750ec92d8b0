/**
 * The sh script's staging (the host script of `jailtrace script`, for a real trace of /bin/true): copies are made in one root-only directory in the jail root (mktemp -d, or mkdir of a
 * random name where mktemp -d is missing) and moved into place; no predictable name is ever used; the directory is
 * gone after the run, after a refusal and after a signal; a jail root (or a directory above it) that a local user
 * can change is refused before anything is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { platformInfo } from '../../src/platforms/index.js';
import { renderHostScript } from '../../src/script/host-script.js';
import { parseTraces } from '../../src/trace.js';
import { findTemps, shape } from '../jail/helpers.js';
import { SHELLS, isRoot, localUser, snapshot, tempDir, traceOf, type Ids } from './script-helpers.js';

let base: string;
let ids: Ids;
/** The host script for a real trace of /bin/true (the program, its loader and libraries), built into `jail`. */
let scriptFor: (jail: string) => string;

describe.skipIf(!isRoot)('staging in the sh scripts (needs root: chown, mknod, useradd)', () => {
  beforeAll(async () => {
    ids = await localUser();
    base = await tempDir('sec-stage');
    const trace = path.join(base, 'true.strace');
    await traceOf(trace, '/bin/true', []);
    const manifest = await parseTraces([trace], { cwd: '/' });
    scriptFor = (jail) => renderHostScript({ manifests: [manifest], platform: platformInfo('linux'), jail, users: [] });
  });
  afterAll(async () => {
    if (base) await fs.rm(base, { recursive: true, force: true });
  });

  test('no predictable name: the script has no $$ temp names, and stages in mktemp -d (fallback: mkdir of a random name)', () => {
    const s = scriptFor('/j');
    expect(s).not.toMatch(/jailtrace-tmp/);
    expect(s).not.toMatch(/\.\$\$|-\$\$/);
    expect(s).toContain('mktemp -d "$JAIL/.jailtrace-stage.XXXXXX"');
    expect(s).toContain('_sc=$JAIL/.jailtrace-stage.$(rnd)');
    expect(s).toMatch(/chown -h "\$_cu:\$_cg" "\$_tmp"/);
    expect(s).not.toMatch(/\bchown "/);
  });

  test.each(SHELLS)('%s: without mktemp the mkdir fallback builds the same tree; the stage is 0700 root in the jail and removed', async (name, shell) => {
    const tag = name.replace(/ /g, '-');
    const ref = path.join(base, `ref-${tag}`);
    const jail = path.join(base, `nomktemp-${tag}`);
    const script = scriptFor(ref);
    // watch the stage: a `put` that lists it first (as the script sees it, mid-run)
    const probe = script.replace('put() {\n', 'put() {\n  ls -ldn "$_stage" >>"$JAIL.stage-log"\n');
    expect(probe).not.toBe(script);
    for (const [dir, text] of [
      [ref, script],
      [jail, probe.replace('command -v mktemp', 'command -v no-such-mktemp')],
    ] as const) {
      const file = `${dir}.sh`;
      await fs.writeFile(file, text);
      const r = await execa(shell[0], [...shell.slice(1), file, dir], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      expect(await findTemps(dir)).toEqual([]);
    }
    expect(shape(await snapshot(jail))).toEqual(shape(await snapshot(ref)));
    const log = (await fs.readFile(`${jail}.stage-log`, 'utf8')).trim().split('\n');
    expect(log.length).toBeGreaterThan(3);
    for (const l of log)
      expect(l).toMatch(new RegExp(`^drwx------ +\\d+ 0 0 .* ${jail.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/\\.jailtrace-stage\\.[0-9a-f]{16}$`));
    expect(new Set(log.map((l) => l.split(' ').pop())).size).toBe(1); // made once per run
  });

  test('a signal mid-run removes the stage', async () => {
    const jail = path.join(base, 'signal');
    const script = scriptFor(jail).replace('put() {\n', () => 'put() {\n  kill -TERM $$\n');
    await fs.writeFile(`${jail}.sh`, script);
    const r = await execa('dash', [`${jail}.sh`, jail], { reject: false, all: true });
    expect(r.exitCode, r.all).not.toBe(0);
    expect(await findTemps(jail)).toEqual([]);
  });

  test.each([
    ['the jail root is owned by the local user', 'jail', 0o755, true, /the jail root .* is not a root-only directory \(owned by uid \d+/],
    ['the jail root is world-writable', 'jail', 0o777, false, /the jail root .* is not a root-only directory \(owned by uid 0, drwxrwxrwx/],
    ["a directory above the jail root is the local user's", 'above', 0o755, true, /\(above the jail root\) is owned by uid \d+: a user could swap the jail/],
    [
      'a directory above the jail root is world-writable (not sticky)',
      'above',
      0o777,
      false,
      /\(above the jail root\) is writable by others: a user could swap the jail/,
    ],
  ] as const)('refused before writing: %s', async (_n, which, mode, theirs, why) => {
    const top = await fs.mkdtemp(path.join(base, 'refuse-'));
    const jail = path.join(top, 'above', 'jail');
    await fs.mkdir(jail, { recursive: true });
    const dir = which === 'jail' ? jail : path.dirname(jail);
    await fs.chmod(dir, mode);
    if (theirs) await fs.chown(dir, ids.uid, ids.gid);
    const script = `${top}.sh`;
    await fs.writeFile(script, scriptFor(jail));
    const before = await snapshot(top);
    const r = await execa('dash', [script, jail], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(await snapshot(top)).toEqual(before);
  });
});
