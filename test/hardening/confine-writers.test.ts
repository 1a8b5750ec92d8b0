/**
 * Issue 7, part 1: confinement across every writer. A jail is built for real (`build --trace` of the recorded
 * sftp-server trace, with a user), made hostile one way at a time, then handed to each command that writes into a
 * jail: `build` again, `verify --fix`, `sync`, and the `jailtrace script` output run with dash. For every writer ×
 * layout: OUTSIDE (full listing, modes, owners, inodes, sha256 of contents) and the host places a write through
 * `lib64 -> /` would reach are identical before and after; a refusal exits non-zero (3 for jailtrace, 1 for the
 * script) with a message naming the refused path; a replacement leaves a plain file in the jail, never a write
 * through the link. Nothing is left named `.jailtrace-tmp-*`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HOSTILE } from '../support/hostile.js';
import { SFTP_CWD, TRACE_ARGS, USER, buildArgs, ensureUser, findTemps, isRoot, jt, makeOutside, outsideState, tempDir, type Run } from './helpers.js';

const LIBC = 'usr/lib/x86_64-linux-gnu/libc.so.6';
const SFTP = 'usr/lib/openssh/sftp-server';

interface Layout {
  name: string;
  make(jail: string, outside: string): Promise<void>;
  /** A refusal: every writer must stop with a message naming this jail path and saying why. */
  refused?: { path: string; why: RegExp };
  /** Otherwise: the hostile node is replaced (or left alone) — checked after each writer. */
  after?(jail: string, outside: string, writer: Writer): Promise<void>;
}

const replacedByFile = (rel: string) => async (jail: string) => {
  const st = await fs.lstat(path.join(jail, rel));
  expect(st.isFile(), `${rel} is a regular file now`).toBe(true);
  expect(st.nlink).toBe(1);
};

const LAYOUTS: Layout[] = [
  {
    name: 'JAIL/usr -> /OUTSIDE',
    make: async (jail, outside) => {
      await fs.rename(path.join(jail, 'usr'), path.join(jail, '..', 'usr.moved'));
      await HOSTILE.usrToOutside(jail, outside);
    },
    refused: { path: '/usr', why: /symlink with an absolute target|is a symlink -> .*where a directory should be|exists and is not a directory/ },
  },
  {
    name: 'JAIL/etc -> ../outside',
    make: async (jail) => {
      await HOSTILE.etcEscapes(jail);
    },
    refused: { path: '/etc', why: /climbs above the jail root|is a symlink -> \.\.\/outside where a directory should be|exists and is not a directory/ },
  },
  {
    name: 'JAIL/lib64 -> / (the host root)',
    make: async (jail) => {
      await HOSTILE.lib64ToHostRoot(jail);
    },
    after: async (jail, _o, w) => {
      if (w.name === 'sync' || w.name === 'build' || w.name === 'script (dash)') expect(await fs.readlink(path.join(jail, 'lib64'))).toBe('usr/lib64');
    },
  },
  {
    name: 'JAIL/etc/passwd -> /OUTSIDE/target',
    make: async (jail, outside) => {
      await HOSTILE.passwdToOutside(jail, outside);
    },
    after: replacedByFile('etc/passwd'),
  },
  {
    name: 'JAIL/etc/passwd hard link to OUTSIDE/etc/passwd',
    make: async (jail, outside) => {
      await HOSTILE.passwdHardLink(jail, outside);
    },
    after: replacedByFile('etc/passwd'),
  },
  {
    name: 'JAIL/…/libc.so.6 hard link to an OUTSIDE copy (same size, mtime, mode: passes a quick check)',
    make: async (jail, outside) => {
      await fs.rm(path.join(jail, LIBC));
      await fs.link(path.join(outside, 'libc.so.6'), path.join(jail, LIBC));
    },
    // Same bytes: nothing needs writing. build and sync (which would write) must not write through it.
  },
  {
    name: 'a FIFO where libc.so.6 goes',
    make: async (jail) => {
      await fs.rm(path.join(jail, LIBC));
      await execa('mkfifo', [path.join(jail, LIBC)]);
    },
    after: replacedByFile(LIBC),
  },
  {
    name: 'a directory where sftp-server goes',
    make: async (jail) => {
      await fs.rm(path.join(jail, SFTP));
      await fs.mkdir(path.join(jail, SFTP));
      await fs.writeFile(path.join(jail, SFTP, 'keep'), 'keep me\n');
    },
    refused: { path: `/${SFTP}`, why: /is a directory where a file should be/ },
    after: async (jail) => {
      expect(await fs.readFile(path.join(jail, SFTP, 'keep'), 'utf8')).toBe('keep me\n');
    },
  },
];

