/**
 * Run one command under strace and stream its trace: strace writes into a FIFO (./fifo.ts), every chunk goes to the
 * raw trace file and to `onData` while the program runs. strace's own messages and the program's output never enter
 * the trace. A program that fails still yields its trace; only strace failing to run is an error.
 */
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { TracerError } from '../errors.js';
import { giveSigintToProgram } from '../interrupt.js';
import { straceArgs } from './args.js';
import { openTraceFifo } from './fifo.js';
import { findStrace } from './find.js';
import { groupKiller, track, traceeKiller } from './live-tracers.js';
import { argvPrograms, helpersOf, privilegedPrograms, type PrivilegedProgram } from './privileged.js';

export { findStrace } from './find.js';
export { straceArgs, tracedCommandLine } from './args.js';
export { openTraceFifo, type TraceFifo } from './fifo.js';
export { argvPrograms, privilegedNote, privilegedPrograms, type PrivilegedProgram } from './privileged.js';

export interface CaptureOptions {
  argv: string[];
  cwd?: string;
  /** The complete environment of strace and the program (not merged with ours). Default: ours. */
  env?: Record<string, string>;
  /** Run the program as this user (`strace -u`); strace itself stays root. */
  user?: string;
  /** Raw trace file to write. */
  output: string;
  input?: string | Buffer | Readable;
  /**
   * Talk to the program over its stdin/stdout while it runs (a protocol client). stdin is ended when it resolves.
   * Excludes `input`; the result's `stdout` is then empty (the callback consumed it).
   */
  interact?: (io: { stdin: Writable; stdout: Readable }) => Promise<void>;
  /**
   * The program owns our terminal, as under `strace -o FILE COMMAND`: stdin, stdout and stderr are inherited (the
   * program's output is never read by us), it stays in the terminal's foreground group (its /dev/tty works, Ctrl-C
   * reaches it) and SIGINT is its to handle (src/interrupt.ts). Excludes `input` and `interact`; the result's stdout
   * and stderr are empty, and strace's own messages went to the terminal with the program's.
   */
  terminal?: boolean;
  /** Kill strace and every process of its group (SIGTERM, then SIGKILL after `killGraceMs`). */
  timeoutMs?: number;
  killGraceMs?: number;
  onData?: (chunk: Buffer) => void;
  /**
   * Programs the traced one will exec that are not in its argv (rssh's chroot helper): when any of them, or of the
   * argv's programs, is setuid/setgid or has file capabilities, the trace runs without `--seccomp-bpf` (./privileged.ts).
   */
  alsoRuns?: string[];
}

export interface CaptureResult {
  output: string;
  /** The program's exit code (strace exits with it). */
  exitCode?: number;
  /** The signal that ended the program (or the one we sent on timeout). */
  signal?: string;
  timedOut: boolean;
  /** The program's stderr (strace's own `strace: ` lines removed). */
  stderr: string;
  /** strace's own messages. */
  straceStderr: string;
  stdout: string;
  durationMs: number;
  traceBytes: number;
  /** The exact strace command line. */
  command: string[];
  /** Privileged programs that made this trace run without `--seccomp-bpf` (empty: the filter was used if available). */
  privileged: PrivilegedProgram[];
  /** Set when `interact` threw: the program ran and the trace is kept, but the conversation failed. */
  interactError?: unknown;
}

