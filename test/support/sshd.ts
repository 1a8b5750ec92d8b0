/**
 * The front door: a real sshd on 127.0.0.1 and the real clients (sftp -b, scp -O, scp, ssh) run against it as root.
 *
 * `startSshd()` writes its own sshd_config and host key into a fresh root-owned dir under /srv (StrictModes checks
 * every directory above AuthorizedKeysFile: /tmp, world-writable, would fail it), starts `/usr/sbin/sshd -D -e -f
 * CONFIG` on a free port, waits for its banner, and keeps its stderr (its log) for failure messages. Keys:
 * `AuthorizedKeysFile DIR/keys/%u`, root-owned and outside every jail (sshd reads it as the user: the dirs are 0755,
 * the files 0644); the private keys sit in DIR/private (0700). `stop()` kills it by its pid and removes DIR.
 *
 * Users are made with `useradd -p '*'`: with `UsePAM no`, sshd refuses an account whose password field starts with
 * `!` (useradd's default) as "locked".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const DEV_LOG = '/dev/log';

export interface SshdOptions {
  /** Config text placed before the fixture's own lines (an `Include`, as Debian's default config starts). */
  head?: string;
  /** Config text placed last: Match blocks (ChrootDirectory, ForceCommand). */
  extra?: string;
  /** The `Subsystem sftp` command (default: /usr/lib/openssh/sftp-server, what rssh was built to accept). */
  subsystem?: string;
  /** sshd's LogLevel (default VERBOSE). */
  logLevel?: string;
  /**
   * Listen on /dev/log while sshd runs (only when nothing is there: a real syslog daemon is left alone) and show what
   * arrives in tail(): rssh and its chroot helper give their reasons only to syslog.
   */
  syslog?: boolean;
}

export interface User {
  name: string;
  home: string;
  shell: string;
  /** The private key (root-only). */
  key: string;
}

export interface Run {
  /** What was run, for messages. */
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Step extends Run {
  step: string;
  ok: boolean;
  /** Why the step counts as failed, beyond a non-zero exit (bytes differ, a listing misses a name). */
  problem?: string;
}

export interface Sshd {
  port: number;
  /** The fixture's own dir (config, host key, keys/, private/): root-owned, under /srv. */
  dir: string;
  /** The sshd_config sshd runs with. */
  config: string;
  /** Everything sshd has logged so far (stderr, -e). */
  log(): string;
  /** What arrived at /dev/log (with `syslog: true` and no syslog daemon; else ''). */
  syslog(): string;
  /** The last `n` log lines (and syslog lines), indented, for assertion messages. */
  tail(n?: number): string;
  /** The log lines added since the mark `since` (from `mark()`). */
  logSince(since: number): string;
  mark(): number;
  /** useradd (-p '*', login shell and home given) and an ed25519 key in keys/NAME. */
  addUser(name: string, opts: { shell: string; home: string; createHome?: boolean }): Promise<User>;
  /** A key for an existing user (authorized) or a stray key nobody authorized (`authorize: false`). */
  newKey(name: string, authorize: boolean): Promise<string>;
  ssh(user: User, command: string[], opts?: { key?: string; tty?: boolean }): Promise<Run>;
  /** `sftp -b` with these batch lines, run in `cwd`. */
  sftp(user: User, batch: string[], cwd: string): Promise<Run>;
  /** `scp [-O] LOCAL user@127.0.0.1:REMOTE` (up) or the other way (down). */
  scp(user: User, from: string, to: string, opts: { legacy: boolean; up: boolean }): Promise<Run>;
  /** sftp put/ls/mkdir/rename/get/rm/rmdir, scp -O up and down, scp up and down: every step, sha256-compared. */
  roundTrip(user: User, opts?: { sftp?: boolean; scpLegacy?: boolean; scp?: boolean; size?: number }): Promise<Step[]>;
  /** Kill sshd by its pid, remove the users this fixture made and its dir. */
  stop(): Promise<void>;
}

export { isRoot } from './root.js';

/** Where the real clients, sshd and useradd are; each test skips visibly when one is missing. */
export async function missingTools(): Promise<string[]> {
  const want = ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/sftp', '/usr/bin/scp', '/usr/bin/ssh-keygen', SFTP_SERVER];
  const out: string[] = [];
  for (const f of want) if ((await execa('test', ['-x', f], { reject: false })).exitCode !== 0) out.push(f);
  return out;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A free port on 127.0.0.1 (bound, read, released: sshd binds it next; a race is retried by startSshd). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves true when a TCP connect to the port gets an SSH banner. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(2000, () => done(false));
    c.on('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    c.on('error', () => done(false));
  });
}

