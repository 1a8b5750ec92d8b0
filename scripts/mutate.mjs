#!/usr/bin/env node
/**
 * npm run mutate -- <area> [more stryker flags]: mutation testing of one area (stryker/areas.mjs lists them).
 * Not part of CI. MUTATE_CONCURRENCY=2 to use two test runners (default 1: the build machine's cores are shared).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { AREAS } from '../stryker/areas.mjs';

const [area, ...rest] = process.argv.slice(2);
if (!area || !(area in AREAS)) {
  process.stderr.write(`usage: npm run mutate -- <area>\nareas: ${Object.keys(AREAS).join(', ')}\n`);
  process.exit(2);
}
try {
  execFileSync('npx', ['stryker', 'run', 'stryker/stryker.config.mjs', ...rest], {
    stdio: 'inherit',
    // Stryker runs the tests in a copy under .stryker-tmp/: tell them where the shared corpus (../shared) really is
    env: { JAILTRACE_SHARED_TRACES: path.resolve('../shared/traces'), ...process.env, MUTATE_AREA: area },
  });
} catch (e) {
  process.exit(typeof e.status === 'number' ? e.status : 1);
}