/** strace's own messages that mean it could not run the program: data, matched against its stderr. */
const STRACE_FATAL: ReadonlyArray<{ re: RegExp; hint: string }> = [
  { re: /^strace: Can't stat '(.*)'/, hint: 'check the program path (strace looks it up on PATH itself)' },
  { re: /^strace: exec: /, hint: 'the program exists but could not be executed (permissions, missing interpreter, or not executable by --user)' },
  { re: /^strace: Cannot find user/, hint: 'check the --user name (getent passwd NAME)' },
  { re: /^strace: (invalid|must have|Unknown|unrecognized)/, hint: 'this strace rejected an option jailtrace passed: report it with strace -V' },
  { re: /Operation not permitted/, hint: 'ptrace is not permitted here: see jailtrace doctor' },
  { re: /^strace: Can't (open|fork)/, hint: 'strace could not start: check resources and permissions' },
];

/** strace's own message line, by `strace: ` or `/path/to/strace: ` (argv[0] is the prefix). */
const STRACE_LINE = /^(?:\S*\/)?strace: /;

/**
 * Did strace itself fail to run the program? From strace's messages, its exit status and the trace size.
 * Exported for callers whose strace is spawned by another program (sftp -D): pass that program's stderr.
 */
export function straceFailure(stderr: string, exitCode: number | undefined, traceBytes: number, argv: string[]): TracerError | undefined {
  const lines = stderr
    .split('\n')
    .filter((l) => STRACE_LINE.test(l))
    .map((l) => l.replace(STRACE_LINE, 'strace: '));
  for (const line of lines) {
    const fatal = STRACE_FATAL.find((f) => f.re.test(line));
    if (fatal && (exitCode !== 0 || traceBytes === 0)) {
      return new TracerError(`${line.replace(/^strace: /, 'strace could not run the program: ')} (command: ${argv.join(' ')})`, fatal.hint);
    }
  }
  if (traceBytes === 0 && exitCode !== 0 && exitCode !== undefined) {
    return new TracerError(
      `strace wrote no trace and exited ${exitCode}: ${lines.join(' ').trim() || stderr.trim() || 'no message'}`,
      'run the same strace command by hand to see why',
    );
  }
  return undefined;
}

/** Split a shared stderr: strace prefixes every message of its own with `strace: ` (we set argv0 to `strace`). */
export function splitStraceStderr(all: string): { program: string; strace: string } {
  const program: string[] = [];
  const strace: string[] = [];
  const lines = all.split('\n');
  const last = lines.pop();
  for (const l of lines) (l.startsWith('strace: ') ? strace : program).push(`${l}\n`);
  if (last) (last.startsWith('strace: ') ? strace : program).push(last);
  return { program: program.join(''), strace: strace.join('') };
}

/**
 * For programs that start a tracer themselves (`sftp -D strace …`): run them `detached` (own process group), register
 * the group here so an interrupt kills it, and call the returned function when done. `kill` ends the whole group.
 */
export function trackGroup(pid: number | undefined): { kill: (signal?: NodeJS.Signals) => void; release: () => void } {
  const t = track(pid);
  return { kill: (signal = 'SIGKILL') => t.kill(signal), release: t.release };
}

export async function captureLive(opts: CaptureOptions): Promise<CaptureResult> {
  if (opts.argv.length === 0) throw new TracerError('no command to trace', 'give the program and its arguments');
  if (opts.interact && opts.input !== undefined) throw new TracerError('captureLive: input and interact are exclusive');
  if (opts.terminal && (opts.interact || opts.input !== undefined)) throw new TracerError('captureLive: terminal excludes input and interact');
  const st = await findStrace();
  const started = performance.now();
  const privileged = await privilegedPrograms([...argvPrograms(opts.argv), ...(opts.alsoRuns ?? []), ...(await helpersOf(opts.argv))]);
  const fifo = await openTraceFifo({ output: opts.output, onData: opts.onData });
  const args = [...straceArgs({ output: fifo.fifo, user: opts.user, seccomp: st.seccompBpf && privileged.length === 0 }), '--', ...opts.argv];
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let tracked: ReturnType<typeof track> | undefined;
  const releaseSigint = opts.terminal ? giveSigintToProgram() : undefined;
  try {
    const stdio = opts.terminal
      ? { stdio: 'inherit' as const }
      : opts.interact
        ? { stdin: 'pipe' as const, buffer: { stdout: false } }
        : typeof opts.input === 'object' && !Buffer.isBuffer(opts.input)
          ? { stdin: opts.input }
          : opts.input !== undefined
            ? { input: opts.input }
            : { stdin: 'ignore' as const };
    // terminal: the terminal's foreground group, where the program's /dev/tty and Ctrl-C work, started with node's
    // own spawn, so `capture -- COMMAND` never loads execa (./run-file.ts); the piped modes use execa's input,
    // interact and buffering
    const { child, ended } = opts.terminal
      ? spawnInTerminal(st.path, args, opts)
      : piped(
          (await import('execa')).execa(st.path, args, {
            argv0: 'strace',
            cwd: opts.cwd,
            env: opts.env,
            extendEnv: opts.env === undefined,
            // own process group, so a timeout kills strace and every traced process at once (./live-tracers.ts)
            detached: true,
            reject: false,
            stripFinalNewline: false,
            ...stdio,
          }),
        );
    tracked = track(child.pid, opts.terminal ? traceeKiller : groupKiller);
    const kill = tracked.kill;
    // strace ended by a signal (killed, crashed, or re-raising the program's): its untraced leftovers in the group
    // would keep our pipes open and run on; they go now
    child.once('exit', (_code, signal) => {
      if (signal) kill('SIGKILL');
    });
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        kill('SIGTERM');
        setTimeout(() => kill('SIGKILL'), opts.killGraceMs ?? 2000).unref();
      }, opts.timeoutMs);
    }
    let interactError: unknown;
    if (opts.interact) {
      try {
        await opts.interact({ stdin: child.stdin!, stdout: child.stdout! });
      } catch (e) {
        interactError = e;
      }
      child.stdin?.end();
      child.stdout?.resume();
    }
    const r = await ended;
    clearTimeout(timer);
    // strace detaches on SIGTERM and exits; whatever it left behind in its group dies now
    if (timedOut) kill('SIGKILL');
    // strace has exited: if it never opened the FIFO it never will; close() unblocks the reader and waits for EOF
    await fifo.close();
    const traceBytes = await fifo.done.catch((e: unknown) => {
      if (e instanceof TracerError && /no tracer opened/.test(e.message)) return 0;
      throw e;
    });
    const stderrAll = typeof r.stderr === 'string' ? r.stderr : '';
    const split = splitStraceStderr(stderrAll);
    if (!timedOut) {
      const failure = opts.terminal
        ? terminalFailure(r.exitCode, traceBytes, opts.argv)
        : straceFailure(split.strace || stderrAll, r.exitCode, traceBytes, opts.argv);
      if (failure) throw failure;
    }
    return {
      output: opts.output,
      exitCode: r.exitCode,
      signal: r.signal ?? (timedOut ? 'SIGTERM' : undefined),
      timedOut,
      stderr: split.program,
      straceStderr: split.strace,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      durationMs: Math.round(performance.now() - started),
      traceBytes,
      command: [st.path, ...args],
      privileged,
      ...(interactError !== undefined ? { interactError } : {}),
    };
  } finally {
    releaseSigint?.();
    clearTimeout(timer);
    if (timedOut) tracked?.kill('SIGKILL');
    tracked?.release();
    await fifo.close();
  }
}

