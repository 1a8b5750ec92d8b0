/**
 * Device nodes are a policy, not whatever a trace opened: the platform's safe list (/dev/null, zero, full, random,
 * urandom, tty) is made; /dev/kmsg, a disk or any other device only when --allow-device names it. Rules as rows
 * (no root), then real traces (strace of `head -c 0` opening the devices), real builds, check/sync on them, and the
 * generated sh script run by dash (root: mknod, chown, strace).
 */
import { execa } from 'execa';
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEVICE_NOT_MADE, decide, type Facts } from '../../src/expand/classify.js';
import { platformInfo } from '../../src/platforms/index.js';
import type { Platform } from '../../src/syscalls.js';
import { isRoot } from './session.js';
import { CLI } from '../support/cli.js';

const jt = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true });
const linux = platformInfo('linux');
const facts = (p: string, type: Facts['type'], from?: string): Facts => ({
  path: p,
  ops: new Set(['read']),
  failedOnly: false,
  type,
  via: 'trace',
  ...(from ? { from } : {}),
});
const none = { allowSecrets: new Set<string>(), fullPasswd: false };

describe('device rules (no root)', () => {
  test.each([
    ['/dev/null', 'char', {}, 'create'],
    ['/dev/zero', 'char', {}, 'create'],
    ['/dev/full', 'char', {}, 'create'],
    ['/dev/random', 'char', {}, 'create'],
    ['/dev/urandom', 'char', {}, 'create'],
    ['/dev/tty', 'char', {}, 'create'],
    ['/dev/kmsg', 'char', {}, 'skip'],
    ['/dev/mem', 'char', {}, 'skip'],
    ['/dev/vda', 'block', {}, 'skip'],
    ['/dev/kmsg', 'char', { allowDevices: new Set(['/dev/kmsg']) }, 'create'],
    ['/dev/vda', 'block', { allowDevices: new Set(['/dev/kmsg']) }, 'skip'],
    ['/dev/vda', 'block', { allowDevices: new Set(['/dev/vda']) }, 'create'],
  ] as const)('%s (%s) %o → %s', (p, type, extra, want) => {
    const d = decide(facts(p, type), linux, { ...none, ...extra });
    expect(d.role).toBe('device');
    expect(d.decision).toBe(want);
    if (want === 'skip') expect(d.reason).toBe(DEVICE_NOT_MADE);
  });

  test('--allow-device may name the traced name that led to the node through symlinks', () => {
    const f = facts('/dev/sda', 'block', '/dev/disk/by-id/ata-x');
    expect(decide(f, linux, none).decision).toBe('skip');
    expect(decide(f, linux, { ...none, allowDevices: new Set(['/dev/disk/by-id/ata-x']) }).decision).toBe('create');
  });

  test.each(['linux', 'solaris', 'aix', 'freebsd', 'macos'] as Platform[])(
    '%s: the safe list is platform data with /dev/null, never /dev/kmsg, /dev/mem or a disk',
    (name) => {
      const d = platformInfo(name).devices;
      expect(d).toContain('/dev/null');
      for (const bad of ['/dev/kmsg', '/dev/mem', '/dev/kmem', '/dev/port', '/dev/sda', '/dev/vda']) expect(d).not.toContain(bad);
    },
  );
});

/** A block device this host has: the first disk /proc/partitions names that /dev holds, else a loop device. */
async function blockDevice(): Promise<string | undefined> {
  const parts = await readFile('/proc/partitions', 'utf8').catch(() => '');
  const names = parts
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/)[3])
    .filter(Boolean);
  for (const p of [...names.map((n) => `/dev/${n}`), '/dev/loop0']) if ((await lstat(p).catch(() => undefined))?.isBlockDevice()) return p;
  return undefined;
}

const node = (p: string) =>
  lstat(p).then(
    (s) => ({ block: s.isBlockDevice(), char: s.isCharacterDevice(), rdev: s.rdev, mode: s.mode & 0o7777 }),
    () => undefined,
  );

