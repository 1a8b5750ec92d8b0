/** `jailtrace verify` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { profileOption } from './profile-option.js';
import { showEvents } from './events.js';
import { lockOptions, waitOption } from './lock-cli.js';
import { collect } from './register-build.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export function registerVerify(program: Command, out: Output): void {
  program
    .command('verify')
    .summary('run the workload inside the jail and report what is missing (--fix copies it)')
    .description(
      'Run the workload inside JAIL (chroot, drop to the user, exec — what rssh_chroot_helper does) under the tracer and report every ' +
        'access that failed in the jail but would succeed on the host, each with its syscall, process and errno; an exec that fails ' +
        'with ENOENT although the program is there names its missing ELF or #! interpreter. Each round also names every file the ' +
        "jail's record lists that the jail lacks. --fix adds only what the workload needs (never a fallback such as /dev/console, nor " +
        'what a process touched after its exec failed) and stops at a round that makes no progress, saying why. Exit 0 only when the workload succeeded ' +
        'and nothing is missing, 1 when something is missing, 2 on usage errors.',
    )
    .argument('<jail>', 'a jail (built by jailtrace build, which recorded its users and profiles)')
    .argument('[command...]', 'after --: a command to run in the jail instead of the profiles')
    .addOption(profileOption('workload (repeatable; default: the profiles the jail was built with)'))
    .option('--user <name>', "run as this user (default: the jail's first user)")
    .option('--fix', 'copy what is missing (same confined, atomic apply as build) and run again')
    .option('--allow-secret <path>', 'copy this secret (/etc/shadow, a key...) if the trace needs it (repeatable)', collect, [])
    .option(
      '--allow-device <path>',
      'make this device node (/dev/kmsg, a disk...) if the trace needs it; /dev/null, zero, full, random, urandom and tty are always made (repeatable)',
      collect,
      [],
    )
    .option('--rounds <n>', 'with --fix: at most this many runs', '5')
    .option('--timeout <seconds>', 'kill a workload run after this long', '300')
    .option('--sftp-server <path>', 'the sftp-server path inside the jail')
    .option('--scp <path>', 'the scp path inside the jail')
    .option(
      '--output-dir <dir>',
      'where the raw traces of the runs are saved (default: a new folder JAIL/.jailtrace/traces/TIME-verify/, one round-N/ per round)',
    )
    .option('--json', 'print the report as JSON')
    .addOption(waitOption())
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace verify /srv/jail
  jailtrace verify /srv/jail --profile sftp --user alice --fix
  jailtrace verify /srv/jail --user alice -- /usr/bin/scp -t /home/alice`,
    )
    .action(
      async (
        jail: string,
        command: string[],
        o: {
          wait?: number;
          profile: string[];
          user?: string;
          fix?: boolean;
          allowSecret: string[];
          allowDevice: string[];
          rounds: string;
          timeout: string;
          sftpServer?: string;
          scp?: string;
          outputDir?: string;
          json?: boolean;
          maxPaths: number;
        },
      ) => {
        const { verifyCommand } = await import('../app/verify.js');
        const { renderVerify, verifyExit } = await import('./verify.js');
        const { requireJailArg, requireRoot } = await import('../app/jail-arg.js');
        requireRoot('verify', "it chroots into the jail and runs the workload as the jail's user");
        await requireJailArg(jail, 'existing', 'verify');
        const r = await verifyCommand(
          {
            jail,
            profiles: o.profile,
            command,
            user: o.user,
            fix: Boolean(o.fix),
            rounds: o.fix ? Number(o.rounds) || 5 : 1,
            outputDir: o.outputDir,
            sftpServer: o.sftpServer,
            scp: o.scp,
            timeoutMs: Number(o.timeout) * 1000,
            allowSecrets: o.allowSecret,
            allowDevices: o.allowDevice,
            limits: traceLimits(o),
            lock: lockOptions(o, out, o.fix ? 'exclusive' : 'shared', jail),
          },
          showEvents(out),
        );
        if (o.json) out.json(r);
        else out.result(renderVerify(r));
        process.exitCode = verifyExit(r);
      },
    );
}
