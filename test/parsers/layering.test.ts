/** parsers/ takes bytes and returns records: it imports nothing from src/ (docs/design.md, Parse). */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const DIR = path.resolve(import.meta.dirname, '../../parsers');

test.each(fs.readdirSync(DIR).filter((f) => f.endsWith('.ts')))('parsers/%s imports nothing from src/', (f) => {
  const imports = [...fs.readFileSync(path.join(DIR, f), 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  expect(imports.filter((i) => !i.startsWith('./') && !i.startsWith('node:'))).toEqual([]);
});
