/** The platform registry: the merged, frozen syscall table per platform, and each platform's facts. */
import { buildTable, COMMON, type Platform, type SyscallTable } from '../syscalls.js';
import { aix } from './aix.js';
import { freebsd } from './freebsd.js';
import { linux } from './linux.js';
import { macos } from './macos.js';
import { solaris } from './solaris.js';
import type { DialectName } from '../../parsers/types.js';
import type { PlatformInfo } from './types.js';

const REGISTRY: Readonly<Record<Platform, PlatformInfo>> = Object.freeze({ linux, solaris, aix, freebsd, macos });

export function platformInfo(name: Platform): PlatformInfo {
  const info = REGISTRY[name];
  if (!info) throw new Error(`no platform data for ${name}`);
  return info;
}

/** Which platform a dialect's traces come from (each platform's `dialects` row). */
export const DIALECT_PLATFORM: Readonly<Record<DialectName, Platform>> = Object.freeze(
  Object.fromEntries(Object.values(REGISTRY).flatMap((p) => p.dialects.map((d) => [d, p.name]))) as Record<DialectName, Platform>,
);

const tables = new Map<Platform, SyscallTable>();

/** COMMON overlaid with the platform's rows, built once and frozen. */
export function syscallTable(name: Platform): SyscallTable {
  let t = tables.get(name);
  if (!t) {
    t = buildTable(COMMON, platformInfo(name).syscalls);
    tables.set(name, t);
  }
  return t;
}
