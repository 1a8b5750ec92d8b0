/**
 * Every committed Linux capture (traces/linux/, made on this machine by traces/linux/capture.sh) parses to exactly the
 * hand-checked path sets in its expected.json. The same workload under different strace flags gives the same sets,
 * except for the differences strace's flags imply, each spelled out here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { entryBytes, type Manifest } from '../src/manifest/manifest.js';
import { parseTraces } from '../src/trace.js';

const ROOT = path.resolve(import.meta.dirname, '../traces/linux');

interface Expected {
  cwdAtStart: string;
  ok: Record<string, string[]>;
  okHex?: Record<string, string[]>;
  failed: Record<string, string>;
}

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const PROBE_REAL = [LIBC, '/usr/lib/x86_64-linux-gnu/libm.so.6', '/usr/share/zoneinfo/Etc/UTC'];

/** What each flag set changes, relative to the full `-f` capture. */
const DIFFERENCES: Record<string, (ok: Set<string>, failed: Map<string, string>) => void> = {
  // no -f: the sh child, the FIFO reader thread and the /bin/true child are not traced
  'probe/nof': (ok) => ['/bin/sh', '/bin/true', '/dev/null'].forEach((p) => ok.delete(p)),
  // -Z: failures only; chdir is not shown, so the relative unlink("fifo") resolves against the starting cwd
  'probe/f-Z': (ok, failed) => {
    ok.clear();
    failed.delete('/tmp/jt-probe-work/fifo');
    failed.set('/fifo', 'ENOENT');
  },
  // -z: successes only
  'probe/f-z': (_ok, failed) => failed.clear(),
  // -e trace=%file,...: fchdir (a %desc call) is not traced. rel2.txt is created while the cwd is still
  // /tmp/jt-probe-work (chdir at the start), then read after chdir("/") + the invisible fchdir: it looks like /rel2.txt.
  'probe/f-efile': (ok) => ok.add('/rel2.txt'),
  'probe/f-efile-old': (ok) => ok.add('/rel2.txt'),
  // -y: `= 3</usr/lib/...>` names the file behind /lib -> usr/lib and /etc/localtime: recorded too (resolvedFrom)
  'probe/f-y': (ok) => PROBE_REAL.forEach((p) => ok.add(p)),
  'probe/f-yy': (ok) => PROBE_REAL.forEach((p) => ok.add(p)),
  'probe/f-combo': (ok) => PROBE_REAL.forEach((p) => ok.add(p)),
  'scp-upload/f-tt-T-y': (ok) => ok.add(LIBC),
  'sftp-server/f-tt-T-y': (ok) => [LIBC, '/usr/share/zoneinfo/Etc/UTC'].forEach((p) => ok.add(p)),
};

const hexOf = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

function sets(m: Manifest): { ok: Set<string>; failed: Map<string, string> } {
  const ok = new Set<string>();
  const failed = new Map<string, string>();
  for (const e of m.entries) {
    const key = e.pathHex ? `hex:${e.pathHex}` : e.path;
    if (e.accesses.some((a) => a.ok)) ok.add(key);
    const f = e.accesses.find((a) => !a.ok);
    if (f) failed.set(key, f.errno ?? '?');
  }
  return { ok, failed };
}

function expectedSets(x: Expected): { ok: Set<string>; failed: Map<string, string> } {
  const ok = new Set<string>(Object.keys(x.ok).map((p) => (/^[\x20-\x7e]*$/.test(p) ? p : `hex:${hexOf(p)}`)));
  for (const h of Object.keys(x.okHex ?? {})) ok.add(`hex:${h}`);
  return { ok, failed: new Map(Object.entries(x.failed)) };
}

const cases: Array<{ name: string; workload: string; input: string; expected: Expected }> = [];
for (const workload of readdirSync(ROOT)) {
  const dir = path.join(ROOT, workload);
  if (!statSync(dir).isDirectory()) continue;
  const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  for (const f of readdirSync(dir).sort()) {
    if (f === 'expected.json' || f.endsWith('.md')) continue;
    cases.push({ name: `${workload}/${f.replace(/\.strace$/, '')}`, workload, input: path.join(dir, f), expected });
  }
}

describe('linux captures', () => {
  test('the corpus is there', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  test.each(cases)('$name', async ({ name, input, expected }) => {
    const m = await parseTraces([input], { cwd: expected.cwdAtStart });
    expect(m.source.format).toBe('strace');
    const got = sets(m);
    const want = expectedSets(expected);
    DIFFERENCES[name]?.(want.ok, want.failed);
    expect([...got.ok].sort()).toEqual([...want.ok].sort());
    expect(Object.fromEntries([...got.failed].sort())).toEqual(Object.fromEntries([...want.failed].sort()));
    // program output mixed into the stderr captures may warn; nothing else should
    if (!name.endsWith('f-stderr')) expect(m.warnings).toEqual([]);
  });
});

describe('probe details', () => {
  const probe = (f: string) => parseTraces([path.join(ROOT, 'probe', f)], { cwd: '/' });

  test('the odd file name keeps its exact bytes', async () => {
    const m = await probe('f.strace');
    const odd = m.entries.find((e) => e.pathHex);
    expect(odd).toBeDefined();
    expect(entryBytes(odd!)).toEqual(
      Buffer.from([...Buffer.from('/tmp/jt-probe-work/we ird "q" it\'s '), 0xc3, 0xa9, 0xff, 0x0a, ...Buffer.from('line2.txt')]),
    );
    expect(odd!.path).toBe('/tmp/jt-probe-work/we ird "q" it\'s é\\xff\nline2.txt');
  });

  test.each(['f.strace', 'f-xx.strace', 'f-x.strace', 'f-y.strace', 'f-yy.strace', 'f-combo.strace'])('%s: same odd name under every escaping', async (f) => {
    const m = await probe(f);
    expect(m.entries.filter((e) => e.pathHex).map((e) => e.pathHex)).toEqual([hexOf('/tmp/jt-probe-work/we ird "q" it\'s é') + 'ff0a' + hexOf('line2.txt')]);
  });

  test('processes: leader, sh child, fifo thread, /bin/true child', async () => {
    const m = await probe('f.strace');
    expect(
      m.processes
        .map((p) => p.exe)
        .filter(Boolean)
        .sort(),
    ).toEqual(expect.arrayContaining(['/bin/sh', '/bin/true', '/tmp/jt-probe-bin/probe']));
    const sh = m.processes.find((p) => p.exe === '/bin/sh')!;
    expect(m.processes.find((p) => p.pid === sh.parent)?.exe).toBe('/tmp/jt-probe-bin/probe');
  });

  test('ops: the fifo is created, read and written; exec and connect recorded', async () => {
    const m = await probe('f.strace');
    const ops = (p: string) =>
      [
        ...new Set(
          m.entries
            .find((e) => e.path === p)!
            .accesses.filter((a) => a.ok)
            .map((a) => a.op),
        ),
      ].sort();
    expect(ops('/tmp/jt-probe-work/fifo')).toEqual(['create', 'read', 'write']);
    expect(ops('/bin/true')).toEqual(['exec']);
    expect(m.entries.find((e) => e.path === '/dev/log')!.accesses.map((a) => a.op)).toContain('connect');
  });

  test('-ff directory: same manifest paths as -f', async () => {
    const ff = sets(await parseTraces([path.join(ROOT, 'probe', 'ff')], { cwd: '/' }));
    const f = sets(await probe('f.strace'));
    expect([...ff.ok].sort()).toEqual([...f.ok].sort());
  });
});
