/**
 * Reading the commander definitions back: the shared helpers behind `jailtrace completion` and the man page, so both
 * are generated from the same place the CLI parses with and cannot drift from it.
 */
import type { EventEmitter } from 'node:events';
import type { Command, Help, Option } from 'commander';

/** The text a command adds after its --help (its `addHelpText('after', ...)`), as --help would print it. */
export function afterHelpText(cmd: Command): string {
  let text = '';
  // commander keeps addHelpText() as an 'afterHelp' listener (Command is an EventEmitter at runtime)
  (cmd as unknown as EventEmitter).emit('afterHelp', { error: false, command: cmd, write: (s: string) => (text += s) });
  return text;
}

/** The example command lines of a command's "Examples:" block (indented lines after the heading). */
export function examples(cmd: Command): string[] {
  const lines = afterHelpText(cmd).split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Examples:');
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') {
      if (out.length) break;
      continue;
    }
    if (!/^\s/.test(l)) break;
    out.push(l.trim());
  }
  return out;
}

/** Visible subcommands, the implicit `help` command included (commander's own view). */
export const visibleCommands = (program: Command, help: Help = program.createHelp()): Command[] => help.visibleCommands(program);

/** Visible options of a command, -h/--help included. */
export const visibleOptions = (cmd: Command, help: Help = cmd.createHelp()): Option[] => help.visibleOptions(cmd);

/** Every spelling of an option: `-n`, `--dry-run`. */
export const optionNames = (o: Option): string[] => [o.short, o.long].filter((x): x is string => Boolean(x));

/** Does the option take a value (`<x>` or `[x]`)? */
export const takesValue = (o: Option): boolean => o.required || o.optional;

export interface CommandPath {
  /** Words after the program name: `build`, `baseline save`. */
  words: string;
  cmd: Command;
  /** Has subcommands (a group like `baseline`): runs nothing itself. */
  group: boolean;
}

/** Every visible command, depth first, groups before their subcommands; commander's implicit `help` left out. */
export function walkCommands(program: Command, prefix = ''): CommandPath[] {
  const out: CommandPath[] = [];
  for (const cmd of program.commands) {
    if ((cmd as unknown as { _hidden?: boolean })._hidden) continue;
    const words = `${prefix}${cmd.name()}`;
    const group = cmd.commands.length > 0;
    out.push({ words, cmd, group });
    if (group) out.push(...walkCommands(cmd, `${words} `));
  }
  return out;
}

/** A description as one short line for a completion menu: its first sentence, cut at a word under `max` characters. */
export function menuLine(s: string | undefined, max = 80): string {
  const first = (s ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[.;])\s/)[0];
  if (first.length <= max) return first;
  const cut = first.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}…`;
}
