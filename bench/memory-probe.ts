/**
 * Child of bench/memory-bench.ts, run with --expose-gc: heap held per path after parsing a trace of N distinct failed
 * paths, beside a yardstick measured the same way in the same process (a plain Set of the same path strings).
 * Prints one JSON line.
 */
import { parseTraces } from '../src/trace.js';
import { failedPath } from './path-trace.js';

const [trace, nText] = process.argv.slice(2);
const n = Number(nText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

const h0 = heap();
const m = await parseTraces([trace], { cwd: '/' });
const h1 = heap();
const set = new Set<string>();
for (let i = 0; i < n; i++) set.add(failedPath(i));
const h2 = heap();
console.log(JSON.stringify({ paths: m.entries.length, manifestBytes: h1 - h0, setBytes: h2 - h1, setSize: set.size }));
