/**
 * Vitest settings shared by the mutation-testing configs (stryker/vitest.<area>.config.ts).
 * Only tests that import the source run here: a CLI test runs dist/, which Stryker does not mutate, so it could only
 * report a mutant as "survived" while costing seconds per run.
 */
export const base = {
  testTimeout: 120_000,
  hookTimeout: 300_000,
  fileParallelism: false,
  maxWorkers: 1,
};
