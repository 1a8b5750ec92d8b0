/** `jailtrace build` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { profileOption } from './profile-option.js';
import { maxPathsOption } from './trace-limits.js';
import { waitOption } from './lock-cli.js';
import type { BuildCliOptions } from './build-options.js';

export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function registerBuild(program: Command, out: Output): void {
  program
    .command('build')
    .summary('trace a workload and build a chroot jail that holds exactly what it needs')
    .description(
      'Trace the real programs (built-in profiles, a command, or recorded traces), work out every file they need — ' +
        'including what a trace cannot show (ELF interpreters, #! interpreters, symlinks on the way, parents) — and copy ' +
        'exactly those into JAIL: confined to the jail, atomic, idempotent. Accounts are generated for root and --user only. ' +
        'A workload step that fails is a failed build: the jail still gets what was traced and its record, the step is named with its last output, and build exits 5.',
    )
    .argument('[jail]', 'the jail directory (created when missing); not with --from-rssh-conf/--from-sshd-config')
    .argument('[command...]', 'after --: a command to trace instead of a profile')
    .addOption(profileOption('built-in workload (repeatable)'))
    .option('--user <name>', 'jail user: the workload runs as them, their passwd/group lines and home go in (repeatable)', collect, [])
    .option('--trace <file>', 'use a recorded trace instead of running anything (repeatable)', collect, [])
    .option('--cwd <dir>', 'starting directory of the traced program, for --trace', process.cwd())
    .option('--exclude <dir>', 'workload data under this directory is never jail content (repeatable)', collect, [])
    .option('--force', 'trace and apply again even when every input the jail\'s record lists is unchanged (a rebuild otherwise says "up to date")')
    .option('-n, --dry-run', 'print the plan and write nothing')
    .option('--json', 'print the report as JSON')
    .option('--full-passwd', "copy the host's /etc/passwd and /etc/group as they are")
    .option('--allow-secret <path>', 'copy this secret (/etc/shadow, a key...) if the trace needs it (repeatable)', collect, [])
    .option(
      '--allow-device <path>',
      'make this device node (/dev/kmsg, a disk...) if the trace needs it; /dev/null, zero, full, random, urandom and tty are always made (repeatable)',
      collect,
      [],
    )
    .option('--keep-setuid <path>', 'keep the setuid/setgid bits of this jail file (repeatable)', collect, [])
    .option('--fix-perms', "make the jail root root-owned and not group/other-writable (OpenSSH's rule)")
    .option('--with-static-deps', 'also copy the static DT_NEEDED closure of every copied program')
    .option('--sftp-server <path>', 'the sftp-server to trace (default: sshd_config Subsystem, then the usual places)')
    .option('--scp <path>', 'the scp to trace (default: from PATH)')
    .option(
      '--output-dir <dir>',
      "where raw traces are saved (default: a new folder JAIL/.jailtrace/traces/TIME-build/, root-only, kept with the jail's record; a dry run keeps none)",
    )
    .option('--from-rssh-conf [file]', 'build every jail rssh.conf names (chrootpath=, user= lines), for its users and allowed services')
    .option('--from-sshd-config [file]', 'build every jail sshd_config names (Match User ... ChrootDirectory)')
    .addOption(maxPathsOption())
    .addOption(waitOption())
    .option('--no-link', 'with several jails: copy identical files instead of hard-linking them across jails')
    .addHelpText(
      'after',
      `
Examples:
  jailtrace build /srv/jail --profile sftp --profile scp --user alice
  jailtrace build /srv/jail --profile sftp --user alice --dry-run
  jailtrace build /srv/jail --trace sftp-server.strace --cwd /home/alice
  jailtrace build /srv/jail --user alice -- /usr/bin/rsync --version
  jailtrace build --from-rssh-conf /etc/rssh.conf`,
    )
    .action(async (jail: string | undefined, command: string[], o: BuildCliOptions) => {
      const { runBuild } = await import('./build.js');
      const code = await runBuild(jail, command, o, out, program.opts());
      process.exitCode = code;
    });
}
