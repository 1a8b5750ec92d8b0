/** `jailtrace capture`: trace a command (or a profile) and report what it touched and how it ended. */
import path from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import type { Platform } from '../syscalls.js';
import { PLATFORMS } from '../syscalls.js';
import { loadManifests } from './load.js';
import { renderParseSummary } from './parse.js';
import type { CaptureCliOptions } from './register-capture.js';
import { captureCommand, runWorkloads } from './run-workloads.js';
import { traceLimits } from './trace-limits.js';

export async function runCapture(command: string[], o: CaptureCliOptions, out: Output): Promise<number> {
  if (o.printCommand) return printCommand(command, o, out);
  if (command.length === 0 && o.profile.length === 0) throw new UsageError('no command to trace', 'jailtrace capture -- COMMAND ARGS, or --profile sftp');
  const timeoutMs = o.timeout ? Number(o.timeout) * 1000 : undefined;
  if (o.timeout && !(timeoutMs! > 0)) throw new UsageError(`--timeout ${o.timeout}: not a number of seconds`);
  const limits = traceLimits(o);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const workloads =
    command.length > 0
      ? [await captureCommand(command, { cwd: path.resolve(o.cwd), user: o.user, output: path.resolve(o.output ?? `${path.basename(command[0])}-${stamp}.strace`), timeoutMs, limits })]
      : await runWorkloads({ profiles: o.profile, traces: [], command: [], users: o.user ? [o.user] : [], cwd: o.cwd, outputDir: o.output ? path.dirname(o.output) : '.', limits }, out);
  const manifests = await loadManifests(workloads, limits);
  if (o.baseline) {
    // one baseline for the whole workload, without its scratch data (two runs of it must compare equal)
    const { saveBaseline } = await import('../diff/baseline.js');
    const { mergeManifests, withoutScratch } = await import('../manifest/merge.js');
    const file = await saveBaseline(o.baseline, withoutScratch(mergeManifests(manifests), workloads.flatMap((w) => w.excludes)), o.baselines);
    out.note(`baseline ${o.baseline} saved to ${file}`);
  }
  if (o.json) out.json(manifests.length === 1 ? manifests[0] : manifests);
  else for (const m of manifests) out.result(renderParseSummary(m));
  const steps = workloads.flatMap((w) => w.steps);
  for (const w of workloads) out.note(`trace saved: ${w.traces.join(', ')}`);
  for (const s of steps) {
    const how = s.signal ? `killed by ${s.signal}` : `exit status ${s.exitCode}`;
    if (!s.ok) out.note(`${s.description}: ${how}${s.stderr ? `: ${s.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`);
    else out.note(`${s.description}: ${how}`);
  }
  return steps.every((s) => s.ok) ? EXIT.OK : EXIT.PROGRAM;
}

async function printCommand(command: string[], o: CaptureCliOptions, out: Output): Promise<number> {
  const platform = (o.platform ?? 'linux') as Platform;
  if (!PLATFORMS.includes(platform)) throw new UsageError(`unknown platform ${JSON.stringify(o.platform)}`, `one of ${PLATFORMS.join(', ')}`);
  const { tracerCommandLine } = await import('../capture/print-command.js');
  const argv = tracerCommandLine(platform, { output: o.output ?? 'jailtrace.trace', argv: command.length ? command : undefined, profile: o.profile[0] as 'sftp' | 'scp' | undefined, follow: true });
  out.result(argv.map(shellWord).join(' ') + '\n');
  return EXIT.OK;
}

const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
