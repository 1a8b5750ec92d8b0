/**
 * Every command, in --help order. A command is a `register(program, out)` function in its own file
 * (src/commands/register-<name>.ts) that declares its options and lazily imports its implementation.
 */
import type { Command } from 'commander';
import type { Output } from '../output.js';
import { registerBuild } from './register-build.js';
import { registerExplain } from './register-explain.js';
import { registerLddDiff } from './register-ldd-diff.js';
import { registerParse } from './register-parse.js';

export type Register = (program: Command, out: Output) => void;

export const REGISTRY: readonly Register[] = [
  registerParse,
  registerBuild,
  registerExplain,
  registerLddDiff,
];
