/**
 * The shared corpus (../shared/traces, published tracer output with hand-checked path lists): every sample must be
 * auto-detected as its folder's dialect, and every path its `.source.md` lists as successfully touched / failed must
 * appear among the parsed events' paths (path, path2, resolvepath target, AF_UNIX sun_path) with that status, at the
 * listed line. Skips visibly when the corpus is absent (a user's clone does not have it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectDialect } from '../../parsers/detect.js';
import { headLines, parseText } from '../../parsers/feed.js';
import type { DialectName, SyscallEvent } from '../../parsers/types.js';
import { eventPaths, tableFor } from './helpers.js';
import { readSourceMd, type Expectation } from './source-md.js';

// JAILTRACE_SHARED_TRACES: set by `npm run mutate`, whose sandbox copy of the checkout has no ../shared beside it
const ROOT = process.env.JAILTRACE_SHARED_TRACES ?? path.resolve(import.meta.dirname, '../../../shared/traces');
const exists = fs.existsSync(ROOT);

const FOLDER_DIALECT: Record<string, DialectName> = {
  solaris: 'truss-solaris',
  aix: 'truss-aix',
  freebsd: 'truss-freebsd',
  macos: 'dtruss',
  kdump: 'kdump',
};

function samples(): { folder: string; file: string; md: string }[] {
  if (!exists) return [];
  const out: { folder: string; file: string; md: string }[] = [];
  for (const folder of Object.keys(FOLDER_DIALECT)) {
    const dir = path.join(ROOT, folder);
    if (!fs.existsSync(dir)) continue;
    for (const md of fs.readdirSync(dir).filter((f) => f.endsWith('.source.md'))) {
      const base = md.slice(0, -'.source.md'.length);
      const file = fs.readdirSync(dir).find((f) => f.startsWith(base + '.') && !f.endsWith('.md'));
      if (file) out.push({ folder, file: path.join(dir, file), md: path.join(dir, md) });
    }
  }
  return out;
}

describe('readSourceMd', () => {
  test('the list shape', () => {
    const md = [
      '### Successfully touched',
      '- **open**:',
      '  - `/var/run/ld-elf.so.hints` (line 4)',
      '- **resolved**:',
      '  - `/lib/ld.so.1` (line 9)',
      '',
      '### Failed (ENOENT and the like)',
      '  - `/etc/libmap.conf` - open, No such file or directory (line 3)',
      '  - (none)',
    ].join('\n');
    expect(readSourceMd(md)).toEqual({
      ok: [
        { path: '/var/run/ld-elf.so.hints', kind: 'open', line: 4 },
        { path: '/lib/ld.so.1', kind: 'resolved', line: 9 },
      ],
      failed: [{ path: '/etc/libmap.conf', kind: 'open', line: 3 }],
    });
  });
  test('the free-form shape', () => {
    const md = '## Expected\n\nok: exec /usr/bin/ls (several runs); stat /lib/libsec.so.1\nfailed: none';
    expect(readSourceMd(md)).toEqual({ ok: [{ path: '/usr/bin/ls' }, { path: '/lib/libsec.so.1' }], failed: [] });
  });
});

describe.skipIf(!exists)(`shared corpus (${exists ? ROOT : 'skipped: ../shared/traces is absent'})`, () => {
  test.each(samples().map((s) => ({ ...s, name: path.basename(s.file) })))('$name', ({ folder, file, md }) => {
    const bytes = fs.readFileSync(file);
    const detected = detectDialect(headLines(bytes, 100));
    expect(detected?.dialect.name).toBe(FOLDER_DIALECT[folder]);
    const dialect = detected!.dialect;
    const table = tableFor(dialect.name);
    const calls = parseText(dialect, bytes).filter((e): e is SyscallEvent => e.kind === 'syscall');
    const seen = calls.map((ev) => ({ ev, paths: Object.values(eventPaths(ev, table)) }));
    const { ok, failed } = readSourceMd(fs.readFileSync(md, 'utf8'));
    const missing = (list: Expectation[], wantOk: boolean): string[] =>
      list
        .filter((x) => !seen.some(({ ev, paths }) => ev.ok === wantOk && paths.includes(x.path) && (x.line === undefined || ev.line === x.line)))
        .map((x) => `${x.path} (line ${x.line ?? '?'}, ${x.kind ?? ''})`);
    expect(missing(ok, true)).toEqual([]);
    expect(missing(failed, false)).toEqual([]);
  });
});
