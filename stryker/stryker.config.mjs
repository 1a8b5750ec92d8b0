// @ts-check
/**
 * Stryker (mutation testing) for one area at a time; run it as `npm run mutate -- <area>` (scripts/mutate.mjs sets
 * MUTATE_AREA). Not part of CI: a run takes minutes to an hour. Two cores are shared on the build machine, so one
 * test runner at a time, and coverageAnalysis perTest so each mutant runs only the tests that reach it.
 */
import { AREAS } from './areas.mjs';

const name = process.env.MUTATE_AREA ?? '';
const area = AREAS[/** @type {keyof typeof AREAS} */ (name)];
if (!area) throw new Error(`MUTATE_AREA=${name}: pick one of ${Object.keys(AREAS).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: area.vitest, related: false },
  mutate: area.mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  // MUTATE_REPORT / MUTATE_TMP: a second run of the same area at once (e.g. `--mutate src/jail/apply.ts` beside confine.ts)
  jsonReporter: { fileName: `reports/mutation/${process.env.MUTATE_REPORT ?? name}.json` },
  tempDirName: process.env.MUTATE_TMP ?? '.stryker-tmp',
  cleanTempDir: 'always',
  // anchored: traces/**/*.strace are the fixtures; only stray captures at the top are left out (as in .gitignore)
  ignorePatterns: ['/dist', '/reports', '/.stryker-tmp*', '/.bench-cache', '/*.strace', '/*.strace.meta.json'],
  thresholds: { high: 85, low: 75, break: null },
};
