/** `jailtrace parse` on the command line. */
import { Option, type Command } from 'commander';
import { EXIT } from '../errors.js';
import type { Output } from './output.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export const FORMATS = ['auto', 'strace', 'truss-solaris', 'truss-aix', 'truss-freebsd', 'dtruss', 'kdump', 'dtrace-freebsd', 'dtrace-macos'];

export function registerParse(program: Command, out: Output): void {
  program
    .command('parse')
    .summary('read recorded traces and print what files they touched')
    .description(
      'Read recorded traces (strace, truss, dtruss, kdump) and print the manifest: every path, how it was accessed, by which process, on which line.',
    )
    .argument('<trace...>', 'trace files, an strace -ff set, or a directory of them')
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory (for relative paths)", process.cwd())
    .option('--json', 'print the manifest as one JSON document (schema: docs/manifest.md)')
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace parse sftp.strace
  jailtrace parse --json --cwd /home/alice traces/       # a directory written by strace -ff -o traces/t
  jailtrace parse --format truss-aix sftp-server.truss`,
    )
    .action(async (traces: string[], o: { format: string; cwd: string; json?: boolean; maxPaths: number }) => {
      const { parseTraces } = await import('../trace.js');
      const { renderParseSummary } = await import('./parse.js');
      const progress = out.progress('parsing');
      const m = await parseTraces(traces, { format: o.format as never, cwd: o.cwd, onProgress: progress.update, limits: traceLimits(o) }).finally(
        progress.done,
      );
      if (o.json) out.json(m);
      else out.result(renderParseSummary(m, { verbose: program.opts().verbose }));
      // ripgrep's rule: a bad line is reported and the rest is read, but the exit code says the input was not clean.
      // Notes (a path under a directory fd the trace never saw opened) are about a trace that was read: exit 0.
      if (m.warningCount > 0) {
        out.note(`${m.warningCount} warning${m.warningCount === 1 ? '' : 's'}: some lines could not be read; everything else was parsed (exit 2)`);
        process.exitCode = EXIT.USAGE;
      }
    });
}
