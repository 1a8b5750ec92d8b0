#!/usr/bin/env node
/**
 * The CLI: wires options to the stages and decides how to show results. Each command registers itself from
 * src/commands/register-*.ts (listed in src/commands/registry.ts). The only catch is here: errors become
 * `jailtrace: <what>: <why> (<what to do>)` on stderr and an exit code from src/errors.ts.
 */
import { Command, CommanderError } from 'commander';
import { REGISTRY } from './commands/registry.js';
import { EXIT, JailtraceError } from './errors.js';
import { makeOutput, type Output } from './output.js';
import { VERSION } from './version.js';

export function makeProgram(out: Output): Command {
  const program = new Command('jailtrace')
    .description('Trace what a program really touches and build a chroot jail that works on the first try.')
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'say more')
    .option('-q, --quiet', 'print nothing but errors and the requested output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.hook('preAction', () => {
    out.quiet = Boolean(program.opts().quiet);
  });
  for (const register of REGISTRY) register(program, out);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const out = makeOutput(process.stdout, process.stderr, process.env);
  const program = makeProgram(out);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE; // commander already printed the message
    }
    if (e instanceof JailtraceError) {
      out.error(e.message);
      return e.exitCode;
    }
    if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.OK;
    out.error(`internal error: ${(e as Error)?.stack ?? String(e)} (please report this with the command you ran)`);
    return 70;
  }
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const code = await main(process.argv);
process.exitCode = code;
