#!/usr/bin/env node
/**
 * The CLI entry point: runs the program of src/cli/program.ts (root options and every command) on process.argv. The only
 * catch is here: errors become `jailtrace: <what>: <why> (<what to do>)` on stderr and an exit code from
 * src/errors.ts. A closed stdout (`jailtrace parse --json big | head -1`) ends the run quietly with 0.
 */
import { CommanderError } from 'commander';
import { EXIT, JailtraceError } from './errors.js';
import { exitWithin, runInterruptCleanups, sigintIsTheProgramsNow } from './interrupt.js';
import { makeOutput, type Output } from './cli/output.js';
import { makeProgram, VersionRequested, versionText } from './cli/program.js';

/** `caused by: …` lines for -v: the chain of `cause`s under an error. */
function causes(e: unknown): string[] {
  const lines: string[] = [];
  for (let c = (e as { cause?: unknown })?.cause; c !== undefined && lines.length < 5; c = (c as { cause?: unknown })?.cause) {
    lines.push(`caused by: ${c instanceof Error ? c.message : String(c)}`);
  }
  return lines;
}

export async function main(argv: string[], out: Output = makeOutput(process.stdout, process.stderr, process.env)): Promise<number> {
  const program = makeProgram(out);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (e) {
    if (e instanceof VersionRequested) {
      out.result(await versionText());
      return EXIT.OK;
    }
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE; // commander already printed the message
    }
    if (e instanceof JailtraceError) {
      out.error(e.message);
      if (out.verbose) for (const l of causes(e)) out.error(l);
      return e.exitCode;
    }
    if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.OK;
    out.error(`internal error: ${(e as Error)?.stack ?? String(e)} (please report this with the command you ran)`);
    return 70;
  }
}

// A reader that went away (`| head -1`) is not an error: stop, quietly, with 0. Any other failure to write the
// results (a full disk, `> /dev/full`) is reported in the usual shape.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.OK);
  const why = e.message.replace(/^E[A-Z]+: /, '').replace(/, write$/, ''); // `ENOSPC: no space left on device, write`
  process.stderr.write(`jailtrace: stdout: ${why} (check where the output goes)\n`);
  process.exit(EXIT.APPLY);
});

// SIGINT / SIGTERM: stop now, cleanly. The stages' registered cleanups run (src/interrupt.ts: tracer process groups
// killed, apply's temp file removed; a file is only ever renamed into place whole), then exit EXIT.INTERRUPTED. A
// rerun of the same command finishes the job (apply is idempotent and sweeps temp files a SIGKILL left).
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // a program that owns the terminal got the same Ctrl-C and decides (src/interrupt.ts); SIGTERM still ends us
    if (sig === 'SIGINT' && sigintIsTheProgramsNow()) return;
    runInterruptCleanups();
    process.stderr.write('jailtrace: interrupted (rerun the same command to finish; nothing half-written is left in place)\n');
    exitWithin(sig, EXIT.INTERRUPTED);
  });
}

process.exitCode = await main(process.argv);
