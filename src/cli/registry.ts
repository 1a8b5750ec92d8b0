/**
 * Every command, in --help order. A command is a `register(program, out)` function in its own file
 * (src/cli/register-<name>.ts) that declares its options and lazily imports its implementation.
 */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { registerBuild } from './register-build.js';
import { registerCapture } from './register-capture.js';
import { registerExplain } from './register-explain.js';
import { registerLddDiff } from './register-ldd-diff.js';
import { registerParse } from './register-parse.js';
import { registerScript } from './register-script.js';
import { registerVerify } from './register-verify.js';
import { registerDiff } from './register-diff.js';
import { registerCheck } from './register-check.js';
import { registerExport } from './register-export.js';
import { registerTree } from './register-tree.js';
import { registerCompletion } from './register-completion.js';

export type Register = (program: Command, out: Output) => void;

export const REGISTRY: readonly Register[] = [
  registerParse,
  registerTree,
  registerCapture,
  registerBuild,
  registerScript,
  registerVerify,
  registerDiff,
  registerCheck,
  registerExport,
  registerExplain,
  registerLddDiff,
  registerCompletion,
];
