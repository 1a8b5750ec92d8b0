import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach anything in src/jail/ (the renderers and sh confinement too).
export default defineConfig({
  test: {
    ...base,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/jail/*.test.ts', 'test/security/script-stage.test.ts'],
  },
});
