/**
 * The adversary (test/security/attacker.c) from the tests' side: compiled once per test file, started as a non-root
 * user (setpriv, no groups) against glob-like `PARENT/PREFIX*` places, bounded in time, and asked afterwards what it
 * planted, so a test cannot pass because the attacker never got to run.
 */
import { execa, type ResultPromise } from 'execa';
import { chmod } from 'node:fs/promises';
import path from 'node:path';

/** pre: where the name is absent (root is about to create it); post: over a regular file root is about to read. */
export type When = 'pre' | 'post' | 'any';
/**
 * dir: symlink to OUTSIDE; file: symlink to the outside file; zero: symlink to /dev/zero; fifo: a FIFO; trap: symlink
 * to the attacker's trap dir, where every file/dir name planted is already a symlink to OUTSIDE (see attacker.c -a).
 */
export type What = 'dir' | 'file' | 'zero' | 'fifo' | 'trap';

export interface Plant {
  when: When;
  what: What;
  name: string;
}

export interface AttackOptions {
  /** The attacker's ids (a non-root user). */
  uid: number;
  gid: number;
  /** Places to attack: every directory in `parent` whose name starts with `prefix`, and what is below it. */
  watch: Array<{ parent: string; prefix: string }>;
  plants?: Plant[];
  /** Swap trees: directories that turn into a symlink to OUTSIDE when root opens them to remove them. */
  swap?: boolean;
  outsideDir: string;
  outsideFile: string;
  /** Where the attacker makes its trap dir (a path it can create; needed by `trap` plants). */
  trapDir?: string;
  /** Bound: the attacker exits by itself after this long (default 8 s). */
  ms?: number;
  depth?: number;
}

export interface Attacker {
  /** What it planted so far: `KIND PATH` lines (pre-dir, post-fifo, swap, swap-tree, sentinel, ...). */
  planted(): string[];
  /** Resolves when a line matching `re` has been printed (or rejects after `ms`). */
  waitFor(re: RegExp, ms: number): Promise<string>;
  /** Stop it (SIGTERM) and wait for its exit; returns everything it planted. */
  stop(): Promise<string[]>;
}

/**
 * The directories the profiles make (sftp.ts, scp.ts, verify's scratch): looked for even under a parent the attacker
 * cannot list (a root-owned 0711 scratch dir, handed over inside only), so a fix cannot make the attacker blind.
 */
export const PROFILE_DIRS = ['remote', 'sftp-remote', 'scp-work', 'up', 'up-r', 'down', 'tree', 'sub', 'newdir'];

/** Rows: the names the profiles create, with what is planted in their place. */
export const plantsFor = (what: What, when: When, names: string[]): Plant[] => names.map((name) => ({ when, what, name }));

/** Compiles attacker.c into `dir` (which the attacker's user must be able to reach); returns the binary. */
export async function compileAttacker(dir: string): Promise<string> {
  const bin = path.join(dir, 'attacker');
  await execa('gcc', ['-O2', '-pthread', '-o', bin, path.join(import.meta.dirname, 'attacker.c')]);
  await chmod(bin, 0o755);
  return bin;
}

let rt: Promise<boolean> | undefined;
const realtime = (): Promise<boolean> => (rt ??= execa('chrt', ['-f', '10', 'true'], { reject: false }).then((r) => r.exitCode === 0));

export async function startAttacker(bin: string, o: AttackOptions): Promise<Attacker> {
  if (o.uid === 0) throw new Error('the attacker must not be root');
  const args = ['-t', String(o.ms ?? 8000), '-o', o.outsideDir, '-f', o.outsideFile, '-d', String(o.depth ?? 4)];
  for (const w of o.watch) args.push('-w', `${w.parent}:${w.prefix}`);
  for (const p of o.plants ?? []) args.push('-p', `${p.when}:${p.what}:${p.name}`);
  for (const k of PROFILE_DIRS) args.push('-k', k);
  if (o.swap) args.push('-s');
  if (o.trapDir) args.push('-a', o.trapDir);
  // Real-time priority (set by root before dropping to the user; the CLI runs at nice 19, see guarded-run.ts): on 2
  // shared cores the attacker must get the CPU the moment inotify wakes it, or the races are lost to the load of
  // other processes, not to the code under test. It sleeps in poll() between events (a pass every millisecond at
  // most), and the kernel's RT throttling leaves the others 5% in any case. nice -20 where SCHED_FIFO is refused.
  const prio = (await realtime()) ? ['chrt', '-f', '10'] : ['nice', '-n', '-20'];
  const child: ResultPromise = execa(
    prio[0],
    [...prio.slice(1), 'setpriv', '--reuid', String(o.uid), '--regid', String(o.gid), '--clear-groups', '--', bin, ...args],
    { reject: false, buffer: false, stdin: 'ignore', stderr: 'inherit' },
  );
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let rest = '';
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      if (l === 'ready') ready();
      if (!l.startsWith('plant ')) continue;
      const line = l.slice('plant '.length);
      lines.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = child.then((r) => {
    ready();
    return r;
  });
  await started;
  return {
    planted: () => [...lines],
    waitFor: (re, ms) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the attacker planted nothing matching ${re} in ${ms} ms (planted: ${lines.join('; ') || 'nothing'})`)),
          ms,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      return [...lines];
    },
  };
}
