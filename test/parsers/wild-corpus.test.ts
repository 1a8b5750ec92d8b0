/**
 * The corpus of published traces (traces/wild/<dialect>/, issue 12): real tracer output from public repositories and
 * bug reports, each with a `.source.md` (where it came from) and a `.expected` (checked by hand). For every sample:
 * detected as its folder's dialect (and not too close to another to call), parsed without a crash, the hand-checked
 * paths found with their status at their line, and, through the whole pipeline, exactly the expected warnings (none,
 * or the lines that are really broken or lost) — or, for a `-c` table alone, the summary refusal.
 *
 * traces/wild/held-out/ holds samples kept apart while the parsers were fixed; their `.expected` records what the
 * fixed parsers made of them, measured once afterwards (see their README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectDialect } from '../../parsers/detect.js';
import { headLines, parseText } from '../../parsers/feed.js';
import type { DialectName, SyscallEvent } from '../../parsers/types.js';
import { parseTraces } from '../../src/trace.js';
import { eventPaths, tableFor } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../../traces/wild');

interface Expected {
  dialect: DialectName | 'none';
  ok: { path: string; line: number }[];
  failed: { path: string; line: number }[];
  warnings: number[];
  summary?: number;
}

/** `dialect D` / `ok PATH LINE` / `failed PATH LINE` / `warning LINE` / `summary LINE`; `#` starts a comment. */
function readExpected(text: string): Expected {
  const e: Expected = { dialect: 'none', ok: [], failed: [], warnings: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [word, ...rest] = line.split(' ');
    const last = Number(rest.at(-1));
    if (word === 'dialect') e.dialect = rest[0] as Expected['dialect'];
    else if (word === 'ok' || word === 'failed') e[word].push({ path: rest.slice(0, -1).join(' '), line: last });
    else if (word === 'warning') e.warnings.push(last);
    else if (word === 'summary') e.summary = last;
    else throw new Error(`unknown .expected line: ${raw}`);
  }
  return e;
}

function samples(dir: string): { name: string; file: string; expected: Expected }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.expected'))
    .sort()
    .flatMap((f) => {
      const base = f.slice(0, -'.expected'.length);
      const trace = fs.readdirSync(path.join(dir, path.dirname(f))).find((x) => x.startsWith(path.basename(base) + '.') && !/\.(md|expected)$/.test(x));
      return trace ? [{ name: base, file: path.join(dir, path.dirname(f), trace), expected: readExpected(fs.readFileSync(path.join(dir, f), 'utf8')) }] : [];
    });
}

async function check({ file, expected }: { file: string; expected: Expected }): Promise<void> {
  const bytes = fs.readFileSync(file);
  const found = detectDialect(headLines(bytes, 200));
  expect(found?.dialect.name ?? 'none').toBe(expected.dialect);
  if (!found) return;
  expect(found.close).toBeUndefined();
  const table = tableFor(found.dialect.name);
  const calls = parseText(found.dialect, bytes).filter((e): e is SyscallEvent => e.kind === 'syscall');
  const seen = calls.map((ev) => ({ ev, paths: Object.values(eventPaths(ev, table)) }));
  const missing = (list: Expected['ok'], ok: boolean): string[] =>
    list.filter((x) => !seen.some(({ ev, paths }) => ev.ok === ok && ev.line === x.line && paths.includes(x.path))).map((x) => `${x.path} (line ${x.line})`);
  expect(missing(expected.ok, true)).toEqual([]);
  expect(missing(expected.failed, false)).toEqual([]);
  const run = parseTraces([file], { cwd: '/' });
  if (expected.summary !== undefined) {
    await expect(run).rejects.toThrow(/a -c summary names no files/);
    return;
  }
  const manifest = await run;
  expect(manifest.warnings.map((w) => w.line)).toEqual(expected.warnings);
}

const corpus = samples(ROOT).filter((s) => !s.name.startsWith('held-out'));

describe('the corpus of published traces', () => {
  test('has 40 samples or more, across every dialect', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((s) => s.expected.dialect))).toEqual(new Set(['strace', 'truss-solaris', 'truss-aix', 'truss-freebsd', 'dtruss', 'kdump']));
  });
  test.each(corpus)('$name', check);
});

describe('the held-out samples (measured once, after the fixes)', () => {
  test.each(samples(path.join(ROOT, 'held-out')))('$name', check);
});

describe('readExpected', () => {
  test('every line kind', () => {
    expect(readExpected('# c\ndialect kdump\nok /a b 3\nfailed /c 4\nwarning 7\nsummary 1\n')).toEqual({
      dialect: 'kdump',
      ok: [{ path: '/a b', line: 3 }],
      failed: [{ path: '/c', line: 4 }],
      warnings: [7],
      summary: 1,
    });
  });
});
