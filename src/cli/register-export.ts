/** `jailtrace export` on the command line. */
import { Option, type Command } from 'commander';
import type { Output } from './output.js';
import { collect } from './register-build.js';
import { FORMATS } from './register-parse.js';
import { maxPathsOption } from './trace-limits.js';

export function registerExport(program: Command, out: Output): void {
  program
    .command('export')
    .summary('print what traces need (or a jail holds) for tar, cpio, rsync or jailkit')
    .description(
      'Work out the jail contents from TRACE... (as build would, with ELF and #! interpreters) or read them from ' +
        '--jail JAIL, and print them as a NUL-separated list of paths relative to / (--files-from) or as a jailkit ' +
        'jk_init.ini section (--jk-ini SECTION). Generated account files are never listed.',
    )
    .argument('[trace...]', 'recorded traces')
    .option('--files-from', 'NUL-separated paths, parents first, for tar --null -T -, cpio -0, rsync --from0 --files-from')
    .option('--jk-ini <section>', 'a jk_init.ini section with paths =, devices = and emptydirs =')
    .option('--jail <dir>', "use a built jail's record instead of traces")
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory", process.cwd())
    .option('--exclude <dir>', 'workload data under this directory is never jail content (repeatable)', collect, [])
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace export --files-from --jail /srv/jail | (cd / && tar --null --no-recursion -T - -cf jail.tar)
  jailtrace export --files-from sftp.strace | rsync -a --from0 --files-from=- / /srv/jail/
  jailtrace export --jk-ini sftp-traced sftp.strace >> /etc/jailkit/jk_init.ini`,
    )
    .action(
      async (traces: string[], o: { filesFrom?: boolean; jkIni?: string; jail?: string; cwd: string; format: string; exclude: string[]; maxPaths: number }) => {
        const { runExport } = await import('./export.js');
        process.exitCode = await runExport(traces, o, out);
      },
    );
}
