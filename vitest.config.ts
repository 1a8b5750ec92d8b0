import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Root tests build jails and run real sftp/scp sessions: keep files serial to stay inside 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
