/**
 * `--wait SECONDS` for every command that locks a jail (src/jail/lock.ts): writers (build, sync, verify --fix) take the
 * jail's lock exclusively, check and verify share it. By default a busy jail fails at once (exit 6, naming the holder).
 */
import { InvalidArgumentError, Option } from 'commander';
import { describeHolder, type LockMode } from '../jail/lock-holder.js';
import type { LockOptions } from '../jail/lock.js';
import type { Output } from './output.js';

const WAIT_HELP = "if another jailtrace run holds the jail's lock, wait up to SECONDS for it (default 0: fail at once with exit 6, naming the holder)";

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError('a number of seconds, 0 or more');
  return n;
}

/** A fresh option for one command (commander options cannot be shared between commands). */
export const waitOption = (): Option => new Option('--wait <seconds>', WAIT_HELP).argParser(parseSeconds).default(0);

/** The parsed option as the lock takes it; a wait is said on stderr (unless -q) with who holds the jail. */
export const lockOptions = (o: { wait?: number }, out: Output, mode: LockMode, jail: string): LockOptions => ({
  mode,
  waitSeconds: o.wait ?? 0,
  onWait: (h) => out.note(`${jail} is locked by ${describeHolder(h)}: waiting up to ${o.wait} s`),
});
