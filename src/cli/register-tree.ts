/** `jailtrace tree` on the command line. */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Output } from './output.js';
import { FORMATS } from './register-parse.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export function registerTree(program: Command, out: Output): void {
  program
    .command('tree')
    .summary('show the process tree of a trace and what each process touched')
    .description(
      'Show the traced processes as a tree (pid, program, argv, chroot root, exit status) with what each one touched, ' +
        'grouped by kind of access. By default only execs, chroots, connects and failures are listed; failures are ' +
        'marked ✗ with their errno (and red on a terminal).',
    )
    .argument('<trace...>', 'trace files, an strace -ff set or directory, or one manifest from jailtrace parse --json')
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory (for relative paths)", process.cwd())
    .option('--all', 'list every access, not only execs, chroots, connects and failures')
    .option('--json', 'print the tree as one JSON document (schema jailtrace.tree/1: docs/manifest.md)')
    // --format names the trace dialect (a public option), so the picture is --dot, beside --json
    .option('--dot', 'print the tree as a Graphviz picture: processes, execs, chroot boundaries, failed accesses in red (render: | dot -Tsvg > tree.svg)')
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace tree rssh-chroot.truss
  jailtrace tree --all --cwd /home/alice sftp.strace
  jailtrace parse --json sftp.strace > m.json && jailtrace tree m.json
  jailtrace tree --json traces/ | jq '.roots[0].children'
  jailtrace tree --dot rssh-chroot.strace | dot -Tsvg > tree.svg`,
    )
    .action(async (inputs: string[], o: { format: string; cwd: string; all?: boolean; json?: boolean; dot?: boolean; maxPaths: number }) => {
      if (o.json && o.dot) throw new UsageError('--json and --dot: choose one');
      const { treeCommand } = await import('../app/tree.js');
      const { renderTree } = await import('../tree/render.js');
      const progress = out.progress('parsing');
      const tree = await treeCommand(inputs, {
        format: o.format as never,
        cwd: o.cwd,
        all: o.all,
        onProgress: progress.update,
        limits: traceLimits(o),
      }).finally(progress.done);
      if (o.json) out.json(tree);
      else if (o.dot) out.result((await import('../tree/dot.js')).renderTreeDot(tree));
      else out.result(renderTree(tree, { color: out.color && Boolean(process.stdout.isTTY) }));
    });
}
