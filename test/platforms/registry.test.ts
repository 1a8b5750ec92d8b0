/** Platform facts live in src/platforms/ only, and the registry is fixed: one row per platform, nothing registers later. */
import { expect, test } from 'vitest';
import { DIALECTS } from '../../parsers/index.js';
import * as registry from '../../src/platforms/index.js';
import { DIALECT_PLATFORM, platformInfo } from '../../src/platforms/index.js';
import { PLATFORMS } from '../../src/syscalls.js';

test('every dialect comes from exactly one platform, named in that platform\'s row', () => {
  expect(Object.keys(DIALECT_PLATFORM).sort()).toEqual(DIALECTS.map((d) => d.name).sort());
  for (const [dialect, platform] of Object.entries(DIALECT_PLATFORM)) expect(platformInfo(platform).dialects).toContain(dialect);
  expect(DIALECT_PLATFORM).toMatchObject({ strace: 'linux', 'truss-solaris': 'solaris', 'truss-aix': 'aix', 'truss-freebsd': 'freebsd', kdump: 'freebsd', dtruss: 'macos' });
});

test('the registry is frozen: no registerPlatform, and the dialect map cannot change', () => {
  expect(Object.keys(registry)).not.toContain('registerPlatform');
  expect(Object.isFrozen(DIALECT_PLATFORM)).toBe(true);
});

test.each([...PLATFORMS])('%s: the sh script\'s row (PATH, library listers)', (p) => {
  const sh = platformInfo(p).sh;
  expect(sh.path.split(':').every((d) => d.startsWith('/'))).toBe(true);
  expect(sh.listers.length).toBeGreaterThan(0);
});
