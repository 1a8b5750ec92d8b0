/**
 * The program as the docs see it: the same root definitions as makeProgram in src/cli.ts and the same REGISTRY.
 * (src/cli.ts runs main() when imported, so it cannot be imported here; test/cli/help.test.ts checks that this
 * program's --help is byte-for-byte the CLI's, so the two cannot drift apart.)
 */
import { Command } from 'commander';
import { REGISTRY } from '../commands/registry.js';
import type { Output } from '../output.js';

/** An Output that drops everything: the docs program is walked, never run. */
const SILENT: Output = {
  result: () => {},
  json: () => {},
  note: () => {},
  error: () => {},
  progress: () => ({ update: () => {}, done: () => {} }),
  color: false,
  quiet: true,
};

/** `version` is passed in (src/version.ts reads package.json relative to dist/, so tests give it themselves). */
export function docsProgram(version: string): Command {
  const program = new Command('jailtrace')
    .description('Trace what a program really touches and build a chroot jail that works on the first try.')
    .version(version, '-V, --version')
    .option('-v, --verbose', 'say more')
    .option('-q, --quiet', 'print nothing but errors and the requested output');
  for (const register of REGISTRY) register(program, SILENT);
  return program;
}
