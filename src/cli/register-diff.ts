/** `jailtrace diff` and `jailtrace baseline save` on the command line. */
import { Option, type Command } from 'commander';
import type { Output } from './output.js';
import { profileOption } from './profile-option.js';
import { FORMATS } from './register-parse.js';
import { maxPathsOption } from './trace-limits.js';

/** Where baselines live, for --help and the man page. */
export const BASELINES_HELP = '/var/lib/jailtrace/baselines for root, $XDG_DATA_HOME/jailtrace/baselines otherwise';

export function registerDiff(program: Command, out: Output): void {
  program
    .command('diff')
    .summary('compare what two traces, manifests or jails need')
    .description(
      'Compare the needs of OLD and NEW: each a trace (any dialect), a manifest (jailtrace.manifest/1), a jail record ' +
        '(jailtrace.jail/1) or a jail directory. Shows paths added, removed, changed (role; for jail files size, mode, ' +
        'sha256) and moved (same library, other directory or version), grouped by role. ' +
        'Exit 0: no difference; 1: differences; 2: error.',
    )
    .argument('[side...]', 'OLD NEW; with --baseline NAME just NEW; with --profile just OLD (or nothing, with --baseline)')
    .addOption(profileOption('trace this built-in workload now as the NEW side (repeatable)'))
    .option('--user <name>', 'run the --profile workload as this user (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--baseline <name>', 'compare with the stored baseline NAME (see jailtrace baseline save)')
    .option('--baselines <dir>', `where baselines are stored (default ${BASELINES_HELP})`)
    .addOption(new Option('--format <name>', 'trace dialect of trace sides').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory, for trace sides", process.cwd())
    .option('--json', 'print the difference as JSON (schema jailtrace.diff/1)')
    .option('--all', "compare every path, runtime data included (default: what a jail would hold; a workload's own scratch data is always left out)")
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace diff --cwd /tmp/work old.strace new.strace
  jailtrace diff /srv/jail-before /srv/jail          # two jails
  jailtrace diff --baseline sftp-debian12 sftp.strace   # compare a new trace with a stored run
  jailtrace diff --baseline sftp-debian12 --profile sftp --user alice   # in cron after every upgrade
  jailtrace diff --all old.strace new.strace           # runtime data (/tmp, /proc, terminals) too`,
    )
    .action(
      async (
        sides: string[],
        o: {
          baseline?: string;
          baselines?: string;
          format: string;
          cwd: string;
          json?: boolean;
          all?: boolean;
          profile: string[];
          user: string[];
          maxPaths: number;
        },
      ) => {
        const { runDiff } = await import('./diff.js');
        const { requireRoot } = await import('../app/jail-arg.js');
        if (o.profile.length > 0) requireRoot('diff', "the profiles run the servers as the workload's user");
        process.exitCode = await runDiff(sides, o, out);
      },
    );

  const baseline = program
    .command('baseline')
    .summary('store manifests to compare later runs with (diff --baseline)')
    .addHelpText(
      'after',
      `
Examples:
  jailtrace baseline save sftp-debian12 sftp-server.strace --cwd /home/alice
  jailtrace diff --baseline sftp-debian12 sftp-server-after-upgrade.strace`,
    );
  baseline
    .command('save')
    .summary('store the manifest of TRACE... as baseline NAME')
    .description(`Parse TRACE... and store the manifest as DIR/NAME.json (default DIR: ${BASELINES_HELP}).`)
    .argument('<name>', 'baseline name: letters, digits, . _ -')
    .argument('<trace...>', 'trace files, an strace -ff set, or a directory of them')
    .option('--baselines <dir>', `where baselines are stored (default ${BASELINES_HELP})`)
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory", process.cwd())
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace baseline save sftp-debian12 sftp-server.strace --cwd /home/alice
  jailtrace baseline save --baselines /srv/baselines scp-v1 scp.strace`,
    )
    .action(async (name: string, traces: string[], o: { baselines?: string; format: string; cwd: string; maxPaths: number }) => {
      const { runBaselineSave } = await import('./diff.js');
      process.exitCode = await runBaselineSave(name, traces, o, out);
    });

  baseline
    .command('list')
    .summary('list the stored baselines')
    .description(`Each stored baseline: its name, how many paths, when it was saved, from which traces. In DIR (default ${BASELINES_HELP}).`)
    .option('--baselines <dir>', 'where baselines are stored')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      `
Examples:
  jailtrace baseline list
  jailtrace baseline list --baselines /srv/baselines --json`,
    )
    .action(async (o: { baselines?: string; json?: boolean }) => {
      const { runBaselineList } = await import('./baseline.js');
      process.exitCode = await runBaselineList(o, out);
    });
  baseline
    .command('show')
    .summary('print what baseline NAME needs, by role')
    .argument('<name>', 'baseline name')
    .option('--baselines <dir>', 'where baselines are stored')
    .option('--json', 'print the stored manifest')
    .addHelpText(
      'after',
      `
Examples:
  jailtrace baseline show sftp-debian12
  jailtrace baseline show --json sftp-debian12 > sftp-debian12.json`,
    )
    .action(async (name: string, o: { baselines?: string; json?: boolean }) => {
      const { runBaselineShow } = await import('./baseline.js');
      process.exitCode = await runBaselineShow(name, o, out);
    });
  baseline
    .command('rm')
    .summary('remove baseline NAME')
    .argument('<name>', 'baseline name')
    .option('--baselines <dir>', 'where baselines are stored')
    .addHelpText(
      'after',
      `
Examples:
  jailtrace baseline rm sftp-debian12
  jailtrace baseline rm --baselines /srv/baselines scp-v1`,
    )
    .action(async (name: string, o: { baselines?: string }) => {
      const { runBaselineRm } = await import('./baseline.js');
      process.exitCode = await runBaselineRm(name, o, out);
    });
}
