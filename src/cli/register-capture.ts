/** `jailtrace capture` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { profileOption } from './profile-option.js';
import { maxPathsOption } from './trace-limits.js';
import type { CaptureCliOptions } from './capture.js';

export function registerCapture(program: Command, out: Output): void {
  program
    .command('capture')
    .summary('run a command under the tracer, save the trace, print what it touched')
    .description(
      'Run COMMAND under strace with the options jailtrace needs (-f, a syscall set limited to what matters, --seccomp-bpf when ' +
        'available), parse the trace while it runs, save the raw trace, and report what it touched. Like strace -f -o FILE COMMAND, ' +
        'the program owns the terminal (stdin, stdout, stderr; Ctrl-C is its to handle), its stdout is untouched, and capture exits ' +
        "with the program's status (128+N for signal N, 124 when --timeout ended it); the report comes after it, on stderr or in --report FILE. " +
        'A profile (--profile) runs its servers itself: its report is on stdout, its traces go in --output-dir, and it exits 5 when a step failed. ' +
        'On Solaris, AIX, FreeBSD or macOS, --platform P --print-command prints the tracer command to run there by hand.',
    )
    .argument('[command...]', 'after --: the command and its arguments')
    .option('-o, --output <file>', 'with a command: the raw trace file (default: COMMAND-TIME.strace in the current directory)')
    .option('--output-dir <dir>', 'where raw traces go (a profile: default PROFILE-TIME/ in the current directory, one trace per server run)')
    .option('--report <file>', "write jailtrace's report (the summary, or JSON with --json) to FILE instead of stderr (a command) or stdout (a profile)")
    .option('--cwd <dir>', 'run the command in this directory', process.cwd())
    .option('--user <name>', 'run the command as this user, with a clean environment')
    .addOption(profileOption('trace a built-in workload instead of a command (repeatable)'))
    .option('--timeout <seconds>', 'kill the command and its children after this long')
    .option('--platform <os>', 'with --print-command: linux, solaris, aix, freebsd, macos')
    .option('--print-command', 'print the tracer command line for --platform instead of running anything')
    .option('--baseline <name>', 'also store the manifest as baseline NAME (for jailtrace diff --baseline)')
    .option('--baselines <dir>', 'where baselines live (default /var/lib/jailtrace/baselines for root, $XDG_DATA_HOME/jailtrace/baselines otherwise)')
    .option('--json', "the report as JSON (with a command: needs --report FILE, stdout is the program's)")
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace capture -- /usr/lib/openssh/sftp-server -h
  jailtrace capture --user alice --output scp.strace -- scp -t /home/alice
  jailtrace capture --json --report id.json -- /usr/bin/id
  jailtrace capture --profile sftp --output-dir traces/sftp
  jailtrace capture --platform aix --print-command --profile sftp`,
    )
    .action(async (command: string[], o: CaptureCliOptions) => {
      const { runCapture } = await import('./capture.js');
      process.exitCode = await runCapture(command, o, out);
    });
}
