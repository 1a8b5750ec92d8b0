/**
 * Issue 15, item 2: a jail's traces live with its record. build and verify write their live traces into a folder of
 * their own, JAIL/.jailtrace/traces/<time>-<command>/ (root-only), never into the current directory and never over
 * another run's; the record's `traces` and explain's "seen at FILE:LINE" point there and stay true. `build --dry-run`
 * writes nothing anywhere. An interrupted build leaves no jailtrace-* scratch dir in TMPDIR (each run here gets a
 * TMPDIR of its own, to look at).
 */
import { execa, type Options } from 'execa';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUser, isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const USER = 'jt-trace-folders';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const jt = async (args: string[], opts: Options = {}) => {
  const r = await execa('node', [CLI, ...args], { reject: false, timeout: 180_000, ...opts });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
};

/** Every name under `dir` (relative, sorted), or [] when it does not exist. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(path.join(dir, rel)).catch(() => [] as string[]);
    for (const n of names) {
      const r = path.join(rel, n);
      out.push(r);
      if ((await lstat(path.join(dir, r))).isDirectory()) await walk(r);
    }
  };
  await walk('');
  return out.sort();
}

const scratchNames = async (tmp: string): Promise<string[]> =>
  (await readdir(tmp).catch(() => [] as string[])).filter((n) => n.startsWith('jailtrace-')).sort();

describe.skipIf(!isRoot)('traces live with their jail (needs root: jails under /srv, strace, useradd)', () => {
  let base: string;
  beforeAll(async () => {
    await ensureUser(USER);
    await mkdir('/srv', { recursive: true });
    base = await mkdtemp('/srv/jt-trace-folders-');
    await chmod(base, 0o755);
  });
  const made: string[] = [];
  afterAll(async () => {
    for (const d of [base, ...made]) if (d) await rm(d, { recursive: true, force: true });
  });

  /** A cwd and a TMPDIR of the run's own (0755: a --user server must reach its scratch tree in it). */
  const places = async (name: string) => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), `jt-cwd-${name}-`));
    const tmp = await mkdtemp(path.join(os.tmpdir(), `jt-tmp-${name}-`));
    made.push(cwd, tmp);
    await chmod(tmp, 0o755);
    return { cwd, tmp, env: { TMPDIR: tmp } };
  };

  test('build from a temp cwd leaves nothing in it; its traces are in a root-only folder of the jail, named in the record', async () => {
    const p = await places('build');
    const jail = path.join(base, 'plain');
    const r = await jt(['build', jail, '--', '/bin/true'], { cwd: p.cwd, env: p.env });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(p.cwd)).toEqual([]);
    const traces = path.join(jail, '.jailtrace/traces');
    const runs = await readdir(traces);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+-build$/);
    for (const d of [path.join(jail, '.jailtrace'), traces, path.join(traces, runs[0])]) {
      const st = await lstat(d);
      expect(st.uid).toBe(0);
      expect(st.mode & 0o777).toBe(0o700);
    }
    const files = await readdir(path.join(traces, runs[0]));
    expect(files).toEqual([expect.stringMatching(/^true-.*\.strace$/)]);
    const rec = JSON.parse(await readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8')) as { traces: string[] };
    expect(rec.traces).toEqual([path.join(traces, runs[0], files[0])]);
    expect(await scratchNames(p.tmp)).toEqual([]);
    // check is clean: the record dir's traces are jailtrace's own
    const c = await jt(['check', jail]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
  });

  test('build --dry-run writes nothing anywhere: not the cwd, not TMPDIR, not the jail (existing or new)', async () => {
    const p = await places('dry');
    const jail = path.join(base, 'dry');
    const fresh = path.join(base, 'dry-new');
    const before = await jt(['build', jail, '--', '/bin/true'], { cwd: p.cwd, env: p.env });
    expect(before.code, before.stderr).toBe(0);
    const jailBefore = await listing(jail);
    for (const [j, extra] of [
      [jail, ['--profile', 'scp']],
      [fresh, ['--', '/bin/true']],
    ] as const) {
      const r = await jt(['build', j, '--dry-run', ...extra], { cwd: p.cwd, env: p.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('dry run: nothing written');
    }
    expect(await readdir(p.cwd)).toEqual([]);
    // TMPDIR is the run's own /tmp: the global one is shared with the other test files running now
    expect(await readdir(p.tmp)).toEqual([]);
    expect(await listing(jail)).toEqual(jailBefore);
    await expect(lstat(fresh)).rejects.toThrow(/ENOENT/);
  });

  test('two builds and a verify keep three trace folders; explain cites a line that still reads the same', async () => {
    const p = await places('three');
    const jail = path.join(base, 'three');
    const cmd = ['/bin/cat', '/etc/hostname'];
    const explainSeen = async () => {
      const x = JSON.parse((await jt(['explain', '/etc/hostname', '--jail', jail, '--json'])).stdout) as {
        chain: Array<{ first?: { file?: string; line: number } }>;
      };
      const first = x.chain[0].first!;
      expect(first.file, 'explain names the trace file').toBeDefined();
      const line = (await readFile(first.file!, 'utf8')).split('\n')[first.line - 1];
      return { file: first.file!, line };
    };
    const b1 = await jt(['build', jail, '--', ...cmd], { cwd: p.cwd, env: p.env });
    expect(b1.code, b1.stderr).toBe(0);
    const seen1 = await explainSeen();
    expect(seen1.line).toContain('/etc/hostname');
    await sleep(5); // distinct time stamps are not needed (names never collide), but make the order plain
    // --force: the second build traces again (with nothing changed it would be up to date, issue 14)
    const b2 = await jt(['build', jail, '--force', '--', ...cmd], { cwd: p.cwd, env: p.env });
    expect(b2.code, b2.stderr).toBe(0);
    const seen2 = await explainSeen();
    expect(seen2.file).not.toBe(seen1.file);
    expect(seen2.line).toContain('/etc/hostname');
    const v = await jt(['verify', jail, '--', ...cmd], { cwd: p.cwd, env: p.env });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const runs = await readdir(path.join(jail, '.jailtrace/traces'));
    expect(runs.map((r) => r.replace(/^[\dT-]+-(?=[a-z])/, '')).sort()).toEqual(['build', 'build', 'verify']);
    const verifyRun = runs.find((r) => r.endsWith('-verify'))!;
    expect(await readdir(path.join(jail, '.jailtrace/traces', verifyRun))).toEqual(['round-1']);
    expect(await readdir(path.join(jail, '.jailtrace/traces', verifyRun, 'round-1'))).toEqual(['verify-1.strace']);
    // the record still cites build 2's trace, and that line still says what it said
    expect(await explainSeen()).toEqual(seen2);
    // build 1's evidence is kept too
    expect((await readFile(seen1.file, 'utf8')).split('\n')).toContain(seen1.line);
    expect(await readdir(p.cwd)).toEqual([]);
  });

  test('verify --fix: what it adds is explained by a line of its own kept trace, which the record names', async () => {
    const p = await places('fix');
    const jail = path.join(base, 'fix');
    const b = await jt(['build', jail, '--', '/bin/cat', '/etc/hostname'], { cwd: p.cwd, env: p.env });
    expect(b.code, b.stderr).toBe(0);
    const v = await jt(['verify', jail, '--fix', '--', '/bin/cat', '/etc/hostname', '/etc/debian_version'], { cwd: p.cwd, env: p.env });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const x = JSON.parse((await jt(['explain', '/etc/debian_version', '--jail', jail, '--json'])).stdout) as {
      inJail: boolean;
      chain: Array<{ first?: { file?: string; line: number } }>;
    };
    expect(x.inJail).toBe(true);
    const first = x.chain[0].first!;
    expect(first.file).toMatch(/\/\.jailtrace\/traces\/[\dT-]+-verify\/round-1\/verify-1\.strace$/);
    expect((await readFile(first.file!, 'utf8')).split('\n')[first.line - 1]).toContain('/etc/debian_version');
    const rec = JSON.parse(await readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8')) as { traces: string[] };
    expect(rec.traces).toContain(first.file);
    expect(await readdir(p.cwd)).toEqual([]);
  });

  test('--output-dir still overrides', async () => {
    const p = await places('override');
    const jail = path.join(base, 'override');
    const out = path.join(p.cwd, 'mine');
    const r = await jt(['build', jail, '--output-dir', out, '--', '/bin/true'], { cwd: p.cwd, env: p.env });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(out)).toEqual([expect.stringMatching(/^true-.*\.strace$/)]);
    expect(await readdir(path.join(jail, '.jailtrace'))).toEqual(['manifest.json']);
  });

  test('an interrupted build (SIGINT mid-trace) leaves no jailtrace-* dir in TMPDIR, the user-owned scratch tree included', { timeout: 120_000 }, async () => {
    const p = await places('sigint');
    const jail = path.join(base, 'sigint');
    const child = execa('node', [CLI, 'build', jail, '--profile', 'sftp', '--user', USER], { reject: false, cwd: p.cwd, env: p.env, all: true });
    // mid-trace: the scratch trees are made and handed over, and the trace FIFO is open
    let names: string[] = [];
    for (let i = 0; i < 2000 && !names.some((n) => n.startsWith('jailtrace-fifo-')); i++) {
      await sleep(10);
      names = await scratchNames(p.tmp);
    }
    expect(
      names.some((n) => n.startsWith('jailtrace-fifo-')),
      `never got mid-trace: ${names.join(' ')}`,
    ).toBe(true);
    expect(names.some((n) => n.startsWith('jailtrace-sftp-'))).toBe(true);
    child.kill('SIGINT');
    const r = await child;
    // 130, or SIGINT itself when a file-system call stuck in the kernel (the FIFO's open) made it exit by the signal
    // (src/interrupt.ts exitWithin): a shell sees 130 either way
    expect(r.exitCode === 130 || r.signal === 'SIGINT', String(r.all)).toBe(true);
    expect(String(r.all)).toContain('jailtrace: interrupted');
    expect(await scratchNames(p.tmp)).toEqual([]);
  });
});
