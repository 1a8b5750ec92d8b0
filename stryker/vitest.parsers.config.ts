import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach parsers/strace.ts.
export default defineConfig({
  test: {
    ...base,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/parsers/*.test.ts', 'test/source/lines.test.ts', 'test/model/*.test.ts'],
  },
});
