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

/** Linux makedev (glibc encoding), to compare with Stats.rdev. */
export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12) | (Math.floor(major / 0x1000) * 2 ** 32);
}

/** Linux dev_t → major/minor (glibc's gnu_dev_major/minor). */
export const devMajor = (rdev: number): number => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
export const devMinor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
