/** Platform facts live in src/platforms/ only, and the registry is fixed: one row per platform, nothing registers later. */
import { expect, test } from 'vitest';
import { DIALECTS } from '../../parsers/index.js';
import * as registry from '../../src/platforms/index.js';
import { DIALECT_PLATFORM, platformInfo } from '../../src/platforms/index.js';
import { planHostNeeds } from '../../src/script/host-needs.js';
import { PLATFORMS } from '../../src/syscalls.js';

test("every dialect comes from exactly one platform, named in that platform's row", () => {
  expect(Object.keys(DIALECT_PLATFORM).sort()).toEqual(DIALECTS.map((d) => d.name).sort());
  for (const [dialect, platform] of Object.entries(DIALECT_PLATFORM)) expect(platformInfo(platform).dialects).toContain(dialect);
  expect(DIALECT_PLATFORM).toMatchObject({
    strace: 'linux',
    'truss-solaris': 'solaris',
    'truss-aix': 'aix',
    'truss-freebsd': 'freebsd',
    kdump: 'freebsd',
    dtruss: 'macos',
  });
});

test('the registry is frozen: no registerPlatform, and the dialect map cannot change', () => {
  expect(Object.keys(registry)).not.toContain('registerPlatform');
  expect(Object.isFrozen(DIALECT_PLATFORM)).toBe(true);
});

test.each([...PLATFORMS])("%s: the sh script's row (PATH, library listers)", (p) => {
  const sh = platformInfo(p).sh;
  expect(sh.path.split(':').every((d) => d.startsWith('/'))).toBe(true);
  expect(sh.listers.length).toBeGreaterThan(0);
});

test.each([...PLATFORMS])('%s: the host script fetches its loader configuration and generates its account databases (rows, not branches)', (p) => {
  const info = platformInfo(p);
  const trace = [...info.sh.accountDbs].map((path) => ({ path, ops: ['open' as const], ok: true }));
  const m = {
    schema: 'jailtrace.manifest/1',
    source: { files: ['t'], format: info.dialects[0], detected: false, platform: p, cwd: '/', lines: 1, bytes: 1 },
    entries: trace.map((e) => ({ path: e.path, accesses: [{ op: 'read', ok: true, pid: 1, syscall: 'open', line: 1 }] })),
    processes: [],
    warnings: [],
  };
  const n = planHostNeeds({ manifests: [m as never], platform: info, jail: '/j', users: [] });
  for (const c of info.loaderConfig) expect(n.needs).toContainEqual(expect.objectContaining({ path: c, kind: 'want' }));
  for (const db of info.sh.accountDbs) expect(n.leftOut).toContainEqual({ path: db, why: 'generated: root and the jail users only' });
  expect(n.accounts).toBe(info.sh.accountDbs.length > 0);
});
