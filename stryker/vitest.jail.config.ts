import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach src/jail/confine.ts and apply.ts (most need root: they apply plans into scratch jails).
// script.test.ts is left to jail-all: it runs dash over rendered scripts (15 s) and reaches apply only to compare.
export default defineConfig({
  test: {
    ...base,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/jail/*.test.ts'],
    exclude: ['test/jail/script.test.ts'],
  },
});
