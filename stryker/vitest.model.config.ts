import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.base.js';

// In-process tests of src/model/ (test/linux-captures.test.ts reaches it too, but parses whole traces per mutant: too slow here).
export default defineConfig({
  test: { ...base, root: fileURLToPath(new URL('..', import.meta.url)), include: ['test/model/*.test.ts'] },
});
