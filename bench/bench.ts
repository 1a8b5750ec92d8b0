/**
 * `npm run bench`: speed and memory of the trace pipeline, measured against wc -l and mawk on the same file, and our
 * own line scanner against split2. Figures, not pass/fail: the goals (issue 2) are printed beside them.
 * Later stages add their own sections (see bench/*.ts): memory per path at the --max-paths cap, build.
 */
import { execa } from 'execa';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import split2 from 'split2';
import { readFileLines } from '../src/source/lines.js';
import { buildBench } from './build-bench.js';
import { memoryBench } from './memory-bench.js';
import { rebuildBench } from './rebuild-bench.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../..');
const targetMB = Number(process.env.JT_BENCH_MB ?? 256);
// in the checkout, not /tmp: the bench runs as root, and a fixed name in /tmp is anyone's to plant a symlink at
const work = path.join(repo, '.bench-cache');
const big = path.join(work, `big-${targetMB}.strace`);

async function makeBigTrace(): Promise<void> {
  if (existsSync(big) && statSync(big).size >= targetMB * 1048576) return;
  await mkdir(work, { recursive: true });
  const sources = ['probe/f.strace', 'probe/f-tt-T.strace', 'probe/f-combo.strace', 'sftp-server/f.strace', 'scp-upload/f.strace', 'sftp-server/f-tt-T-y.strace'].map((f) =>
    readFileSync(path.join(repo, 'traces/linux', f)),
  );
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

async function timeCmd(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await execa(cmd, args, { stdout: 'ignore' });
  return (performance.now() - t0) / 1000;
}

/** Run the CLI in a child so its peak RSS is its own (GNU time's %M, in KiB). */
async function timeJailtrace(): Promise<{ secs: number; rssMB: number; paths: number }> {
  const cli = path.join(repo, 'dist/src/cli.js');
  const t0 = performance.now();
  const r = await execa('/usr/bin/env', ['bash', '-c', `command -v /usr/bin/time >/dev/null && exec /usr/bin/time -f '%M' node ${cli} parse --json --cwd / ${big} || exec node ${cli} parse --json --cwd / ${big}`], { reject: false, maxBuffer: 1 << 30 });
  const secs = (performance.now() - t0) / 1000;
  const rss = Number(r.stderr.trim().split('\n').pop());
  const m = JSON.parse(r.stdout) as { entries: unknown[] };
  return { secs, rssMB: Number.isFinite(rss) ? rss / 1024 : NaN, paths: m.entries.length };
}

async function scanOurs(): Promise<{ secs: number; lines: number }> {
  const t0 = performance.now();
  let n = 0;
  await readFileLines(big, () => n++);
  return { secs: (performance.now() - t0) / 1000, lines: n };
}

async function scanSplit2(): Promise<{ secs: number; lines: number }> {
  const t0 = performance.now();
  let n = 0;
  await pipeline(createReadStream(big, { highWaterMark: 1 << 20 }), split2(), async function* (src) {
    for await (const _ of src) n++;
  });
  return { secs: (performance.now() - t0) / 1000, lines: n };
}

const f = (x: number, d = 2) => x.toFixed(d);

/** `node dist/bench/bench.js SECTION` runs one section (rebuild); no argument runs them all. */
const SECTIONS: Record<string, () => Promise<void>> = { rebuild: () => rebuildBench(repo) };

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== undefined) {
    const run = SECTIONS[only];
    if (!run) throw new Error(`no bench section ${only}: one of ${Object.keys(SECTIONS).join(', ')}`);
    return run();
  }
  if (!existsSync('/usr/bin/time')) console.log('note: /usr/bin/time missing (apt-get install time): peak RSS not measured');
  await makeBigTrace();
  const size = statSync(big).size / 1048576;
  console.log(`trace: ${big} (${f(size, 0)} MiB, repeated real captures from traces/linux)`);
  const wc = await timeCmd('wc', ['-l', big]);
  const mawk = await timeCmd('mawk', ['-F"', '/open.*= [0-9]/{print $2}', big]);
  const ours = await scanOurs();
  const s2 = await scanSplit2();
  const jt = await timeJailtrace();
  console.log('\n## parse (issue 2)');
  console.log(`wc -l                         ${f(wc)} s  ${f(size / wc, 0)} MiB/s`);
  console.log(`mawk open filter              ${f(mawk)} s  ${f(size / mawk, 0)} MiB/s`);
  console.log(`line scanner (ours, latin1)   ${f(ours.secs)} s  ${f(size / ours.secs, 0)} MiB/s  ${ours.lines} lines`);
  console.log(`split2 (utf8 strings)         ${f(s2.secs)} s  ${f(size / s2.secs, 0)} MiB/s  ${s2.lines} lines`);
  console.log(`jailtrace parse --json        ${f(jt.secs)} s  ${f(size / jt.secs, 0)} MiB/s  peak RSS ${f(jt.rssMB, 0)} MiB  ${jt.paths} paths`);
  console.log(`ratio jailtrace/mawk          ${f(jt.secs / mawk)}x   (goal <= 2x; peak RSS goal < 150 MiB)`);
  if (process.env.JT_BENCH_KEEP !== '1') await rm(work, { recursive: true, force: true });
  await memoryBench(repo);
  await buildBench(repo);
  await rebuildBench(repo);
}

await main();