function baseConfig(dir: string, port: number, o: SshdOptions): string {
  return [
    o.head ?? '',
    `# jailtrace front-door test sshd (test/support/sshd.ts)`,
    `Port ${port}`,
    `ListenAddress 127.0.0.1`,
    `HostKey ${dir}/private/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/keys/%u`,
    `UsePAM no`,
    `StrictModes yes`,
    `PubkeyAuthentication yes`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `PermitRootLogin no`,
    `X11Forwarding no`,
    `AllowTcpForwarding no`,
    `PrintMotd no`,
    `PrintLastLog no`,
    `LogLevel ${o.logLevel ?? 'VERBOSE'}`,
    `Subsystem sftp ${o.subsystem ?? SFTP_SERVER}`,
    o.extra ?? '',
    '',
  ].join('\n');
}

const CLIENT_OPTS = [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'ConnectTimeout=10',
  '-o',
  'LogLevel=ERROR',
];

async function run(cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}): Promise<Run> {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', timeout: opts.timeout ?? 30_000, cwd: opts.cwd, env: { LC_ALL: 'C' } });
  return { command: [cmd, ...args].join(' '), exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr + (r.timedOut ? '\n(timed out)' : '') };
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir: sshd refuses to start without it
  await mkdir('/srv', { recursive: true });
  const dir = await mkdtemp('/srv/jt-frontdoor-sshd-');
  await chmod(dir, 0o755); // sshd reads keys/%u as the user, and StrictModes checks every dir above it
  await mkdir(path.join(dir, 'keys'), { mode: 0o755 });
  await mkdir(path.join(dir, 'private'), { mode: 0o700 });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'jt-frontdoor-host', '-f', path.join(dir, 'private/host_ed25519')]);
  const config = path.join(dir, 'sshd_config');
  const users: { name: string; home: boolean }[] = [];
  let logText = '';
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    await writeFile(config, baseConfig(dir, port, opts), { mode: 0o644 });
    logText = '';
    const c = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    c.stderr!.on('data', (d: Buffer) => (logText += d.toString('utf8')));
    c.on('exit', () => (exited = true));
    const until = Date.now() + 10_000;
    // sshd says when it listens; then one connection must get its banner (it logs that probe as "kex_exchange_identification")
    const listening = `Server listening on 127.0.0.1 port ${port}.`;
    while (!exited && Date.now() < until && !logText.includes(listening)) await new Promise((r) => setTimeout(r, 20));
    if (!exited && logText.includes(listening) && !(await banner(port))) exited = true;
    if (!exited && Date.now() < until) child = c;
    else {
      if (!exited) c.kill('SIGKILL');
      if (!/Address already in use/.test(logText)) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`sshd -D -e -f ${config} did not start (exited: ${exited}); its log:\n${logText}\nconfig:\n${baseConfig(dir, port, opts)}`);
      }
    }
  }
  if (!child) throw new Error(`sshd: no free port after 5 tries; last log:\n${logText}`);
  const sshd = child;
  const sink = opts.syslog ? await startSyslogSink(dir) : undefined;
  const last = (t: string, n: number) =>
    t
      .trimEnd()
      .split('\n')
      .slice(-n)
      .map((l) => `    ${l}`)
      .join('\n');
  const tail = (n = 25) => last(logText, n) + (sink?.text() ? `\n  syslog (/dev/log), last lines:\n${last(sink.text(), 12)}` : '');
  const keyOf = (name: string) => path.join(dir, 'private', name);

  const newKey = async (name: string, authorize: boolean): Promise<string> => {
    const key = keyOf(authorize ? name : `${name}.stray-${randomBytes(3).toString('hex')}`);
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
    if (authorize) await writeFile(path.join(dir, 'keys', name), await readFile(`${key}.pub`), { mode: 0o644 });
    return key;
  };

  const self: Sshd = {
    port,
    dir,
    config,
    log: () => logText,
    syslog: () => sink?.text() ?? '',
    tail,
    mark: () => logText.length,
    logSince: (since) => logText.slice(since),
    addUser: async (name, o) => {
      const r = await execa('useradd', [o.createHome ? '-m' : '-M', '-d', o.home, '-s', o.shell, '-p', '*', name], { reject: false });
      if (r.exitCode !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
      users.push({ name, home: !!o.createHome });
      return { name, home: o.home, shell: o.shell, key: await newKey(name, true) };
    },
    newKey,
    ssh: (user, command, o = {}) =>
      run('ssh', [...CLIENT_OPTS, ...(o.tty ? ['-tt'] : ['-T']), '-i', o.key ?? user.key, '-p', String(port), `${user.name}@127.0.0.1`, ...command]),
    sftp: async (user, batch, cwd) => {
      const file = path.join(cwd, `batch-${randomBytes(3).toString('hex')}`);
      await writeFile(file, batch.join('\n') + '\n');
      return run('sftp', [...CLIENT_OPTS, '-i', user.key, '-P', String(port), '-b', file, `${user.name}@127.0.0.1`], { cwd });
    },
    scp: (user, from, to, o) => {
      const remote = (p: string) => `${user.name}@127.0.0.1:${p}`;
      return run('scp', [...CLIENT_OPTS, ...(o.legacy ? ['-O'] : []), '-i', user.key, '-P', String(port), o.up ? from : remote(from), o.up ? remote(to) : to]);
    },
    roundTrip: (user, o = {}) => roundTrip(self, user, o),
    stop: async () => {
      if (sshd.exitCode === null && sshd.signalCode === null) {
        const gone = new Promise((r) => sshd.once('exit', r));
        process.kill(sshd.pid!, 'SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (sshd.exitCode === null && sshd.signalCode === null) process.kill(sshd.pid!, 'SIGKILL');
      }
      await sink?.stop();
      // -r only for homes useradd made on the host; a home inside a jail goes with the jail
      for (const u of users) await execa('userdel', [...(u.home ? ['-r'] : []), u.name], { reject: false });
      await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** test/support/syslog-sink.c, compiled into DIR/private and bound at /dev/log; undefined when /dev/log exists. */
async function startSyslogSink(dir: string): Promise<{ text(): string; stop(): Promise<void> } | undefined> {
  if (
    await lstat(DEV_LOG).then(
      () => true,
      () => false,
    )
  )
    return undefined;
  const bin = path.join(dir, 'private', 'syslog-sink');
  const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'syslog-sink.c');
  if ((await execa('gcc', ['-O1', '-o', bin, src], { reject: false })).exitCode !== 0) return undefined;
  const c = spawn(bin, [DEV_LOG], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const ready = new Promise<boolean>((resolve) => {
    c.stdout!.on('data', (d: Buffer) => {
      if (!text.startsWith('ready\n')) {
        text += d.toString('utf8');
        if (text.startsWith('ready\n')) resolve(true);
      } else text += d.toString('utf8');
    });
    c.on('exit', () => resolve(false));
  });
  if (!(await ready)) return undefined;
  const ino = (await lstat(DEV_LOG)).ino;
  return {
    text: () => text.slice('ready\n'.length),
    stop: async () => {
      if (c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGTERM');
      // remove the socket only if it is still ours
      if ((await lstat(DEV_LOG).catch(() => undefined))?.ino === ino) await rm(DEV_LOG, { force: true });
    },
  };
}

/** A local work dir for the client side (root-only, under the fixture's private dir). */
async function workDir(sshd: Sshd): Promise<string> {
  return mkdtemp(path.join(sshd.dir, 'private', 'work-'));
}

async function roundTrip(sshd: Sshd, user: User, o: { sftp?: boolean; scpLegacy?: boolean; scp?: boolean; size?: number }): Promise<Step[]> {
  const work = await workDir(sshd);
  const steps: Step[] = [];
  const payload = randomBytes(o.size ?? 150_000);
  const want = sha256(payload);
  const add = (step: string, r: Run, problem?: string) => steps.push({ step, ...r, ok: r.exitCode === 0 && !problem, problem });
  const back = async (f: string): Promise<string | undefined> => {
    const b = await readFile(path.join(work, f)).catch(() => undefined);
    if (!b) return `${f} did not come back`;
    return sha256(b) === want ? undefined : `sha256 of ${f} is ${sha256(b)}, sent ${want}`;
  };
  try {
    await writeFile(path.join(work, 'up.bin'), payload);
    if (o.sftp !== false) {
      // relative names: they land in the directory the user starts in, which must be their home
      const r = await sshd.sftp(
        user,
        ['put up.bin sftp.bin', 'ls -l', 'mkdir d', 'rename sftp.bin d/moved.bin', 'ls d', 'get d/moved.bin sftp.back', 'rm d/moved.bin', 'rmdir d', 'pwd'],
        work,
      );
      const listed = /sftp\.bin/.test(r.stdout) && /moved\.bin/.test(r.stdout);
      add('sftp put/ls/mkdir/rename/get/rm/rmdir', r, r.exitCode === 0 ? (listed ? await back('sftp.back') : 'ls did not list the uploaded file') : undefined);
    }
    for (const [legacy, on, tag] of [
      [true, o.scpLegacy, 'scp -O'],
      [false, o.scp, 'scp'],
    ] as const) {
      if (on === false) continue;
      const name = legacy ? 'scp-legacy.bin' : 'scp-sftp.bin';
      const up = await sshd.scp(user, path.join(work, 'up.bin'), name, { legacy, up: true });
      add(`${tag} upload`, up);
      const down = await sshd.scp(user, name, path.join(work, `${name}.back`), { legacy, up: false });
      add(`${tag} download`, down, down.exitCode === 0 ? await back(`${name}.back`) : undefined);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return steps;
}

/** A failure message for steps: each failed step with its command, exit code, output, and sshd's last log lines. */
export function explainSteps(sshd: Sshd, steps: Step[]): string {
  const bad = steps.filter((s) => !s.ok);
  if (bad.length === 0) return 'all steps ok';
  return [
    ...bad.map(
      (s) =>
        `${s.step}: exit ${s.exitCode}${s.problem ? `; ${s.problem}` : ''}\n  $ ${s.command}\n  stdout: ${s.stdout.trim().split('\n').slice(-8).join('\n          ')}\n  stderr: ${s.stderr.trim().split('\n').slice(-8).join('\n          ')}`,
    ),
    `sshd log (last lines):\n${sshd.tail()}`,
  ].join('\n');
}
