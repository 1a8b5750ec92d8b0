/** `jailtrace completion` on the command line: a shell completion script generated from the program itself. */
import { Argument, type Command } from 'commander';
import type { Output } from './output.js';

/** Each shell's script generator, all from the same commander definitions (src/cli/docgen/commands.ts). */
const GENERATORS = {
  bash: async () => (await import('./docgen/completion-bash.js')).bashCompletion,
  zsh: async () => (await import('./docgen/completion-zsh.js')).zshCompletion,
  fish: async () => (await import('./docgen/completion-fish.js')).fishCompletion,
} as const;

export const SHELLS = Object.keys(GENERATORS);

export function registerCompletion(program: Command, out: Output): void {
  program
    .command('completion')
    .summary('print a shell completion script')
    .description(
      "Print a completion script for SHELL, generated from jailtrace's own commands and options (so it knows every " +
        'command, option and option value of this version). Install it once; regenerate after an upgrade.',
    )
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  jailtrace completion bash > /etc/bash_completion.d/jailtrace
  source <(jailtrace completion bash)            # this shell only
  jailtrace completion zsh > /usr/local/share/zsh/site-functions/_jailtrace
  jailtrace completion fish > ~/.config/fish/completions/jailtrace.fish`,
    )
    .action(async (shell: keyof typeof GENERATORS) => {
      // Generated here, not at registration: commands registered after this one must be in the script too.
      out.result((await GENERATORS[shell]())(program));
    });
}
