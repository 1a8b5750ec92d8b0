/**
 * "Only src/jail/ writes into or beside a jail", as scripts/lint-fs-writes.mjs checks it (npm run lint): a write API
 * imported outside src/jail/ and the documented exceptions is named with FILE:LINE; reads, type-only imports and the
 * writer itself pass. Each tree is a small one of the test's own; the last case is the checkout.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LINT = path.join(ROOT, 'scripts/lint-fs-writes.mjs');

async function lint(files: Record<string, string>): Promise<{ exitCode: number | undefined; stderr: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jailtrace-lint-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), text);
    }
    const r = await execa(process.execPath, [LINT, dir], { reject: false });
    return { exitCode: r.exitCode, stderr: r.stderr };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('only src/jail/ imports node:fs write APIs', () => {
  test.each([
    ['a named import', "import { mkdir, stat } from 'node:fs/promises';\n", 'src/app/x.ts:1: imports the node:fs write API mkdir'],
    ['a sync one from node:fs', "import { readFileSync, rmdirSync } from 'node:fs';\n", 'src/app/x.ts:1: imports the node:fs write API rmdirSync'],
    ['a renamed one', "import { rename as mv } from 'fs/promises';\n", 'src/app/x.ts:1: imports the node:fs write API rename'],
    [
      'a call through the default import',
      "import fs from 'node:fs/promises';\nawait fs.stat('/');\nawait fs.unlink('/x');\n",
      'src/app/x.ts:3: imports the node:fs write API unlink',
    ],
    [
      'a call through fs.promises',
      "import * as fs from 'node:fs';\nawait fs.promises.writeFile('/x', '');\n",
      'src/app/x.ts:2: imports the node:fs write API writeFile',
    ],
  ])('refused: %s', async (_name, text, message) => {
    const r = await lint({ 'src/app/x.ts': text });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(message);
  });

  test.each([
    ['reads only', 'src/app/x.ts', "import { lstat, readFile } from 'node:fs/promises';\nimport fs from 'node:fs';\nfs.statSync('/');\n"],
    ['a type-only import', 'src/app/x.ts', "import type { mkdir } from 'node:fs/promises';\n"],
    ['the writer itself', 'src/jail/x.ts', "import { mkdir, rename } from 'node:fs/promises';\n"],
    ["the admin's output files", 'src/output-file.ts', "import { mkdir } from 'node:fs/promises';\n"],
    ['the benchmarks', 'bench/x.ts', "import { rm } from 'node:fs/promises';\n"],
  ])('accepted: %s', async (_name, file, text) => {
    const r = await lint({ [file]: text });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('the checkout', () => {
  let r: { exitCode: number | undefined; stderr: string };
  beforeAll(async () => {
    const x = await execa(process.execPath, [LINT], { reject: false, cwd: ROOT });
    r = { exitCode: x.exitCode, stderr: x.stderr };
  });
  afterAll(() => undefined);
  test('holds the rule: every write is in src/jail/ or a documented exception', () => {
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});
