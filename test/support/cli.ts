/** Where the checkout and the built CLI are (dist/: `npx tsc -p .` first): CLI tests run what a user runs. */
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/src/cli.js');
