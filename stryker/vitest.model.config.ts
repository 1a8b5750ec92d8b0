import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests that reach src/model/.
export default defineConfig({
  test: { ...base, root: fileURLToPath(new URL('..', import.meta.url)), include: ['test/model/*.test.ts', 'test/linux-captures.test.ts', 'test/tree/*.test.ts', 'test/rsshside/chain-model.test.ts'] },
});
