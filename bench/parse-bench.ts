/**
 * Issue 2 and 14's parse figures on the big trace (256 MiB of repeated real captures), each beside its yardstick from
 * the same run: wc -l and the mawk one-liner (the machine), split2 (the reference line splitter) beside our scanner.
 * Every figure is the median of 3 runs; wall seconds and CPU seconds (user + sys, GNU time), since the 2 cores are
 * shared and wall time moves with the neighbours' load. `node dist/bench/bench.js parse` runs only this section;
 * JT_BENCH_BEFORE=<another build's dist dir> also times that build in the same run and compares the two manifests.
 */
import { execa } from 'execa';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import split2 from 'split2';
import { readFileLines } from '../src/source/lines.js';
import { BENCH_SOURCES } from './parse-golden.js';

const f = (x: number, d = 2) => x.toFixed(d);
const ROUNDS = 3;

export async function makeBigTrace(repo: string, big: string, targetMB: number): Promise<void> {
  if (existsSync(big) && statSync(big).size >= targetMB * 1048576) return;
  await mkdir(path.dirname(big), { recursive: true });
  const sources = BENCH_SOURCES.map((f) => readFileSync(path.join(repo, 'traces/linux', f)));
  const out = createWriteStream(big);
  let written = 0;
  let i = 0;
  while (written < targetMB * 1048576) {
    const b = sources[i++ % sources.length];
    if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += b.length;
  }
  await new Promise<void>((r) => out.end(() => r()));
}

interface Run {
  secs: number;
  cpu: number;
  rssMB: number;
  stdout: string;
}

/** One command under GNU time: wall, user + sys, peak RSS. */
async function timed(cmd: string, args: string[], keep = false): Promise<Run> {
  const t0 = performance.now();
  const r = await execa('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], { maxBuffer: 1 << 30, stdout: keep ? 'pipe' : 'ignore' });
  const secs = (performance.now() - t0) / 1000;
  const [u, s, m] = String(r.stderr).trim().split('\n').pop()!.split(' ').map(Number);
  return { secs, cpu: u + s, rssMB: m / 1024, stdout: keep ? String(r.stdout) : '' };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const summary = (all: Run[]): Run & { all: Run[] } => ({
  secs: median(all.map((r) => r.secs)),
  cpu: median(all.map((r) => r.cpu)),
  rssMB: Math.max(...all.map((r) => r.rssMB)),
  stdout: all[0].stdout,
  all,
});

async function med(run: () => Promise<Run>): Promise<Run & { all: Run[] }> {
  const all: Run[] = [];
  for (let i = 0; i < ROUNDS; i++) all.push(await run());
  return summary(all);
}

async function inProcess(fn: () => Promise<number>): Promise<{ secs: number; lines: number }> {
  const secs: number[] = [];
  let lines = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    lines = await fn();
    secs.push((performance.now() - t0) / 1000);
  }
  return { secs: median(secs), lines };
}

export async function parseBench(repo: string, big: string, targetMB: number): Promise<void> {
  if (!existsSync('/usr/bin/time')) {
    console.log('\n## parse (issues 2, 14): skipped, /usr/bin/time missing (apt-get install time)');
    return;
  }
  await makeBigTrace(repo, big, targetMB);
  const size = statSync(big).size / 1048576;
  const cli = path.join(repo, 'dist/src/cli.js');
  console.log(`\n## parse (issues 2, 14)\ntrace: ${big} (${f(size, 0)} MiB, repeated real captures from traces/linux); median of ${ROUNDS}`);
  const wc = await med(() => timed('wc', ['-l', big]));
  const mawk = await med(() => timed('mawk', ['-F"', '/open.*= [0-9]/{print $2}', big]));
  const ours = await inProcess(async () => {
    let n = 0;
    await readFileLines(big, () => n++);
    return n;
  });
  const s2 = await inProcess(async () => {
    let n = 0;
    await pipeline(createReadStream(big, { highWaterMark: 1 << 20 }), split2(), async (src: AsyncIterable<unknown>) => {
      for await (const _ of src) n++;
    });
    return n;
  });
  // with JT_BENCH_BEFORE the two builds take turns, so a neighbour's burst of load hits both alike
  const beforeDist = process.env.JT_BENCH_BEFORE;
  const builds = [cli, ...(beforeDist ? [path.join(path.resolve(beforeDist), 'src/cli.js')] : [])];
  const runs: Run[][] = builds.map(() => []);
  for (let i = 0; i < ROUNDS; i++) for (const [k, c] of builds.entries()) runs[k].push(await timed('node', [c, 'parse', '--json', '--cwd', '/', big], true));
  const [jt, before] = runs.map(summary);
  const paths = (JSON.parse(jt.stdout) as { entries: unknown[] }).entries.length;
  const row = (name: string, r: { secs: number; cpu?: number }, extra = '') =>
    console.log(`${name.padEnd(30)}${f(r.secs)} s  ${f(size / r.secs, 0).padStart(4)} MiB/s${r.cpu === undefined ? '' : `  cpu ${f(r.cpu)} s`}${extra}`);
  row('wc -l', wc);
  row('mawk open filter', mawk);
  row('line scanner (ours, latin1)', ours, `  ${ours.lines} lines`);
  row('split2 (utf8 strings)', s2, `  ${s2.lines} lines`);
  row('jailtrace parse --json', jt, `  peak RSS ${f(jt.rssMB, 0)} MiB  ${paths} paths  (runs: ${jt.all.map((r) => f(r.secs)).join(', ')} s)`);
  if (before) {
    row('before (JT_BENCH_BEFORE)', before, `  peak RSS ${f(before.rssMB, 0)} MiB  (runs: ${before.all.map((r) => f(r.secs)).join(', ')} s)`);
    console.log(`manifest before = after         ${before.stdout === jt.stdout ? 'identical, byte for byte' : 'DIFFERENT'}   (${jt.stdout.length} bytes)`);
    console.log(`ratio before/mawk             ${f(before.secs / mawk.secs)}x wall, ${f(before.cpu / mawk.cpu)}x cpu`);
  }
  console.log(
    `ratio jailtrace/mawk          ${f(jt.secs / mawk.secs)}x wall, ${f(jt.cpu / mawk.cpu)}x cpu   (goal <= 5x, moonshot 2x; peak RSS goal <= 150 MB)`,
  );
}
