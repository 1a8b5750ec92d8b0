/**
 * `--max-paths N` for every command that reads a trace: validated here, at the CLI edge, into a frozen TraceLimits
 * that the stages receive (src/limits.ts). Commander turns a bad value into a usage error (exit 2).
 */
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_PATHS, type TraceLimits } from '../limits.js';

export const MAX_PATHS_HELP =
  'stop with an input error (exit 2) when a trace holds more than N distinct paths; it also caps processes and open ' +
  'fds at N, accesses at 4N, path names and command lines at 256N bytes (under 1 KB of memory a path)';

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of paths, at least 1');
  return n;
}

/** A fresh option for one command (commander options cannot be shared between commands). */
export const maxPathsOption = (): Option => new Option('--max-paths <n>', MAX_PATHS_HELP).argParser(parseCount).default(DEFAULT_MAX_PATHS);

/** The parsed option as the stages take it. */
export const traceLimits = (o: { maxPaths?: number }): TraceLimits => Object.freeze({ maxPaths: o.maxPaths ?? DEFAULT_MAX_PATHS });
