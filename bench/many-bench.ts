/**
 * Issue 14 item 1: `build --from-rssh-conf` of N rssh users (default 500, JT_BENCH_MANY_USERS), each with a chroot path
 * of their own in one rssh.conf, beside the build of one such jail in the same run (goal: N jails < 3x one jail). The
 * users are made with newusers (bench prefix `jtbm`) and removed afterwards, also on failure. The config is a file of
 * the bench's, not the installed rssh's: the jails are built from host traces (the real chain is not run per jail).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const f = (x: number, d = 2) => x.toFixed(d);
const PREFIX = 'jtbm';

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await execa('node', args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.exitCode}\n${String(r.all).slice(-2000)}`);
  return (performance.now() - t0) / 1000;
}

/** The bench's users still in /etc/passwd (from this run, or one that was killed before it could clean up). */
async function benchUsers(): Promise<string[]> {
  const pw = await readFile('/etc/passwd', 'utf8');
  return pw
    .split('\n')
    .map((l) => l.split(':')[0])
    .filter((n) => n.startsWith(`${PREFIX}-`));
}

async function removeUsers(): Promise<void> {
  for (const u of await benchUsers()) await execa('userdel', [u], { reject: false });
}

export async function manyBench(repo: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('\n## many jails (issue 14): skipped, needs root (newusers, strace -u, jails)');
    return;
  }
  const n = Number(process.env.JT_BENCH_MANY_USERS ?? 500);
  const cli = path.join(repo, 'dist/src/cli.js');
  const shell = existsSync('/usr/local/bin/rssh') ? '/usr/local/bin/rssh' : existsSync('/usr/bin/rssh') ? '/usr/bin/rssh' : '/usr/sbin/nologin';
  await mkdir('/srv', { recursive: true });
  const base = await mkdtemp('/srv/jailtrace-many-bench-');
  const users = Array.from({ length: n }, (_, i) => `${PREFIX}-${String(i).padStart(4, '0')}`);
  try {
    await removeUsers();
    // one newusers run, not N useradds; no home on the host: rssh chdirs into the jail's
    await execa('newusers', { input: users.map((u) => `${u}:*:::bench user:/home/${u}:${shell}`).join('\n') + '\n' });
    const conf = (us: string[], dir: string) => ['allowsftp', 'allowscp', ...us.map((u) => `user=${u}:022:00011:${path.join(dir, u)}`), ''].join('\n');
    const one: number[] = [];
    const many: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d1 = path.join(base, `one-${i}`);
      const dn = path.join(base, `many-${i}`);
      await mkdir(d1, { mode: 0o755 });
      await mkdir(dn, { mode: 0o755 });
      await writeFile(path.join(d1, 'rssh.conf'), conf(users.slice(0, 1), d1));
      await writeFile(path.join(dn, 'rssh.conf'), conf(users, dn));
      one.push(await timed([cli, 'build', '--from-rssh-conf', path.join(d1, 'rssh.conf'), '-q']));
      many.push(await timed([cli, 'build', '--from-rssh-conf', path.join(dn, 'rssh.conf'), '-q']));
      // the disk is shared with other work: one run's jails at a time
      await rm(dn, { recursive: true, force: true });
      await rm(d1, { recursive: true, force: true });
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[1];
    console.log('\n## many jails (issue 14)');
    console.log(`one rssh jail (--from-rssh-conf, 1 user)       ${f(med(one))} s   (median of 3: ${one.map((x) => f(x)).join(', ')})`);
    console.log(
      `${n} rssh jails (--from-rssh-conf, ${n} users)   ${f(med(many))} s   ratio ${f(med(many) / med(one))}x one jail  (goal < 3x); ${f((med(many) * 1000) / n, 1)} ms a jail  (median of 3: ${many.map((x) => f(x)).join(', ')})`,
    );
  } finally {
    await removeUsers();
    await rm(base, { recursive: true, force: true });
  }
}
