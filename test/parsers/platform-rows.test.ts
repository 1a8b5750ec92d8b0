/** The platform rows the dialect parsers and their fixtures rely on (argument positions that differ from Linux). */
import { describe, expect, test } from 'vitest';
import { aix } from '../../src/platforms/aix.js';
import { freebsd } from '../../src/platforms/freebsd.js';
import { macos } from '../../src/platforms/macos.js';
import { solaris } from '../../src/platforms/solaris.js';
import { COMMON, buildTable } from '../../src/syscalls.js';
import type { PlatformInfo } from '../../src/platforms/types.js';

const BY_NAME: Record<string, PlatformInfo> = { solaris, aix, freebsd, macos };

describe.each(Object.keys(BY_NAME))('%s', (os) => {
  const p = BY_NAME[os];
  test('merges onto the common table (every alias target exists)', () => {
    expect(() => buildTable(COMMON, p.syscalls)).not.toThrow();
  });
  test('lists its wordexp shells and syslog advice', () => {
    expect(p.wordexpShells.length).toBeGreaterThan(0);
    expect(p.syslog.length).toBeGreaterThan(0);
  });
});

test.each([
  ['solaris', 'xstat', { family: 'path', op: 'stat', path: 1 }],
  ['solaris', 'resolvepath', { family: 'readlink', path: 0, target: 1 }],
  ['solaris', 'fork1', { family: 'fork' }],
  ['aix', 'statx', { family: 'path', op: 'stat', path: 0 }],
  ['aix', 'kopen', { family: 'open', op: 'byFlags', path: 0, flags: 1 }],
  ['aix', 'kload', { family: 'path', op: 'read', path: 0 }],
  ['aix', 'kfcntl', { family: 'fcntl', fd: 0, cmd: 1 }],
  ['freebsd', 'fstatat', { dirfd: 0, path: 1 }],
  ['freebsd', '__realpathat', { family: 'readlink', dirfd: 0, path: 1, target: 2 }],
  ['freebsd', 'getdirentries', { family: 'fdop', op: 'list', fd: 0 }],
  ['macos', 'open_nocancel', { family: 'open', path: 0, flags: 1 }],
  ['macos', 'posix_spawn', { family: 'spawn', op: 'exec', path: 1 }],
])('%s %s', (os, name, want) => {
  const row = buildTable(COMMON, BY_NAME[os].syscalls).get(name);
  expect(row).toMatchObject(want);
});

test('AIX statx replaces the Linux row (no dirfd, no flags)', () => {
  expect(buildTable(COMMON, aix.syscalls).get('statx')).toEqual({ name: 'statx', family: 'path', op: 'stat', path: 0 });
});

test('the loaders', () => {
  expect(solaris.loaders).toEqual(['/lib/ld.so.1', '/usr/lib/ld.so.1']);
  expect(freebsd.loaders).toEqual(['/libexec/ld-elf.so.1']);
  expect(macos.loaders).toEqual(['/usr/lib/dyld']);
  expect(aix.loaders).toEqual([]);
});