/**
 * strace in the terminal's foreground group with our stdin, stdout and stderr (as execa's `stdio: 'inherit'` without
 * `detached`). Nothing is read from it, so stdout and stderr are empty; a strace that cannot start ends with no
 * exitCode, as execa's `reject: false` does.
 */
function spawnInTerminal(file: string, args: string[], opts: CaptureOptions): Started {
  const child = spawn(file, args, { argv0: 'strace', cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'inherit' });
  const ended = new Promise<Ended>((resolve) => {
    child.once('error', () => resolve({ stdout: '', stderr: '' }));
    child.once('close', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, stdout: '', stderr: '' }));
  });
  return { child, ended };
}

/** How a strace run ended, whichever way it was started. */
interface Ended {
  exitCode?: number;
  signal?: string;
  stdout: unknown;
  stderr: unknown;
}

interface Started {
  child: {
    pid?: number;
    once(event: 'exit', f: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
    stdin?: Writable | null;
    stdout?: Readable | null;
  };
  ended: Promise<Ended>;
}

/** An execa run: the subprocess is its own promise of the end. */
const piped = (p: Started['child'] & PromiseLike<Ended>): Started => ({ child: p, ended: Promise.resolve(p) });

/**
 * A terminal run: strace's own message went to the terminal, with the program's output, and is not ours to read. A
 * run that wrote no trace and failed is strace failing to start the program.
 */
function terminalFailure(exitCode: number | undefined, traceBytes: number, argv: string[]): TracerError | undefined {
  if (traceBytes > 0 || exitCode === 0 || exitCode === undefined) return undefined;
  return new TracerError(
    `strace could not run ${argv.join(' ')} (it exited ${exitCode} and wrote no trace; its message is above)`,
    'check the program path and --user; jailtrace capture --print-command -- COMMAND prints the strace command to run by hand',
  );
}
