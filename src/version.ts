/** The package version, from the nearest package.json above this module (works from dist/ and from src/). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = path.join(dir, 'package.json');
    if (existsSync(p)) return p;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('jailtrace: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const VERSION: string = (JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string }).version;
