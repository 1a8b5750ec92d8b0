/**
 * Issue 20, reproduction 3 with a race: a local (non-root) user attacks the generated host script while it runs under
 * dash. (a) The old temp name was predictable (`.jailtrace-tmp-$$`, removed then created by cp): a user who can write
 * a jail directory plants it as a symlink to a root-owned file outside and root's cp, chown and chmod go through it.
 * (d) An adversary plants symlinks (to /etc/shadow, to OUTSIDE), FIFOs and renames in every place it can write, for a
 * few seconds, while the script runs again and again. Nothing outside the jail changes (listing, owners, modes, inodes,
 * hashes), no secret enters the jail, and every run ends (exit 0, or 1 for a refusal) without hanging.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTemps } from '../jail/helpers.js';
import {
  LOCAL,
  asLocal,
  hostScript,
  isRoot,
  localUser,
  makeOutside,
  openBase,
  outsideState,
  secrets,
  secretsIn,
  tempDir,
  traceOf,
  userTree,
  type Ids,
} from './script-helpers.js';

const SECONDS = 4;
let base: string;
let ids: Ids;
const tag = `${process.pid}`;
const TMP = `/tmp/jt-sec-race-${tag}`;
const SRV = `/srv/jt-sec-race-${tag}`;

/** Plants `.jailtrace-tmp-PID -> TARGET` in every directory under JAIL it can write, as fast as it can, for SECONDS. */
const PLANT_TEMPS = `jail=$1 target=$2 pid=$3 end=$(($(date +%s) + $4))
while [ "$(date +%s)" -lt "$end" ]; do
  dirs=$(find "$jail" -type d -writable 2>/dev/null)
  i=0
  while [ "$i" -lt 200 ]; do
    for d in $dirs; do ln -s "$target" "$d/.jailtrace-tmp-$pid" 2>/dev/null; done
    i=$((i + 1))
  done
done`;

/** Everything a local user can do to the places it can write: symlinks, FIFOs, renames, for SECONDS. */
const ADVERSARY = `jail=$1 outside=$2 end=$(($(date +%s) + $3))
shift 3
n=0
while [ "$(date +%s)" -lt "$end" ]; do
  n=$((n + 1))
  for d in $(find "$jail" "$@" -type d -writable 2>/dev/null); do
    ln -s "$outside/target" "$d/.jailtrace-tmp-$n" 2>/dev/null
    ln -s /etc/shadow "$d/shadow-$n" 2>/dev/null
    mkfifo "$d/fifo-$n" 2>/dev/null
    for f in "$d"/*; do
      [ -O "$f" ] || continue
      case $f in *.away) continue ;; esac
      if [ -f "$f" ] && [ ! -h "$f" ]; then
        mv "$f" "$f.away" 2>/dev/null && ln -s /etc/shadow "$f" 2>/dev/null
      elif [ -h "$f" ] && [ -e "$f.away" ]; then
        rm -f "$f" && mkfifo "$f" 2>/dev/null
      elif [ -p "$f" ] && [ -e "$f.away" ]; then
        rm -f "$f" && mv "$f.away" "$f" 2>/dev/null
      elif [ -d "$f" ] && [ ! -h "$f" ]; then
        mv "$f" "$f.away" 2>/dev/null && ln -s "$outside" "$f" 2>/dev/null
      elif [ -h "$f" ] && [ -d "$f.away" ]; then
        rm -f "$f" && mv "$f.away" "$f" 2>/dev/null
      fi
    done
  done
done`;

describe.skipIf(!isRoot)(`a local user races the host script under dash, ${SECONDS} s each (needs root: useradd, setpriv, chown)`, () => {
  beforeAll(async () => {
    ids = await localUser();
    base = await tempDir('sec-race');
    await openBase(base);
    await fs.mkdir('/srv', { recursive: true });
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`d/f${i}`] = `workload file ${i}\n`;
    await userTree(TMP, files, ids);
    await userTree(SRV, { data: 'user data\n', 'sub/more': 'more\n' }, ids);
  }, 60_000);
  afterAll(async () => {
    for (const d of [base, TMP, SRV]) if (d) await fs.rm(d, { recursive: true, force: true });
  });

  test('(a) symlinks planted at every predictable temp name in the jail directories it can write: OUTSIDE unchanged', { timeout: 120_000 }, async () => {
    const outside = path.join(base, 'outside-a');
    await makeOutside(outside);
    const trace = path.join(base, 'a.strace');
    await traceOf(trace, 'sh', ['-c', `cat ${TMP}/d/* >/dev/null`]);
    const jail = path.join(base, 'jail-a');
    const script = path.join(base, 'a.sh');
    await hostScript(trace, jail, script);
    const before = await outsideState(outside);
    const runs: string[] = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const run = execa('dash', [script, jail], { reject: false, all: true, timeout: 60_000 });
      const attack = asLocal(PLANT_TEMPS, [jail, path.join(outside, 'target'), String(run.pid), '3'], { timeout: 20_000 });
      const r = await run;
      await attack;
      runs.push(`${r.exitCode} ${String(r.all).split('\n').slice(-2).join(' | ')}`);
      expect([0, 1], runs.join('\n')).toContain(r.exitCode);
      expect(await outsideState(outside), `run ${runs.length}`).toEqual(before);
    }
    expect(await findTemps(jail)).toEqual([]);
  });

  test('(d) symlinks to /etc/shadow and OUTSIDE, FIFOs and renames everywhere it can write: nothing outside changes, no secret enters, no run hangs', {
    timeout: 120_000,
  }, async () => {
    const outside = path.join(base, 'outside-d');
    await makeOutside(outside);
    const trace = path.join(base, 'd.strace');
    await traceOf(trace, 'sh', ['-c', `cat /etc/hostname ${SRV}/data ${SRV}/sub/more ${TMP}/d/f1 ${TMP}/d/f2 >/dev/null; ls ${SRV} /usr/bin >/dev/null`]);
    const jail = path.join(base, 'jail-d');
    const script = path.join(base, 'd.sh');
    await hostScript(trace, jail, script, [LOCAL]);
    const first = await execa('dash', [script, jail], { reject: false, all: true, timeout: 60_000 });
    expect(first.exitCode, first.all).toBe(0);
    const before = await outsideState(outside);
    const hostSecrets = await secrets();
    const attack = asLocal(ADVERSARY, [jail, outside, String(SECONDS), TMP, SRV], { timeout: (SECONDS + 20) * 1000 });
    const runs: string[] = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const r = await execa('dash', [script, jail], { reject: false, all: true, timeout: 30_000 });
      runs.push(`${r.exitCode}${r.timedOut ? ' (timed out)' : ''} ${String(r.all).split('\n').slice(-1)[0]}`);
      expect([0, 1], runs.join('\n')).toContain(r.exitCode);
      expect(await secretsIn(jail)).toEqual([]);
    }
    const a = await attack;
    expect(a.timedOut, a.all).toBe(false);
    expect(runs.length).toBeGreaterThan(1);
    expect(await outsideState(outside)).toEqual(before);
    expect(await secrets()).toEqual(hostSecrets);
    expect(await secretsIn(jail)).toEqual([]);
    // the attacker's own .jailtrace-tmp-N symlinks stay where it put them; the script leaves no staging directory
    expect((await findTemps(jail)).filter((p) => !/\.jailtrace-tmp-\d+$/.test(p))).toEqual([]);
  });
});
