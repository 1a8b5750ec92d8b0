/**
 * How jailtrace's writes look on disk, shared by the writer (apply, links), the plan and the reader (check): the
 * temp-file prefix every write renames from, and Linux device numbers in glibc's encoding (`makedev`,
 * `gnu_dev_major`/`gnu_dev_minor` in sys/sysmacros.h), to compare a planned node with `Stats.rdev`.
 */
import { randomBytes } from 'node:crypto';

/** A name a write makes beside its target and renames over it; a run killed mid-write leaves one, the next sweeps it. */
export const TEMP_PREFIX = '.jailtrace-tmp-';

/** A fresh temp name for one write. */
export const tempName = (): string => `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`;

/**
 * Linux makedev (glibc encoding), to compare with Stats.rdev. In BigInt: the high bits of the major sit above bit 32
 * and a large minor's above bit 20, where a JS `|` or `<<` would cut them to 32 bits.
 */
export function makedev(major: number, minor: number): number {
  const M = BigInt(major);
  const m = BigInt(minor);
  return Number(((M & 0xfffn) << 8n) | ((M & 0xfffff000n) << 32n) | (m & 0xffn) | ((m & 0xffffff00n) << 12n));
}

/** Linux dev_t → major/minor (glibc's gnu_dev_major/minor). */
export const devMajor = (rdev: number): number => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & 0xfffff000n));
export const devMinor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xffffff00n));
