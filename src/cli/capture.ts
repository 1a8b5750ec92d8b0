/**
 * `jailtrace capture`: trace a command (or a profile) and report what it touched and how it ended.
 *
 * `capture -- COMMAND` behaves like `strace -f -o FILE COMMAND`: the program owns the terminal (stdin, stdout and
 * stderr are its own, Ctrl-C is its to handle) and jailtrace exits with the program's status. jailtrace's report comes
 * after the program has ended, on stderr, or in `--report FILE` (text, or JSON with `--json`): stdout stays byte for
 * byte the program's. The profiles (`--profile`) drive their servers themselves: their report is on stdout.
 */
import { constants as OS } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { captureRun } from '../app/capture.js';
import { EXIT, UsageError } from '../errors.js';
import { jsonPieces } from '../json-stream.js';
import type { Manifest } from '../manifest/manifest.js';
import { openOutputFile, OutputFileError } from '../output-file.js';
import type { Platform } from '../syscalls.js';
import { PLATFORMS } from '../syscalls.js';
import type { Workload } from '../workload.js';
import { showEvents } from './events.js';
import type { Output } from './output.js';
import { renderParseSummary } from './parse.js';
import { traceLimits } from './trace-limits.js';

/** capture's options as commander parses them (src/cli/register-capture.ts). */
export interface CaptureCliOptions {
  output?: string;
  outputDir?: string;
  report?: string;
  cwd: string;
  user?: string;
  json?: boolean;
  timeout?: string;
  profile: string[];
  platform?: string;
  printCommand?: boolean;
  baseline?: string;
  baselines?: string;
  maxPaths: number;
}

/** A shell's view of how the program ended; `timeout(1)`'s 124 for a run we ended at --timeout. */
export function programStatus(s: { exitCode?: number; signal?: string; timedOut?: boolean }): number {
  if (s.timedOut) return 124;
  if (s.signal) return 128 + (OS.signals[s.signal as NodeJS.Signals] ?? 0);
  return s.exitCode ?? EXIT.PROGRAM;
}

/** How a step ended, in words: a process's exit status or signal, a check's "ok" or "failed: why". */
export function stepOutcome(s: Workload['steps'][number]): string {
  const why = (s.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' / ');
  if (s.check) return s.ok ? 'ok' : `failed: ${why || 'the check did not hold'}`;
  const how = s.signal ? `killed by ${s.signal}` : `exit status ${s.exitCode}`;
  return !s.ok && why ? `${how}: ${why}` : how;
}

export async function runCapture(command: string[], o: CaptureCliOptions, out: Output): Promise<number> {
  if (o.printCommand) return printCommand(command, o, out);
  if (command.length === 0 && o.profile.length === 0) throw new UsageError('no command to trace', 'jailtrace capture -- COMMAND ARGS, or --profile sftp');
  if (command.length > 0 && o.profile.length > 0)
    throw new UsageError('a command and --profile: choose one', 'jailtrace capture -- COMMAND ARGS, or jailtrace capture --profile sftp');
  const timeoutMs = o.timeout ? Number(o.timeout) * 1000 : undefined;
  if (o.timeout && !(timeoutMs! > 0)) throw new UsageError(`--timeout ${o.timeout}: not a number of seconds`);
  if (command.length > 0 && o.json && !o.report) {
    throw new UsageError(
      "--json with a command: stdout is the program's",
      `give the JSON report a file: jailtrace capture --json --report report.json -- ${command.map(shellWord).join(' ')}`,
    );
  }
  if (command.length === 0 && o.output) {
    throw new UsageError(
      `--output ${o.output}: a profile writes one trace per server run (${o.profile.join(', ')}), not one file`,
      `give a directory for them: --output-dir ${shellWord(path.dirname(o.output))}`,
    );
  }
  const { workloads, manifests, baselineFile } = await captureRun(command, { ...o, timeoutMs, limits: traceLimits(o) }, showEvents(out));
  if (baselineFile) out.note(`baseline ${o.baseline} saved to ${baselineFile}`);
  await report(manifests, command.length > 0, o, out);
  const steps = workloads.flatMap((w) => w.steps);
  for (const w of workloads) out.note(`trace saved: ${w.traces.join(', ')}`);
  for (const s of steps) out.note(`${s.description}: ${stepOutcome(s)}`);
  if (command.length > 0) return programStatus(steps[0]);
  return steps.every((s) => s.ok) ? EXIT.OK : EXIT.PROGRAM;
}

/** The manifest summary (or JSON): to --report FILE; else stdout for a profile, stderr for a command (-q drops it). */
async function report(manifests: Manifest[], command: boolean, o: CaptureCliOptions, out: Output): Promise<void> {
  const value = manifests.length === 1 ? manifests[0] : manifests;
  if (o.report) {
    const fh = await openOutputFile(path.resolve(o.report), 0o644).catch((e: unknown) => {
      if (e instanceof OutputFileError)
        throw new UsageError(`--report: ${e.message}`, 'give --report a file in a directory only you can write, or remove the file');
      throw e;
    });
    const ws = fh.createWriteStream();
    const pieces = o.json ? jsonLines(value) : manifests.map((m) => renderParseSummary(m));
    for (const p of pieces) if (!ws.write(p)) await once(ws, 'drain');
    ws.end();
    await once(ws, 'close');
    out.note(`report saved: ${o.report}`);
    return;
  }
  if (!command) {
    if (o.json) out.json(value);
    else for (const m of manifests) out.result(renderParseSummary(m));
    return;
  }
  if (out.quiet) return;
  for (const m of manifests) process.stderr.write(renderParseSummary(m));
}

function* jsonLines(value: unknown): Generator<string> {
  yield* jsonPieces(value);
  yield '\n';
}

async function printCommand(command: string[], o: CaptureCliOptions, out: Output): Promise<number> {
  const platform = (o.platform ?? 'linux') as Platform;
  if (!PLATFORMS.includes(platform)) throw new UsageError(`unknown platform ${JSON.stringify(o.platform)}`, `one of ${PLATFORMS.join(', ')}`);
  const { printedCapture } = await import('../capture/route.js');
  out.result(
    printedCapture(platform, {
      output: o.output ?? 'jailtrace.trace',
      argv: command.length ? command : undefined,
      profile: o.profile[0] as 'sftp' | 'scp' | undefined,
      follow: true,
    }),
  );
  return EXIT.OK;
}

const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
