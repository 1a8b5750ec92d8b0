/** `jailtrace explain` on the command line. */
import type { Command } from 'commander';
import { EXIT, UsageError } from '../errors.js';
import type { Output } from './output.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export function registerExplain(program: Command, out: Output): void {
  program
    .command('explain')
    .summary('say why a file is in a jail, or why it is not')
    .description(
      'Why PATH is in the jail (which process, syscall and trace line; which rule: PT_INTERP, symlink on the way, NSS module, wordexp shell, device) or why not, and what to do.',
    )
    .argument('<path>', 'a path as seen inside the jail')
    .option('--jail <dir>', 'a jail built by jailtrace build (reads its record)')
    .option('--manifest <file>', 'a manifest (jailtrace parse --json) or a trace')
    .option('--cwd <dir>', 'starting directory, when --manifest is a trace')
    .option('--json', 'print the explanation as JSON')
    .option('--dot', 'print the chain of rules for PATH as a Graphviz picture (render: | dot -Tsvg > explain.svg)')
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace explain /lib64/ld-linux-x86-64.so.2 --jail /srv/jail
  jailtrace explain /usr/lib/x86_64-linux-gnu/libnss_files.so.2 --jail /srv/jail
  jailtrace explain /etc/nsswitch.conf --manifest sftp.strace
  jailtrace explain /lib64/ld-linux-x86-64.so.2 --jail /srv/jail --dot | dot -Tsvg > explain.svg`,
    )
    .action(async (p: string, o: { jail?: string; manifest?: string; cwd?: string; json?: boolean; dot?: boolean; maxPaths: number }) => {
      if (o.json && o.dot) throw new UsageError('--json and --dot: choose one');
      const { explainCommand } = await import('../app/explain.js');
      const { renderExplanation } = await import('./explain.js');
      const x = await explainCommand(p, { ...o, limits: traceLimits(o) });
      if (o.json) out.json(x);
      else if (o.dot) out.result((await import('./explain-dot.js')).renderExplanationDot(x));
      else out.result(renderExplanation(x));
      process.exitCode = x.inJail || x.accesses ? EXIT.OK : EXIT.FOUND;
    });
}
