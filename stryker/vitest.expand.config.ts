import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach src/expand/classify.ts and src/expand/expand.ts.
export default defineConfig({
  test: {
    ...base,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: [
      'test/build/classify*.test.ts',
      'test/build/expand-*.test.ts',
      'test/security/record-judge.test.ts',
      'test/verify/rounds.test.ts',
      'test/interop/interop.test.ts',
    ],
  },
});
