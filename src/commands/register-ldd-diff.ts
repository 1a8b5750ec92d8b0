/** `jailtrace ldd-diff` on the command line. */
import type { Command } from 'commander';
import path from 'node:path';
import type { Output } from '../output.js';
import { collect } from './register-build.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export function registerLddDiff(program: Command, out: Output): void {
  program
    .command('ldd-diff')
    .summary('what ldd misses: run-time needs beside the static library list')
    .description('For the traced executables, what ldd (a static DT_NEEDED walk with RUNPATH/$ORIGIN) lists beside what the trace needed: NSS modules, dlopened libraries, locale/gconv files, config, devices, shells and interpreters that ldd never shows, and libraries ldd lists that were never loaded.')
    .argument('[trace...]', 'traces or manifests (jailtrace parse --json)')
    .option('--profile <name>', 'trace a built-in workload (sftp, scp) instead', collect, [])
    .option('--user <name>', 'run the profile as this user', collect, [])
    .option('--cwd <dir>', 'starting directory of the traced program', process.cwd())
    .option('--exclude <dir>', 'workload data under this directory is left out (repeatable)', collect, [])
    .option('--json', 'print as JSON')
    .addOption(maxPathsOption())
    .addHelpText('after', `
Examples:
  jailtrace ldd-diff sftp-server.strace --cwd /home/alice
  jailtrace ldd-diff --profile sftp --profile scp
  jailtrace ldd-diff --json manifest.json`)
    .action(async (traces: string[], o: { profile: string[]; user: string[]; cwd: string; exclude: string[]; json?: boolean; maxPaths: number }) => {
      const { lddDiff, renderLddDiff } = await import('./ldd-diff.js');
      const { loadManifests } = await import('./load.js');
      const { gatherWorkloads } = await import('./workloads.js');
      // a profile's traces are read here and not kept: a private temp dir, removed (src/jail/trace-dir.ts)
      const { privateTraceDir } = await import('../jail/trace-dir.js');
      const scratch = o.profile.length > 0 ? await privateTraceDir('ldd-diff') : undefined;
      const { workloads, manifests } = await (async () => {
        const workloads = await gatherWorkloads({ profiles: o.profile, traces, command: [], users: o.user, cwd: o.cwd, outputDir: scratch?.dir ?? '.', limits: traceLimits(o) }, out);
        return { workloads, manifests: await loadManifests(workloads, traceLimits(o)) };
      })().finally(() => scratch?.done());
      const d = await lddDiff(manifests, [...o.exclude.map((x) => path.resolve(x)), ...workloads.flatMap((w) => w.excludes)]);
      if (o.json) out.json(d);
      else out.result(renderLddDiff(d));
    });
}
