/** Live workloads: profiles and commands run under the tracer, parsed while they run. */
import path from 'node:path';
import type { ProfileOptions } from '../profiles/types.js';
import { swappableBy } from '../host-chain.js';
import { OutputFileError, prepareOutputDir } from '../output-file.js';
import { captureLive } from '../capture/strace.js';
import { TracerError, UsageError } from '../errors.js';
import type { TraceLimits } from '../limits.js';
import { ignoreEvents, note, type OnEvent } from './events.js';
import { PROFILE_NAMES, type ProfileName } from '../profiles/types.js';
import { LiveTrace } from '../trace.js';
import type { Workload } from '../workload.js';

export interface WorkloadOptions {
  profiles: string[];
  traces: string[];
  command: string[];
  users: string[];
  cwd: string;
  sftpServer?: string;
  scp?: string;
  outputDir: string;
  timeoutMs?: number;
  /** Caps on what a trace may make us hold (live captures). */
  limits?: TraceLimits;
  /** Extra profile options (verify runs the profile inside a jail). */
  profileExtra?: Partial<ProfileOptions>;
}

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');

export async function runWorkloads(o: WorkloadOptions, onEvent: OnEvent = ignoreEvents): Promise<Workload[]> {
  const outputDir = path.resolve(o.outputDir);
  await prepareOutputDir(outputDir).catch((e: unknown) => {
    if (e instanceof OutputFileError) throw new UsageError(`--output-dir: ${e.message}`, 'give --output-dir a directory only root can write');
    throw e;
  });
  const workloads: Workload[] = [];
  for (const name of o.profiles) {
    if (!PROFILE_NAMES.includes(name as ProfileName)) throw new UsageError(`unknown profile ${JSON.stringify(name)}`, `profiles: ${PROFILE_NAMES.join(', ')}`);
    if (o.users.length > 1) onEvent(note(`profile ${name} runs as ${o.users[0]} (the first --user)`));
    onEvent(note(`tracing the ${name} workload${o.users[0] ? ` as ${o.users[0]}` : ''}…`));
    // imported here: a plain command's capture loads no workload (nor execa, which they use)
    const { runProfile } = await import('../profiles/index.js');
    const run = await runProfile(name as ProfileName, { user: o.users[0], sftpServer: o.sftpServer, scp: o.scp, outputDir, ...o.profileExtra });
    for (const n of run.notes ?? []) onEvent(note(`profile ${name}: ${n}`));
    workloads.push({ kind: 'profile', name, traces: run.traces, cwd: run.cwd, excludes: run.excludes, steps: run.steps });
  }
  if (o.command.length > 0) {
    workloads.push(
      await captureCommand(o.command, {
        cwd: path.resolve(o.cwd),
        user: o.users[0],
        output: path.join(outputDir, `${path.basename(o.command[0])}-${stamp()}.strace`),
        timeoutMs: o.timeoutMs,
        limits: o.limits,
      }),
    );
  }
  return workloads;
}

export interface CommandCapture {
  cwd: string;
  user?: string;
  output: string;
  timeoutMs?: number;
  limits?: TraceLimits;
  /**
   * The program owns the terminal (`capture -- COMMAND`): its stdio is ours, nothing of its output is kept. build and
   * verify run unattended and keep piping: a failed step is shown with its last output lines.
   */
  terminal?: boolean;
}

/** Trace one command, parsing the trace while it runs. */
export async function captureCommand(argv: string[], c: CommandCapture): Promise<Workload> {
  // root chdirs there before the program drops to the user: a directory a user could swap would start it anywhere
  const swappable = c.user ? await swappableBy(path.resolve(c.cwd)) : undefined;
  if (swappable)
    throw new UsageError(`--cwd ${c.cwd}: ${swappable}`, 'run the command from a directory only root can change (the program still runs as --user)');
  const live = new LiveTrace(c.output, c.cwd, 'linux', c.limits);
  const env = c.user ? await userEnv(c.user) : undefined;
  const r = await captureLive({ argv, cwd: c.cwd, user: c.user, env, output: c.output, timeoutMs: c.timeoutMs, onData: live.push, terminal: c.terminal });
  const manifest = live.finish();
  // strace re-raises the program's deadly signal on itself, so a signal alone does not say who died: the trace does.
  // The program's death is its last line (`+++ killed by SIGSEGV +++`); a trace that stops before it means strace
  // itself was killed (or crashed).
  const main = manifest.processes[0];
  if (r.signal && !r.timedOut && (!main || main.exit === undefined)) {
    throw new TracerError(
      `strace died (${r.signal}) while tracing ${argv.join(' ')}: the trace ${c.output} stops at line ${manifest.source.lines}, before the program ended`,
      'nothing was built from it; rerun, and if strace keeps dying run it by hand (jailtrace capture --print-command -- COMMAND)',
    );
  }
  const ok = r.exitCode === 0 && !r.timedOut;
  const timeout = r.timedOut && c.timeoutMs !== undefined ? ` (timed out after ${c.timeoutMs / 1000} s)` : '';
  return {
    kind: 'command',
    name: argv.join(' '),
    argv,
    traces: [c.output],
    manifests: [manifest],
    cwd: c.cwd,
    excludes: [],
    steps: [
      {
        description: `${argv.join(' ')}${timeout}`,
        ok,
        exitCode: r.exitCode,
        signal: r.signal,
        ...(r.timedOut ? { timedOut: true } : {}),
        stderr: r.stderr,
        ...(ok ? {} : { stdout: r.stdout.slice(-4096) }),
      },
    ],
  };
}

/** The clean environment of `user` (getent: imported only when --user is given). */
async function userEnv(user: string): Promise<Record<string, string>> {
  const { cleanEnv, runAs } = await import('../profiles/workspace.js');
  return cleanEnv(await runAs(user));
}
