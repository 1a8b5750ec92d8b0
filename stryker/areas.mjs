/**
 * The areas `npm run mutate -- <area>` measures: which source files Stryker mutates, and which in-process tests
 * (a vitest config in this folder) judge them. CLI tests are left out on purpose: they run dist/, not the mutant.
 */
export const AREAS = {
  parsers: { mutate: ['parsers/strace.ts'], vitest: 'stryker/vitest.parsers.config.ts' },
  model: { mutate: ['src/model/**/*.ts'], vitest: 'stryker/vitest.model.config.ts' },
  jail: { mutate: ['src/jail/confine.ts', 'src/jail/apply.ts'], vitest: 'stryker/vitest.jail.config.ts' },
  'jail-all': { mutate: ['src/jail/**/*.ts'], vitest: 'stryker/vitest.jail-all.config.ts' },
  expand: { mutate: ['src/expand/classify.ts', 'src/expand/expand.ts'], vitest: 'stryker/vitest.expand.config.ts' },
};
