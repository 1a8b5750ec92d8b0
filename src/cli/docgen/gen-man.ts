/**
 * Build step: write docs/jailtrace.1 and docs/exit-codes.md from the command definitions.
 *   node dist/src/cli/docgen/gen-man.js [OUT_DIR]     (OUT_DIR defaults to docs/ beside package.json)
 * The test regenerates into a temporary directory and compares with the committed files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentOutput } from '../output.js';
import { makeProgram } from '../program.js';
import { VERSION } from '../../version.js';
import { renderExitCodesMd } from './exit-codes.js';
import { renderMan } from './man.js';

/** Generated file name → content. `cwd` is what option defaults call "the current directory". */
export function generateDocs(cwd = process.cwd()): Record<string, string> {
  return {
    'jailtrace.1': renderMan(makeProgram(silentOutput()), { version: VERSION, cwd }),
    'exit-codes.md': renderExitCodesMd(),
  };
}

const PACKAGE_DOCS = fileURLToPath(new URL('../../../../docs/', import.meta.url));

async function run(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(generateDocs())) await writeFile(path.join(outDir, name), text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run(process.argv[2] ?? PACKAGE_DOCS);
}
