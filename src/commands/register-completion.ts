/** `jailtrace completion` on the command line: a shell completion script generated from the program itself. */
import { Argument, type Command } from 'commander';
import type { Output } from '../output.js';

export const SHELLS = ['bash'];

export function registerCompletion(program: Command, out: Output): void {
  program
    .command('completion')
    .summary('print a shell completion script')
    .description(
      'Print a completion script for SHELL, generated from jailtrace\'s own commands and options (so it knows every ' +
        'command, option and option value of this version). Install it once; regenerate after an upgrade.',
    )
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(SHELLS))
    .addHelpText('after', `
Examples:
  jailtrace completion bash > /etc/bash_completion.d/jailtrace
  source <(jailtrace completion bash)            # this shell only`)
    .action(async () => {
      // Generated here, not at registration: commands registered after this one must be in the script too.
      const { bashCompletion } = await import('../docs/completion-bash.js');
      out.result(bashCompletion(program));
    });
}
