/** `jailtrace ldd-diff` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { showEvents } from './events.js';
import { profileOption } from './profile-option.js';
import { collect } from './register-build.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export function registerLddDiff(program: Command, out: Output): void {
  program
    .command('ldd-diff')
    .summary('what ldd misses: run-time needs beside the static library list')
    .description(
      'For the traced executables, what ldd (a static DT_NEEDED walk with RUNPATH/$ORIGIN) lists beside what the trace needed: NSS modules, dlopened libraries, locale/gconv files, config, devices, shells and interpreters that ldd never shows, and libraries ldd lists that were never loaded.',
    )
    .argument('[trace...]', 'traces or manifests (jailtrace parse --json)')
    .addOption(profileOption('trace a built-in workload instead (repeatable)'))
    .option('--user <name>', 'run the profile as this user', collect, [])
    .option('--cwd <dir>', 'starting directory of the traced program', process.cwd())
    .option('--exclude <dir>', 'workload data under this directory is left out (repeatable)', collect, [])
    .option('--json', 'print as JSON')
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace ldd-diff sftp-server.strace --cwd /home/alice
  jailtrace ldd-diff --profile sftp --profile scp
  jailtrace ldd-diff --json manifest.json`,
    )
    .action(async (traces: string[], o: { profile: string[]; user: string[]; cwd: string; exclude: string[]; json?: boolean; maxPaths: number }) => {
      const { requireRoot } = await import('../app/jail-arg.js');
      if (o.profile.length > 0) requireRoot('ldd-diff', "the profiles run the servers as the workload's user");
      const { lddDiffCommand } = await import('../app/ldd-diff.js');
      const { renderLddDiff } = await import('./ldd-diff.js');
      const d = await lddDiffCommand(traces, { profiles: o.profile, users: o.user, cwd: o.cwd, exclude: o.exclude, limits: traceLimits(o) }, showEvents(out));
      if (o.json) out.json(d);
      else out.result(renderLddDiff(d));
    });
}
