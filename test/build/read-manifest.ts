/** A manifest in which each path was read once, successfully: input for the Expander in expansion tests. */
import type { Manifest } from '../../src/manifest/manifest.js';

export const readManifest = (paths: string[]): Manifest => ({
  schema: 'jailtrace.manifest/1',
  source: { files: ['t'], format: 'strace', detected: false, platform: 'linux', cwd: '/', lines: 1, bytes: 1 },
  entries: paths.map((p) => ({ path: p, accesses: [{ op: 'read', ok: true, pid: 1, line: 1, syscall: 'openat' }] })),
  processes: [],
  warnings: [],
  warningCount: 0,
});
