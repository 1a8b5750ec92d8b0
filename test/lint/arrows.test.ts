/**
 * The import arrows of docs/design.md, as .dependency-cruiser.cjs states them (npm run lint): each rule refuses its
 * arrow in a small tree of the test's own, and the same tree without that arrow passes.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
  include: ['src/**/*.ts', 'parsers/**/*.ts'],
});

/** A tree where the CLI uses a use case that uses a stage, plus `extra` files; depcruise's exit code and report. */
async function cruise(extra: Record<string, string>): Promise<{ exitCode: number | undefined; out: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jailtrace-arrows-'));
  const files: Record<string, string> = {
    'tsconfig.json': TSCONFIG,
    'src/cli.ts': "import { run } from './cli/run.js';\nrun();\n",
    'src/cli/run.ts': "import { useCase } from '../app/use-case.js';\nexport const run = (): number => useCase();\n",
    'src/app/use-case.ts': "import { stage } from '../stage/stage.js';\nexport const useCase = (): number => stage();\n",
    'src/stage/stage.ts': "import { leaf } from '../../parsers/leaf.js';\nexport const stage = (): number => leaf();\n",
    'parsers/leaf.ts': 'export const leaf = (): number => 1;\n',
    ...extra,
  };
  try {
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), text);
    }
    const r = await execa(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', 'src', 'parsers'], { cwd: dir, reject: false, all: true });
    return { exitCode: r.exitCode, out: r.all ?? '' };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('the arrows (.dependency-cruiser.cjs)', () => {
  test('the tree as designed passes', async () => {
    const r = await cruise({});
    expect(r.out).not.toContain('error');
    expect(r.exitCode).toBe(0);
  });

  test.each([
    [
      'a stage importing the CLI',
      { 'src/stage/stage.ts': "import type { run } from '../cli/run.js';\nexport const stage = (): number => 1;\nexport type R = typeof run;\n" },
      'nothing-below-the-cli-imports-it',
    ],
    [
      'a use case importing the CLI',
      { 'src/app/use-case.ts': "import { run } from '../cli/run.js';\nexport const useCase = (): number => 1;\nexport const r = run;\n" },
      'nothing-below-the-cli-imports-it',
    ],
    [
      'a stage importing a use case',
      { 'src/stage/stage.ts': "import { useCase } from '../app/use-case.js';\nexport const stage = (): number => 1;\nexport const u = useCase;\n" },
      'use-cases-below-the-cli-only',
    ],
    [
      'a parser importing src/',
      { 'parsers/leaf.ts': "import { stage } from '../src/stage/stage.js';\nexport const leaf = (): number => 1;\nexport const s = stage;\n" },
      'parsers-are-a-leaf',
    ],
    [
      'a cycle',
      {
        'src/stage/other.ts': "import { stage } from './stage.js';\nexport const other = (): number => stage();\n",
        'src/stage/stage.ts': "import { other } from './other.js';\nexport const stage = (): number => 1;\nexport const o = other;\n",
      },
      'no-cycles',
    ],
    ['a module nothing imports and that imports nothing', { 'src/stage/dead.ts': 'export const dead = 1;\n' }, 'no-orphans'],
  ])('refused: %s', async (_name, extra, rule) => {
    const r = await cruise(extra);
    expect(r.out).toContain(`error ${rule}:`);
    expect(r.exitCode).not.toBe(0);
  });
});
