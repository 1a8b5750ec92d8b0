/**
 * Issue 20's figures: memory per distinct path and peak RSS at the --max-paths cap, on a crafted trace of N distinct
 * failed paths (bench/path-trace.ts). Beside them, from the same run: a plain Set of the same path strings (heap per
 * path) and an idle node (RSS). Figures, not pass/fail.
 */
import { execa } from 'execa';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MAX_PATHS } from '../src/limits.js';
import { writePathTrace } from './path-trace.js';

const f = (x: number, d = 0) => x.toFixed(d);
const MiB = 1048576;

/** Peak RSS (GNU time's %M, KiB → MiB), exit code and seconds of a node command. */
async function peak(args: string[]): Promise<{ rssMB: number; code: number; secs: number; stderr: string }> {
  const t0 = performance.now();
  const r = await execa('/usr/bin/time', ['-f', '%M', 'node', ...args], { reject: false, stdout: 'ignore' });
  const lines = String(r.stderr).trim().split('\n');
  return { rssMB: Number(lines.pop()) / 1024, code: r.exitCode ?? -1, secs: (performance.now() - t0) / 1000, stderr: lines.join('\n') };
}

export async function memoryBench(repo: string): Promise<void> {
  console.log('\n## memory per path (issue 20)');
  if (!(await stat('/usr/bin/time').catch(() => undefined))) {
    console.log('skipped: /usr/bin/time missing (apt-get install time)');
    return;
  }
  const cli = path.join(repo, 'dist/src/cli.js');
  const probe = path.join(repo, 'dist/bench/memory-probe.js');
  // a fresh 0700 directory: the bench may run as root, and a fixed name in /tmp is anyone's to plant a symlink at
  const work = await mkdtemp(path.join(os.tmpdir(), 'jailtrace-bench-paths-'));
  try {
    // Just under the default cap (every 1000th line also opens /etc/passwd), and just over it.
    const n = DEFAULT_MAX_PATHS - 1000;
    const under = path.join(work, `paths-${n}.strace`);
    const over = path.join(work, `paths-${DEFAULT_MAX_PATHS + 1000}.strace`);
    await writePathTrace(under, n);
    await writePathTrace(over, DEFAULT_MAX_PATHS + 1000);
    const size = (await stat(under)).size / MiB;

    const r = await execa('node', ['--expose-gc', probe, under, String(n)]);
    const m = JSON.parse(r.stdout) as { paths: number; manifestBytes: number; setBytes: number };
    const idle = await peak(['-e', '0']);
    const parse = await peak([cli, 'parse', '--cwd', '/', under]);
    const json = await peak([cli, 'parse', '--json', '--cwd', '/', under]);
    const capped = await peak([cli, 'parse', '--json', '--cwd', '/', over]);
    console.log(`trace: ${n} distinct failed paths (${f(size)} MiB), default --max-paths ${DEFAULT_MAX_PATHS}`);
    console.log(`manifest heap per path        ${f(m.manifestBytes / m.paths)} B   (${m.paths} paths; issue 20 measured ~1.4 KB a path before)`);
    console.log(`yardstick: Set of the paths   ${f(m.setBytes / n)} B   (same strings, same process)`);
    console.log(`node -e 0                     peak RSS ${f(idle.rssMB)} MiB`);
    console.log(`jailtrace parse (summary)     peak RSS ${f(parse.rssMB)} MiB  ${f(parse.secs, 1)} s  exit ${parse.code}`);
    console.log(
      `jailtrace parse --json        peak RSS ${f(json.rssMB)} MiB  ${f(json.secs, 1)} s  exit ${json.code}   (${f(((json.rssMB - idle.rssMB) * MiB) / n)} B a path over idle node)`,
    );
    console.log(`over the cap (+1000 paths)    peak RSS ${f(capped.rssMB)} MiB  ${f(capped.secs, 1)} s  exit ${capped.code}   (goal: exit 2, never an abort)`);
    console.log(`heap limit of this node       ${f((await import('node:v8')).getHeapStatistics().heap_size_limit / MiB)} MiB`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
