/**
 * Issue 14 item 4, tracing that stays almost free: the constant costs beside their yardsticks, from the same run.
 * - `jailtrace --help` beside `node -e 0` (goal <= 1.5x): what the CLI loads before it knows the command;
 * - `jailtrace capture -- /bin/true` (goal <= 0.12 s) with the strace probe cache warm and cold
 *   (src/capture/probe-cache.ts), beside `node -e 0` and `strace -f -o /dev/null /bin/true`;
 * - an sftp put + get of JT_BENCH_SFTP_MB (default 1024) MiB traced with jailtrace's strace options beside the same
 *   run untraced (goal <= 1.08x).
 * Each figure is the median wall time of JT_BENCH_REPEAT (default 7; the sftp runs 3) runs, interleaved so load hits
 * all alike, and beside it the mean CPU time (user + sys, children included: GNU time around 20 runs in a row), the
 * figure a shared machine's load disturbs least.
 *   node dist/bench/bench.js startup
 */
import { execa, type Options } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findStrace } from '../src/capture/find.js';
import { straceArgs } from '../src/capture/args.js';
import { PROBE_CACHE_DIR } from '../src/capture/probe-cache.js';

const f = (x: number, d = 3) => x.toFixed(d);
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};

async function timed(cmd: string, args: string[], opts: Options = {}): Promise<number> {
  const t0 = performance.now();
  await execa(cmd, args, { stdout: 'ignore', stderr: 'ignore', ...opts });
  return (performance.now() - t0) / 1000;
}

/** Median seconds of each named command, run round-robin `n` times. */
async function rounds(n: number, cmds: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const all: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const [k, run] of Object.entries(cmds)) all[k].push(await run());
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, median(v)]));
}

/** Mean user + sys seconds of one run of `cmd` (and its children), over `n` runs under one GNU time. */
async function cpuSeconds(n: number, cmd: string[], dir: string): Promise<number> {
  const out = path.join(dir, 'cpu.time');
  const loop = 'n=$1; shift; i=0; while [ $i -lt $n ]; do "$@" >/dev/null 2>&1; i=$((i+1)); done';
  await execa('/usr/bin/time', ['-f', '%U %S', '-o', out, 'sh', '-c', loop, 'sh', String(n), ...cmd]);
  const [u, sy] = (await readFile(out, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  return (u + sy) / n;
}

async function sftpOverhead(base: string, mb: number): Promise<void> {
  const work = await mkdtemp(path.join(base, 'sftp-'));
  await execa('dd', ['if=/dev/urandom', `of=${work}/big.bin`, 'bs=1M', `count=${mb}`], { stderr: 'ignore' });
  await mkdir(path.join(work, 'remote'));
  await writeFile(path.join(work, 'batch'), `put big.bin remote/big.bin\nget remote/big.bin back.bin\nrm remote/big.bin\n`);
  const st = await findStrace();
  const tracer = [st.path, ...straceArgs({ output: '/dev/null', seccomp: st.seccompBpf })].join(' ');
  const run = (server: string) => () => timed('sftp', ['-b', 'batch', '-D', server], { cwd: work });
  const m = await rounds(3, { untraced: run('/usr/lib/openssh/sftp-server'), traced: run(`${tracer} /usr/lib/openssh/sftp-server`) });
  console.log(
    `sftp put + get of ${mb} MiB, median of 3: untraced ${f(m.untraced, 2)} s, traced ${f(m.traced, 2)} s (${st.seccompBpf ? 'with' : 'without'} --seccomp-bpf): ratio ${f(m.traced / m.untraced, 2)}  (goal <= 1.08)`,
  );
}

export async function startupBench(repo: string): Promise<void> {
  const cli = path.join(repo, 'dist/src/cli.js');
  const n = Number(process.env.JT_BENCH_REPEAT ?? 7);
  const root = process.getuid?.() === 0;
  const base = await mkdtemp(path.join(repo, '.bench-startup-'));
  const haveTime = existsSync('/usr/bin/time');
  const cpu = (cmd: string[]) => (haveTime ? cpuSeconds(20, cmd, base) : Promise.resolve(NaN));
  const ms = (x: number) => (Number.isFinite(x) ? `${f(x * 1000, 0).padStart(4)} ms` : '   - ms');
  try {
    console.log('\n## constant costs (issue 14, item 4)');
    if (!haveTime) console.log('note: /usr/bin/time missing (apt-get install time): CPU times not measured');
    const cache = path.join(PROBE_CACHE_DIR, 'strace-probe.json');
    const captureArgs = ['capture', '-q', '-o', path.join(base, 't.strace'), '--report', path.join(base, 'report.txt'), '--', '/bin/true'];
    const capture = (cold: boolean) => async () => {
      if (cold) await rm(cache, { force: true });
      return timed('node', [cli, ...captureArgs]);
    };
    if (root) await capture(false)(); // warm the cache and the page cache
    const w = await rounds(n, {
      node: () => timed('node', ['-e', '0']),
      help: () => timed('node', [cli, '--help']),
      ...(root ? { strace: () => timed('strace', ['-f', '-o', '/dev/null', '/bin/true']), warm: capture(false), cold: capture(true) } : {}),
    });
    if (root) await capture(false)(); // leave a cache behind, as any run does
    const c = {
      node: await cpu(['node', '-e', '0']),
      help: await cpu(['node', cli, '--help']),
      ...(root ? { strace: await cpu(['strace', '-f', '-o', '/dev/null', '/bin/true']), warm: await cpu(['node', cli, ...captureArgs]) } : {}),
    } as Record<string, number>;
    const row = (label: string, k: string, tail = '') => console.log(`${label.padEnd(42)} wall ${ms(w[k])}  cpu ${ms(c[k] ?? NaN)}${tail}`);
    row('node -e 0 (yardstick)', 'node');
    row('jailtrace --help', 'help', `   ${f(w.help / w.node, 2)}x wall, ${f(c.help / c.node, 2)}x cpu of node -e 0  (goal <= 1.5x)`);
    if (!root) {
      console.log("capture and sftp figures: skipped, need root (the probe cache is root's)");
      return;
    }
    row('strace -f -o /dev/null /bin/true', 'strace');
    row('capture -- /bin/true, probe cache cold', 'cold');
    row(
      'capture -- /bin/true, probe cache warm',
      'warm',
      `   ${f(w.warm / w.node, 2)}x wall, ${f(c.warm / c.node, 2)}x cpu of node -e 0  (goal <= 0.12 s, 2.4x node -e 0's 0.05 s)`,
    );
    if (process.env.JT_BENCH_SFTP_MB !== '0') await sftpOverhead(base, Number(process.env.JT_BENCH_SFTP_MB ?? 1024));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
