/**
 * Issue 14, item 2: a no-op rebuild (all recorded inputs unchanged: no trace, no apply) beside a cold build and a
 * --force rebuild of the same jail (sftp + scp profiles); `check` of N hard-linked jails in one run beside `check` of
 * one. The N jails are hard-linked copies of one built jail (`cp -al`: what build --link leaves, without building N);
 * JT_BENCH_JAILS sets N (default 500). Each figure is the median of 3 runs; ratios are from the same run.
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

const f = (x: number, d = 2) => x.toFixed(d);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function secs(args: string[], ok: number[] = [0]): Promise<number> {
  const t0 = performance.now();
  const r = await execa('node', args, { reject: false, stdout: 'ignore' });
  if (!ok.includes(r.exitCode ?? -1)) throw new Error(`${args.join(' ')}: exit ${r.exitCode}: ${String(r.stderr).slice(0, 500)}`);
  return (performance.now() - t0) / 1000;
}

export async function rebuildBench(repo: string): Promise<void> {
  console.log('\n## rebuilds and many-jail check (issue 14, item 2)');
  if (process.getuid?.() !== 0) {
    console.log('skipped: needs root (useradd, jails under /srv)');
    return;
  }
  const cli = path.join(repo, 'dist/src/cli.js');
  const user = 'jt-bench';
  if ((await execa('id', [user], { reject: false })).exitCode !== 0) await execa('useradd', ['-m', '-s', '/bin/sh', user]);
  await mkdir('/srv', { recursive: true });
  const base = await mkdtemp('/srv/jailtrace-bench-rebuild-');
  await chmod(base, 0o755);
  try {
    const cold: number[] = [];
    const noop: number[] = [];
    const force: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < 3; i++) {
      help.push(await secs([cli, '--help']));
      const jail = path.join(base, `jail-${i}`);
      const build = [cli, 'build', jail, '--profile', 'sftp', '--profile', 'scp', '--user', user, '-q'];
      cold.push(await secs(build));
      noop.push(await secs(build));
      force.push(await secs([...build, '--force']));
    }
    console.log(`cold build (trace sftp + scp, expand, apply)      ${f(med(cold))} s`);
    console.log(`no-op rebuild (inputs unchanged: up to date)      ${f(med(noop))} s   ratio ${f(med(noop) / med(cold))}x cold  (goal <= 0.2)`);
    console.log(
      `  floor: jailtrace --help (node + the CLI)        ${f(med(help))} s   ratio ${f(med(help) / med(cold))}x cold: the no-op's own work is ${f(med(noop) - med(help))} s`,
    );
    console.log(`rebuild --force (traces again)                    ${f(med(force))} s   ratio ${f(med(force) / med(cold))}x cold`);

    const n = Number(process.env.JT_BENCH_JAILS ?? 500);
    const first = path.join(base, 'jail-0');
    const many = path.join(base, 'many');
    await mkdir(many);
    const t0 = performance.now();
    const jails: string[] = [];
    for (let i = 0; i < n; i++) jails.push(path.join(many, `j${i}`));
    for (let i = 0; i < n; i += 50)
      await execa('sh', [
        '-c',
        jails
          .slice(i, i + 50)
          .map((j) => `cp -al '${first}' '${j}'`)
          .join(' && '),
      ]);
    const made = (performance.now() - t0) / 1000;
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < 3; i++) {
      one.push(await secs([cli, 'check', first], [0, 1]));
      all.push(await secs([cli, 'check', ...jails], [0, 1]));
    }
    console.log(`check of 1 jail                                   ${f(med(one))} s`);
    console.log(
      `check of ${n} hard-linked jails, one run           ${f(med(all))} s   ratio ${f(med(all) / med(one))}x one  (goal <= 2 for 500)   ${f(((med(all) - med(one)) / n) * 1000, 1)} ms a jail; ${n} jails made in ${f(made, 1)} s`,
    );
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
