#!/usr/bin/env node
/**
 * The CLI: wires options to the stages and decides how to show results. The only catch: errors become
 * `jailtrace: <what>: <why> (<what to do>)` on stderr and an exit code from src/errors.ts.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT, JailtraceError } from './errors.js';
import { makeOutput, type Output } from './output.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const FORMATS = ['auto', 'strace', 'truss-solaris', 'truss-aix', 'truss-freebsd', 'dtruss', 'kdump'];

export function makeProgram(out: Output): Command {
  const program = new Command('jailtrace')
    .description('Trace what a program really touches and build a chroot jail that works on the first try.')
    .version(pkg.version, '-V, --version')
    .option('-v, --verbose', 'say more')
    .option('-q, --quiet', 'print nothing but errors and the requested output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('parse')
    .summary('read recorded traces and print what files they touched')
    .description('Read recorded traces (strace, truss, dtruss, kdump) and print the manifest: every path, how it was accessed, by which process, on which line.')
    .argument('<trace...>', 'trace files, an strace -ff set, or a directory of them')
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', 'the traced program\'s starting directory (for relative paths)', process.cwd())
    .option('--json', 'print the manifest as one JSON document (schema: docs/manifest.md)')
    .addHelpText('after', `
Examples:
  jailtrace parse sftp.strace
  jailtrace parse --json --cwd /home/alice traces/       # a directory written by strace -ff -o traces/t
  jailtrace parse --format truss-aix sftp-server.truss`)
    .action(async (traces: string[], o: { format: string; cwd: string; json?: boolean }) => {
      const { parseCommand, renderParseSummary } = await import('./commands/parse.js');
      const progress = out.progress('parsing');
      const m = await parseCommand(traces, { format: o.format as never, cwd: o.cwd, onProgress: progress.update }).finally(progress.done);
      if (o.json) out.json(m);
      else out.result(renderParseSummary(m, { verbose: program.opts().verbose }));
      if (m.warningCount > 0 && !o.json) out.note(`${m.warningCount} warnings`);
    });

  program
    .command('build')
    .summary('trace a workload and build a chroot jail that holds exactly what it needs')
    .description(
      'Trace the real programs (built-in profiles, a command, or recorded traces), work out every file they need — ' +
        'including what a trace cannot show (ELF interpreters, #! interpreters, symlinks on the way, parents) — and copy ' +
        'exactly those into JAIL: confined to the jail, atomic, idempotent. Accounts are generated for root and --user only.',
    )
    .argument('<jail>', 'the jail directory (created when missing)')
    .argument('[command...]', 'after --: a command to trace instead of a profile')
    .option('--profile <name>', 'built-in workload: sftp, scp, rssh (repeatable)', collect, [])
    .option('--user <name>', 'jail user: the workload runs as them, their passwd/group lines and home go in (repeatable)', collect, [])
    .option('--trace <file>', 'use a recorded trace instead of running anything (repeatable)', collect, [])
    .option('--cwd <dir>', 'starting directory of the traced program, for --trace', process.cwd())
    .option('--exclude <dir>', 'workload data under this directory is never jail content (repeatable)', collect, [])
    .option('-n, --dry-run', 'print the plan and write nothing')
    .option('--json', 'print the report as JSON')
    .option('--full-passwd', 'copy the host\'s /etc/passwd and /etc/group as they are')
    .option('--allow-secret <path>', 'copy this secret (/etc/shadow, a key...) if the trace needs it (repeatable)', collect, [])
    .option('--keep-setuid <path>', 'keep the setuid/setgid bits of this jail file (repeatable)', collect, [])
    .option('--fix-perms', 'make the jail root root-owned and not group/other-writable (OpenSSH\'s rule)')
    .option('--with-static-deps', 'also copy the static DT_NEEDED closure of every copied program')
    .option('--sftp-server <path>', 'the sftp-server to trace (default: sshd_config Subsystem, then the usual places)')
    .option('--scp <path>', 'the scp to trace (default: from PATH)')
    .option('--output-dir <dir>', 'where raw traces are saved', '.')
    .addHelpText('after', `
Examples:
  jailtrace build /srv/jail --profile sftp --profile scp --user alice
  jailtrace build /srv/jail --profile sftp --user alice --dry-run
  jailtrace build /srv/jail --trace sftp-server.strace --cwd /home/alice
  jailtrace build /srv/jail --user alice -- /usr/bin/rsync --version`)
    .action(async (jail: string, command: string[], o: BuildCliOptions) => {
      const { runBuild } = await import('./commands/build-cli.js');
      const code = await runBuild(jail, command, o, out, program.opts());
      process.exitCode = code;
    });

  return program;
}

export interface BuildCliOptions {
  profile: string[];
  user: string[];
  trace: string[];
  cwd: string;
  exclude: string[];
  dryRun?: boolean;
  json?: boolean;
  fullPasswd?: boolean;
  allowSecret: string[];
  keepSetuid: string[];
  fixPerms?: boolean;
  withStaticDeps?: boolean;
  sftpServer?: string;
  scp?: string;
  outputDir: string;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
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
