import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach src/jail/ (most need root: they apply plans into scratch jails).
export default defineConfig({
  test: {
    ...base,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/jail/*.test.ts', 'test/security/script-stage.test.ts'],
  },
});