interface Writer {
  name: 'build' | 'verify --fix' | 'sync' | 'script (dash)';
  run(jail: string, work: string): Promise<Run>;
  /** Exit code when the layout is refused. */
  refusedCode: number;
}

let base: string;
let script: string;

const WRITERS: Writer[] = [
  { name: 'build', refusedCode: 3, run: (jail) => jt(buildArgs(jail, ['--json'])) },
  {
    name: 'verify --fix',
    refusedCode: 3,
    // --timeout: a FIFO where a library goes blocks the loader's open() until the run is killed
    run: (jail, work) =>
      jt(['verify', jail, '--fix', '--profile', 'sftp', '--user', USER, '--timeout', '8', '--rounds', '3', '--output-dir', path.join(work, 'verify')]),
  },
  { name: 'sync', refusedCode: 3, run: (jail) => jt(['sync', jail]) },
  {
    name: 'script (dash)',
    refusedCode: 1,
    run: async (jail) => {
      const r = await execa('dash', [script, jail], { reject: false, all: true, timeout: 60_000 });
      return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, all: r.all ?? '' };
    },
  },
];

const COMBOS = LAYOUTS.flatMap((layout, li) =>
  WRITERS.map((writer) => ({ layout, writer, id: `${li}-${writer.name.replace(/\W+/g, '')}`, label: `${writer.name} × ${layout.name}` })),
);

describe.skipIf(!isRoot)(`confinement: ${LAYOUTS.length} hostile layouts × ${WRITERS.length} writers = ${COMBOS.length} (needs root)`, () => {
  beforeAll(async () => {
    await ensureUser();
    await fs.mkdir(SFTP_CWD, { recursive: true });
    base = await tempDir('hardening-confine');
    script = path.join(base, 'build-jail.sh');
    const r = await jt(['script', ...TRACE_ARGS.filter((a) => a !== '--trace'), '--jail', path.join(base, 'placeholder'), '--user', USER, '-o', script]);
    expect(r.code, r.all).toBe(0);
  }, 60_000);
  afterAll(async () => {
    if (base) await fs.rm(base, { recursive: true, force: true });
  });

  test.concurrent.each(COMBOS)('$label', { timeout: 90_000 }, async ({ layout, writer, id }) => {
    const work = path.join(base, id);
    const jail = path.join(work, 'jail');
    const outside = path.join(work, 'outside');
    await makeOutside(outside);
    const built = await jt(buildArgs(jail));
    expect(built.code, built.all).toBe(0);
    await layout.make(jail, outside);

    const before = await outsideState(outside);
    const r = await writer.run(jail, work);
    expect(await outsideState(outside)).toEqual(before);

    if (layout.refused) {
      expect(r.code, r.all).toBe(writer.refusedCode);
      // the message names the host path of the refused component and says why
      const named = new RegExp(`${(jail + layout.refused.path).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`);
      expect(r.all).toMatch(named);
      expect(r.all).toMatch(layout.refused.why);
    } else {
      expect(r.code, r.all).toBe(0);
    }
    await layout.after?.(jail, outside, writer);
    expect(await findTemps(work)).toEqual([]);
  });
});
