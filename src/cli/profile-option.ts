/**
 * `--profile <name>`, declared once for every command that takes it: the names are the option's choices, so --help
 * lists them, the completion scripts offer them (`--profile <TAB>`: sftp, scp, rssh) and commander refuses any other
 * name (exit 2). Repeatable: each use adds one name.
 */
import { InvalidArgumentError, Option } from 'commander';
import { PROFILE_NAMES } from '../profiles/types.js';

export function profileOption(description: string): Option {
  return new Option('--profile <name>', description)
    .choices(PROFILE_NAMES)
    .argParser((v: string, prev: string[] | undefined): string[] => {
      if (!PROFILE_NAMES.includes(v as (typeof PROFILE_NAMES)[number])) throw new InvalidArgumentError(`Allowed choices are ${PROFILE_NAMES.join(', ')}.`);
      return [...(prev ?? []), v];
    })
    .default([]);
}
