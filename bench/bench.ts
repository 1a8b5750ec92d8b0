/**
 * `npm run bench`: speed and memory of the trace pipeline, measured against wc -l and mawk on the same file, and our
 * own line scanner against split2 (bench/parse-bench.ts). Figures, not pass/fail: the goals are printed beside them.
 * Later stages add their own sections (see bench/*.ts): memory per path at the --max-paths cap, build.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { buildBench } from './build-bench.js';
import { memoryBench } from './memory-bench.js';
import { parseBench } from './parse-bench.js';
import { manyBench } from './many-bench.js';
import { startupBench } from './startup-bench.js';
import { rebuildBench } from './rebuild-bench.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../..');
const targetMB = Number(process.env.JT_BENCH_MB ?? 256);
// in the checkout, not /tmp: the bench runs as root, and a fixed name in /tmp is anyone's to plant a symlink at
const work = path.join(repo, '.bench-cache');
const big = path.join(work, `big-${targetMB}.strace`);

/** `node dist/bench/bench.js [SECTION]`: every section, or only the one named (parse, memory, build, many, startup, rebuild). */
async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === undefined || only === 'parse') {
    await parseBench(repo, big, targetMB);
    if (process.env.JT_BENCH_KEEP !== '1') await rm(big, { force: true });
  }
  if (only === undefined || only === 'memory') await memoryBench(repo);
  if (only === undefined || only === 'build') await buildBench(repo);
  if (only === undefined || only === 'many') await manyBench(repo);
  if (only === undefined || only === 'startup') await startupBench(repo);
  if (only === undefined || only === 'rebuild') await rebuildBench(repo);
}

await main();
