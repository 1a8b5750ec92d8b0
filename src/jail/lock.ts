/**
 * One writer per jail at a time. A jail's lock is flock(2) on `/run/jailtrace/locks/<hash of the jail's real path>`:
 * exclusive for the writers (build, sync, verify --fix), shared for readers that must not see a jail mid-change
 * (check, verify). The kernel holds it, so it dies with its holder: a SIGKILLed run never leaves a stale lock.
 *
 * Node has no flock(), so a small child holds it: `sh` opens the lock file on fd 9, `flock` takes the lock on that
 * fd, prints `locked`, and `cat` (which inherits fd 9) waits on a pipe from us. Releasing closes the pipe; so does our
 * death, however it comes. The file names the holder (pid, command, since when) for the message a loser prints.
 *
 * Why /run/jailtrace and not the jail's own .jailtrace/: a first build has no jail yet, and a directory only root can
 * write (checked: src/host-chain.ts) cannot be pre-empted by a user planting the lock file or a symlink there.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BusyError, UsageError } from '../errors.js';
import { swappableBy } from '../host-chain.js';
import { onInterrupt } from '../interrupt.js';
import { describeHolder, type Holder, type LockMode } from './lock-holder.js';

export type { Holder, LockMode } from './lock-holder.js';

export const LOCK_DIR = '/run/jailtrace/locks';

export interface JailLock {
  file: string;
  release(): void;
}

export interface LockOptions {
  mode?: LockMode;
  /** Wait this long for the lock (0: fail at once, the default). */
  waitSeconds?: number;
  /** Called once when the lock is busy and we wait, with who holds it. */
  onWait?: (holder: Holder | undefined) => void;
}

/** The jail's path as the kernel sees it (a jail not made yet: its nearest existing ancestor, resolved). */
async function realJail(jail: string): Promise<string> {
  const rest: string[] = [];
  let p = path.resolve(jail);
  for (;;) {
    const r = await realpath(p).catch(() => undefined);
    if (r !== undefined) return path.join(r, ...rest.reverse());
    const up = path.dirname(p);
    if (up === p) return path.resolve(jail);
    rest.push(path.basename(p));
    p = up;
  }
}

export async function lockFileOf(jail: string): Promise<string> {
  const id = createHash('sha256')
    .update(await realJail(jail))
    .digest('hex')
    .slice(0, 32);
  return path.join(LOCK_DIR, `${id}.lock`);
}

async function lockDir(): Promise<void> {
  await mkdir(LOCK_DIR, { recursive: true, mode: 0o755 });
  const why = await swappableBy(LOCK_DIR);
  if (why)
    throw new UsageError(
      `${LOCK_DIR}: a user could swap it (${why}): jailtrace will not keep its locks there`,
      `remove it and let jailtrace make it again (root-owned, 0755): rm -rf ${path.dirname(LOCK_DIR)}`,
    );
}

export async function readHolder(file: string): Promise<Holder | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

const LOCKER = 'exec 9>>"$1" || exit 71; flock "$2" -w "$3" 9 || exit 75; echo locked; exec cat >/dev/null';

/** Take the jail's lock, or throw BusyError naming the holder. */
export async function lockJail(jail: string, o: LockOptions = {}): Promise<JailLock> {
  await lockDir();
  const file = await lockFileOf(jail);
  const mode = o.mode ?? 'exclusive';
  const wait = Math.max(0, o.waitSeconds ?? 0);
  const child = spawn('sh', ['-c', LOCKER, 'sh', file, mode === 'exclusive' ? '-x' : '-s', String(wait)], { stdio: ['pipe', 'pipe', 'ignore'] });
  let notified = false;
  const busyNow = async (): Promise<void> => {
    if (notified || !o.onWait) return;
    notified = true;
    o.onWait(await readHolder(file));
  };
  // with --wait, tell the caller who we wait for (the lock file names its holder)
  const tell = wait > 0 ? setTimeout(() => void busyNow(), 200) : undefined;
  const outcome = await new Promise<'locked' | number>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('locked\n')) resolve('locked');
    });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });
  if (tell) clearTimeout(tell);
  if (outcome !== 'locked') {
    const holder = await readHolder(file);
    if (outcome === 75) {
      throw new BusyError(
        jail,
        `locked by ${describeHolder(holder)}${wait > 0 ? `; waited ${wait} s` : ''}`,
        wait > 0 ? 'wait longer (--wait SECONDS), or see what that run is doing' : 'rerun when it is done, or wait for it with --wait SECONDS',
      );
    }
    throw new UsageError(`cannot lock ${jail} (${file}): the locker exited ${outcome}`, 'flock (util-linux) and sh must be installed');
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    child.stdin.end(); // cat sees EOF and exits: the kernel drops the lock with its last fd
    child.stdout.destroy();
  };
  onInterrupt(release);
  // The holder names itself for the message a loser prints (of several readers sharing it, the last one in).
  const holder: Holder = { pid: process.pid, command: process.argv.slice(2).join(' ').slice(0, 200) || 'jailtrace', since: new Date().toISOString(), mode };
  await writeFile(file, JSON.stringify(holder) + '\n', { mode: 0o644 }).catch(() => undefined);
  return { file, release };
}

/** Run `fn` holding the jail's lock. */
export async function withJailLock<T>(jail: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await lockJail(jail, o);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
