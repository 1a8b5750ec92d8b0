/**
 * Issue 3's figures: cold build of the sftp + scp jail and the no-op rebuild; the sftp workload's wall time traced by
 * jailtrace's strace options beside the same workload untraced (large put + get); jail bytes beside the minimal
 * working set (scp, sftp-server, libc, loader, passwd, /dev/null).
 */
import { execa, type Options } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findStrace } from '../src/capture/find.js';
import { straceArgs } from '../src/capture/args.js';

const f = (x: number, d = 2) => x.toFixed(d);

async function timed(cmd: string, args: string[], opts: Options = {}): Promise<number> {
  const t0 = performance.now();
  await execa(cmd, args, opts);
  return (performance.now() - t0) / 1000;
}

async function duBytes(dir: string): Promise<number> {
  const r = await execa('sh', ['-c', `find '${dir}' -path '${dir}/.jailtrace' -prune -o -type f -printf '%s\\n' | awk '{s+=$1} END {print s+0}'`]);
  return Number(r.stdout.trim());
}

export async function buildBench(repo: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('\n## build (issue 3): skipped, needs root (useradd, chroot, mknod)');
    return;
  }
  const cli = path.join(repo, 'dist/src/cli.js');
  const user = 'jt-bench';
  if ((await execa('id', [user], { reject: false })).exitCode !== 0) await execa('useradd', ['-m', '-s', '/bin/sh', user]);
  await mkdir('/srv', { recursive: true });
  const base = await mkdtemp('/srv/jailtrace-bench-');
  const jail = path.join(base, 'jail');
  const traces = path.join(base, 'traces');
  try {
    const build = ['build', jail, '--profile', 'sftp', '--profile', 'scp', '--user', user, '--output-dir', traces, '--json'];
    const phases = async (): Promise<{ secs: number; t: Record<string, number> }> => {
      const t0 = performance.now();
      const r = await execa('node', [cli, ...build]);
      return { secs: (performance.now() - t0) / 1000, t: (JSON.parse(r.stdout) as { timings: Record<string, number> }).timings };
    };
    const c = await phases();
    const n = await phases();
    const cold = c.secs;
    const noop = n.secs;
    const noopApply = await timed('node', [
      cli,
      'build',
      jail,
      '--trace',
      path.join(traces, 'sftp-server.strace'),
      '--user',
      user,
      '-q',
      '--output-dir',
      traces,
    ]);
    console.log('\n## build (issue 3)');
    console.log(`cold build (trace sftp + scp, expand, apply)   ${f(cold)} s`);
    console.log(`rebuild, nothing to do (issue 14: up to date)  ${f(noop)} s   ratio ${f(noop / cold)}  (goal <= 0.2)`);
    console.log(`rebuild from the saved trace, nothing to do    ${f(noopApply)} s   ratio ${f(noopApply / cold)}`);
    console.log(`  phases, cold:   trace ${c.t.traceMs} ms, expand ${c.t.expandMs} ms, apply ${c.t.applyMs} ms`);
    console.log(`  phases, no-op:  trace ${n.t.traceMs} ms, expand ${n.t.expandMs} ms, apply ${n.t.applyMs} ms   apply ratio ${f(n.t.applyMs / c.t.applyMs)}`);

    // jail bytes vs the minimal working set
    const jailBytes = await duBytes(jail);
    const interp = (await execa('sh', ['-c', "readelf -l /usr/lib/openssh/sftp-server | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'"])).stdout.trim();
    const minimal =
      ['/usr/bin/scp', '/usr/lib/openssh/sftp-server', '/lib/x86_64-linux-gnu/libc.so.6', interp].map((p) => statSync(p).size).reduce((a, b) => a + b, 0) +
      statSync(path.join(jail, 'etc/passwd')).size;
    console.log(
      `jail bytes ${jailBytes} vs minimal working set ${minimal} (scp, sftp-server, libc, loader, passwd, /dev/null): ratio ${f(jailBytes / minimal)}  (goal <= 1.2)`,
    );

    // sftp workload: a large put + get, untraced vs traced with jailtrace's strace options
    const work = await mkdtemp(path.join(base, 'sftp-'));
    const mb = Number(process.env.JT_BENCH_SFTP_MB ?? 128);
    await execa('dd', ['if=/dev/urandom', `of=${work}/big.bin`, 'bs=1M', `count=${mb}`], { stderr: 'ignore' });
    await mkdir(path.join(work, 'remote'));
    await writeFile(path.join(work, 'batch'), `put big.bin remote/big.bin\nget remote/big.bin back.bin\nrm remote/big.bin\n`);
    const st = await findStrace();
    const tracer = [st.path, ...straceArgs({ output: '/dev/null', seccomp: st.seccompBpf })].join(' ');
    const run = (server: string) => timed('sftp', ['-b', 'batch', '-D', server], { cwd: work, stdout: 'ignore' });
    const untraced: number[] = [];
    const traced: number[] = [];
    for (let i = 0; i < 3; i++) {
      untraced.push(await run('/usr/lib/openssh/sftp-server'));
      traced.push(await run(`${tracer} /usr/lib/openssh/sftp-server`));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[1];
    console.log(
      `sftp put + get of ${mb} MiB, median of 3: untraced ${f(med(untraced))} s, traced ${f(med(traced))} s (${st.seccompBpf ? 'with' : 'without'} --seccomp-bpf): ratio ${f(med(traced) / med(untraced))}  (goal <= 1.3)`,
    );
  } finally {
    if (existsSync(base)) await rm(base, { recursive: true, force: true });
  }
}
