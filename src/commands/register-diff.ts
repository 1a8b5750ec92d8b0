/** `jailtrace diff` and `jailtrace baseline save` on the command line. */
import { Option, type Command } from 'commander';
import type { Output } from '../output.js';
import { requireRoot } from './jail-arg.js';
import { profileOption } from './profile-option.js';
import { FORMATS } from './register-parse.js';
import { maxPathsOption } from './trace-limits.js';

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
    .option('--baselines <dir>', 'where baselines are stored', 'traces/baselines')
    .addOption(new Option('--format <name>', 'trace dialect of trace sides').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', 'the traced program\'s starting directory, for trace sides', process.cwd())
    .option('--json', 'print the difference as JSON (schema jailtrace.diff/1)')
    .addOption(maxPathsOption())
    .addHelpText('after', `
Examples:
  jailtrace diff --cwd /tmp/work old.strace new.strace
  jailtrace diff /srv/jail-before /srv/jail          # two jails
  jailtrace diff --baseline sftp-debian12 sftp.strace   # compare a new trace with a stored run
  jailtrace diff --baseline sftp-debian12 --profile sftp --user alice   # in cron after every upgrade`)
    .action(async (sides: string[], o: { baseline?: string; baselines: string; format: string; cwd: string; json?: boolean; profile: string[]; user: string[]; maxPaths: number }) => {
      const { runDiff } = await import('./diff.js');
      if (o.profile.length > 0) requireRoot('diff', 'the profiles run the servers as the workload\'s user');
      process.exitCode = await runDiff(sides, o, out);
    });

  const baseline = program
    .command('baseline')
    .summary('store manifests to compare later runs with (diff --baseline)')
    .addHelpText('after', `
Examples:
  jailtrace baseline save sftp-debian12 sftp-server.strace --cwd /home/alice
  jailtrace diff --baseline sftp-debian12 sftp-server-after-upgrade.strace`);
  baseline
    .command('save')
    .summary('store the manifest of TRACE... as baseline NAME')
    .description('Parse TRACE... and store the manifest as DIR/NAME.json (default traces/baselines/NAME.json).')
    .argument('<name>', 'baseline name: letters, digits, . _ -')
    .argument('<trace...>', 'trace files, an strace -ff set, or a directory of them')
    .option('--baselines <dir>', 'where baselines are stored', 'traces/baselines')
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', 'the traced program\'s starting directory', process.cwd())
    .addOption(maxPathsOption())
    .addHelpText('after', `
Examples:
  jailtrace baseline save sftp-debian12 sftp-server.strace --cwd /home/alice
  jailtrace baseline save --baselines /var/lib/jailtrace scp-v1 scp.strace`)
    .action(async (name: string, traces: string[], o: { baselines: string; format: string; cwd: string; maxPaths: number }) => {
      const { runBaselineSave } = await import('./diff.js');
      process.exitCode = await runBaselineSave(name, traces, o, out);
    });
}