describe.skipIf(!isRoot)('devices in real jails (needs root: strace, mknod, chown)', () => {
  let base: string;
  let trace: string;
  let block: string;
  const safe = ['/dev/null', '/dev/zero', '/dev/urandom'];

  beforeAll(async () => {
    await mkdir('/srv', { recursive: true }); // not under /tmp: check applies OpenSSH's rule to the jail's parents
    base = await mkdtemp('/srv/devices-test-');
    trace = path.join(base, 'head.strace');
    const b = await blockDevice();
    if (!b) throw new Error('no block device on this host (/proc/partitions, /dev/loop0): cannot test the block-device rule');
    block = b;
    // opens /dev/kmsg and the safe ones; a disk only stat()ed (a container may refuse opening it, EPERM: a failed
    // access is report-only, never made, whatever the device rule says)
    await execa('strace', ['-f', '-o', trace, 'sh', '-c', `head -c 0 /dev/kmsg ${safe.join(' ')} && stat ${block} >/dev/null`]);
    const t = await readFile(trace, 'utf8');
    for (const d of ['/dev/kmsg', block, ...safe]) expect(t).toContain(`"${d}"`); // the trace really opened them
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('without --allow-device: no /dev/kmsg and no block device in the jail, the output says why; the safe ones are made', async () => {
    const jail = path.join(base, 'plain');
    const r = await jt(['build', jail, '--trace', trace]);
    expect(r.exitCode, r.all).toBe(0);
    expect(await node(path.join(jail, 'dev/kmsg'))).toBeUndefined();
    expect(await node(path.join(jail, block))).toBeUndefined();
    expect(r.all).toContain(`device /dev/kmsg: ${DEVICE_NOT_MADE}`);
    expect(r.all).toContain(`device ${block}: ${DEVICE_NOT_MADE}`);
    for (const d of safe) {
      const [h, j] = [await node(d), await node(path.join(jail, d))];
      expect(j?.char, d).toBe(true);
      expect(j?.rdev, d).toBe(h?.rdev);
    }
    const rec = JSON.parse(await readFile(path.join(jail, '.jailtrace/manifest.json'), 'utf8')) as {
      entries: Array<{ path: string; role: string; decision: string; reason: string }>;
    };
    expect(rec.entries.find((e) => e.path === '/dev/kmsg')).toMatchObject({ role: 'device', decision: 'skip', reason: DEVICE_NOT_MADE });
    // check agrees with the build: clean (no "missing" for the device left out)
    const c = await jt(['check', jail]);
    expect(c.exitCode, c.all).toBe(0);
  });

  test("--allow-device makes /dev/kmsg and the block device with the host's major/minor and mode; check needs the same names", async () => {
    const jail = path.join(base, 'allowed');
    const r = await jt(['build', jail, '--trace', trace, '--allow-device', '/dev/kmsg', '--allow-device', block]);
    expect(r.exitCode, r.all).toBe(0);
    for (const d of ['/dev/kmsg', block]) {
      const [h, j] = [await node(d), await node(path.join(jail, d))];
      expect(j, d).toEqual(h);
    }
    const bare = await jt(['check', jail, '--json']);
    expect(bare.exitCode).toBe(1);
    const kinds = (JSON.parse(bare.stdout) as { findings: Array<{ kind: string; path: string }> }).findings
      .filter((f) => f.kind === 'suspicious-record')
      .map((f) => f.path);
    expect(kinds.sort()).toEqual(['/dev/kmsg', block].sort());
    const named = await jt(['check', jail, '--allow-device', '/dev/kmsg', '--allow-device', block]);
    expect(named.exitCode, named.all).toBe(0);
  });

  test('a jail that holds /dev/kmsg the rules do not make (an older build): check says extra; a record asking for it is suspicious and sync does not make it', async () => {
    const jail = path.join(base, 'old');
    expect((await jt(['build', jail, '--trace', trace])).exitCode).toBe(0);
    const h = (await lstat('/dev/kmsg')).rdev;
    await execa('mknod', ['-m', '0644', path.join(jail, 'dev/kmsg'), 'c', String(Math.floor(h / 256) & 0xfff), String(h & 0xff)]);
    const c = await jt(['check', jail, '--json']);
    expect(c.exitCode).toBe(1);
    expect(JSON.parse(c.stdout).findings).toContainEqual(
      expect.objectContaining({ kind: 'extra', path: '/dev/kmsg', detail: expect.stringContaining('device node not in the record') }),
    );
    // the record of an older build: /dev/kmsg "create"
    await rm(path.join(jail, 'dev/kmsg'));
    const file = path.join(jail, '.jailtrace/manifest.json');
    const rec = JSON.parse(await readFile(file, 'utf8')) as { entries: Array<{ path: string; decision: string; reason: string }> };
    const e = rec.entries.find((x) => x.path === '/dev/kmsg')!;
    Object.assign(e, { decision: 'create', reason: "device node made with the host's major/minor and mode" });
    await writeFile(file, JSON.stringify(rec, null, 1) + '\n', { mode: 0o600 });
    const s = await jt(['sync', jail]);
    expect(s.exitCode, s.all).toBe(1); // suspicious record entries refused
    expect(s.all).toContain('/dev/kmsg');
    expect(await node(path.join(jail, 'dev/kmsg'))).toBeUndefined();
  });

  test('the sh script (run by dash) makes the safe devices, reports the others, and makes them with --allow-device', async () => {
    for (const [name, extra] of [
      ['sh-plain', []],
      ['sh-allowed', ['--allow-device', '/dev/kmsg', '--allow-device', block]],
    ] as const) {
      const jail = path.join(base, name);
      const script = path.join(base, `${name}.sh`);
      const g = await jt(['script', trace, '--jail', jail, '-o', script, ...extra]);
      expect(g.exitCode, g.all).toBe(0);
      const run = await execa('dash', [script], { reject: false, all: true });
      expect(run.exitCode, run.all).toBe(0);
      for (const d of safe) expect((await node(path.join(jail, d)))?.rdev, `${name} ${d}`).toBe((await node(d))?.rdev);
      for (const d of ['/dev/kmsg', block]) {
        if (extra.length) expect(await node(path.join(jail, d)), `${name} ${d}`).toEqual(await node(d));
        else {
          expect(await node(path.join(jail, d)), `${name} ${d}`).toBeUndefined();
          expect(run.all).toContain(`device not made: ${d}`);
        }
      }
    }
  });
});
