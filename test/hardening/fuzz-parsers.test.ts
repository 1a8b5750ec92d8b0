/**
 * Issue 7, part 4: bad traces, property-based, over EVERY dialect of parsers/index.ts.
 *
 * 1. The parser alone (parseText): random bytes, and real capture lines of that dialect (traces/<os>/*) mutated —
 *    truncated, duplicated, bytes flipped, quotes unbalanced, numbers made huge, NULs and CRs inserted — never throw,
 *    and every event carries a line number within the input.
 *
 * 2. The whole pipeline (parseTraces on a temp file, dialect forced): it resolves with a manifest or rejects with a
 *    JailtraceError (a usage/trace error with a message), never anything else; and no manifest path is invented:
 *    - every path is absolute and normalized (no `.`/`..`/empty component, no NUL byte);
 *    - its final component is "derivable from the input": a byte substring of the input as written, or of the input
 *      with escapes decoded (C escapes, vis(3)), or of one quoted string decoded on its own, or a component of the
 *      --cwd we gave. Why this and not "the path is in the input": relative paths are joined to a cwd, `..` is
 *      normalized away and fds carry directories between lines, so whole paths legitimately differ; but a name the
 *      model ends up with can only come from bytes the trace (or the caller) supplied. A parser that reads at a wrong
 *      offset, glues two arguments, or prints `undefined`/`NaN` into a path breaks it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { parseText } from '../../parsers/feed.js';
import { DIALECTS } from '../../parsers/index.js';
import { decodeC, decodeString, decodeVis, skipString } from '../../parsers/strings.js';
import type { Dialect, DialectName } from '../../parsers/types.js';
import { JailtraceError } from '../../src/errors.js';
import { entryBytes } from '../../src/manifest/manifest.js';
import { parseTraces } from '../../src/trace.js';
import { ROOT } from './helpers.js';

const CORPUS: Record<DialectName, string[]> = {
  strace: ['traces/linux/sftp-server/f.strace', 'traces/linux/scp-upload/f-tt-T-y.strace', 'traces/linux/probe/f-yy.strace', 'traces/linux/probe/f-xx.strace'],
  'truss-solaris': ['traces/solaris/rssh-chroot-f.truss', 'traces/solaris/sftp-lwp-raw-d.truss'],
  'truss-aix': ['traces/aix/rssh-chroot-fl.truss'],
  'truss-freebsd': ['traces/freebsd/rssh-chroot-fd.truss'],
  dtruss: ['traces/macos/rssh-chroot-f.dtruss'],
  kdump: ['traces/kdump/rssh-chroot.kdump'],
  'dtrace-freebsd': ['traces/dtrace-freebsd/sftp-session.dtrace'],
  'dtrace-macos': ['traces/dtrace-macos/sftp-deny.dtrace'],
};

/** Real lines of one dialect (latin1: one char per byte), without blank ones. */
const linesOf = (d: DialectName): string[] =>
  CORPUS[d].flatMap((f) => fs.readFileSync(path.join(ROOT, f)).toString('latin1').split('\n')).filter((l) => l.trim() !== '');

const RUNS = { bytes: 300, mutated: 600, pipeline: 250 };
let cases = 0;
let manifests = 0;
let pathsChecked = 0;
const CWD = '/fuzz-cwd/sub dir';

/** One mutation of one line. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('quote' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('unquote' as const) }),
  fc.record({
    kind: fc.constant('huge' as const),
    n: fc.constantFrom('99999999999999999999999999', '-18446744073709551617', '0x7fffffffffffffffffff', '1e400', '4294967296'),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('\0', '\r', '"', '\\', '..', '/../../', '<unfinished ...>', ' = -1 ENOENT', '/proc/self/root/etc/shadow', '\xff\xfe'),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(line: string, m: Mutation): string[] {
  const at = (n: number) => (line.length === 0 ? 0 : n % (line.length + 1));
  switch (m.kind) {
    case 'truncate':
      return [line.slice(0, at(m.at))];
    case 'duplicate':
      return [line, line];
    case 'flip': {
      const i = at(m.at);
      return [line.slice(0, i) + String.fromCharCode(m.byte) + line.slice(i + 1)];
    }
    case 'quote': {
      const i = at(m.at);
      return [`${line.slice(0, i)}"${line.slice(i)}`];
    }
    case 'unquote':
      return [line.replace('"', '')];
    case 'huge':
      return [line.replace(/\d+/, m.n)];
    case 'insert': {
      const i = at(m.at);
      return [line.slice(0, i) + m.text + line.slice(i)];
    }
  }
}

/** A trace: some real lines, each kept or mutated, optionally without the final newline. */
const traceOf = (lines: string[]) =>
  fc
    .record({
      picks: fc.array(fc.record({ line: fc.constantFrom(...lines), m: fc.option(mutation, { freq: 2 }) }), { minLength: 1, maxLength: 25 }),
      newlineAtEnd: fc.boolean(),
      crlf: fc.boolean(),
    })
    .map(({ picks, newlineAtEnd, crlf }) => {
      const out = picks.flatMap(({ line, m }) => (m ? mutate(line, m) : [line]));
      const text = out.join(crlf ? '\r\n' : '\n') + (newlineAtEnd ? '\n' : '');
      return Buffer.from(text, 'latin1');
    });

function checkEvents(dialect: Dialect, input: Buffer): void {
  let evs: ReturnType<typeof parseText> = [];
  expect(() => (evs = parseText(dialect, input))).not.toThrow();
  const maxLine = input.toString('latin1').split('\n').length;
  for (const e of evs) {
    expect(Number.isInteger(e.line) && e.line >= 0 && e.line <= maxLine, `line ${e.line} of ${maxLine}`).toBe(true);
    if (e.kind === 'syscall') expect(Number.isFinite(e.pid)).toBe(true);
  }
}

/** Every byte view of the input a path component may legitimately come from (see the header). */
function views(input: Buffer): Buffer[] {
  // lines reach the parsers without their \r (CRLF traces), and a parser may join a line to the next (an unclosed
  // string continues there) with a \n: the input as lines see it is a view too
  const text = input.toString('latin1').replace(/\r\n/g, '\n');
  const out: Buffer[] = [input, Buffer.from(text, 'latin1'), decodeC(text), decodeVis(text), Buffer.from(CWD)];
  for (const line of text.split('\n')) {
    for (let i = line.indexOf('"'); i >= 0 && out.length < 4000; i = line.indexOf('"', i + 1)) {
      const s = line.slice(i, skipString(line, i));
      for (const enc of ['c', 'vis', 'dtruss'] as const) {
        const b = decodeString(s, enc);
        if (b?.length) out.push(b);
      }
    }
    // -y decorations and kdump NAMI records are unquoted: decode the whole line too
    out.push(decodeC(line), decodeVis(line));
  }
  return out;
}

async function checkPipeline(dialect: Dialect, input: Buffer, dir: string): Promise<void> {
  const file = path.join(dir, `t-${cases}.trace`);
  fs.writeFileSync(file, input);
  let m;
  try {
    m = await parseTraces([file], { format: dialect.name, cwd: CWD });
  } catch (e) {
    expect(e, String((e as Error)?.stack)).toBeInstanceOf(JailtraceError);
    return;
  } finally {
    fs.rmSync(file, { force: true });
  }
  manifests++;
  const hay = views(input);
  for (const e of m.entries) {
    pathsChecked++;
    const bytes = entryBytes(e);
    expect(bytes.includes(0), `${e.path} holds no NUL`).toBe(false);
    if (bytes[0] !== 0x2f) {
      // a relative path is kept only when its directory is unknown (openat on an fd the trace never opened), and
      // then the parse says so on that line, as a note about the trace (build leaves such paths out)
      const lines = new Set(e.accesses.map((a) => a.line));
      expect(
        (m.notes ?? []).some((w) => lines.has(w.line) && /directory the trace never saw opened|cwd of pid .* is unknown/.test(w.message)),
        `${e.path} is relative without a note`,
      ).toBe(true);
    }
    if (bytes.length === 1) continue; // '/'
    const comps = bytes
      .toString('latin1')
      .split('/')
      .slice(bytes[0] === 0x2f ? 1 : 0);
    for (const c of comps) expect(['', '.', '..'], `${JSON.stringify(e.path)} is normalized`).not.toContain(c);
    const last = Buffer.from(comps[comps.length - 1], 'latin1');
    expect(
      hay.some((h) => h.includes(last)),
      `${JSON.stringify(e.path)}: its name ${JSON.stringify(last.toString('latin1'))} is not in the input`,
    ).toBe(true);
  }
  for (const w of m.warnings) expect(Number.isInteger(w.line)).toBe(true);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jailtrace-fuzz-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`fuzz cases run: ${cases} over ${DIALECTS.length} dialects; pipeline: ${manifests} manifests, ${pathsChecked} paths checked`);
  if (cases >= DIALECTS.length * RUNS.pipeline) expect(pathsChecked).toBeGreaterThan(1000);
});

describe.each(DIALECTS.map((d) => ({ d, name: d.name })))('$name', ({ d }) => {
  const lines = linesOf(d.name);
  test('corpus is there', () => expect(lines.length).toBeGreaterThan(10));

  test(`random bytes never throw (${RUNS.bytes} runs)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        cases++;
        checkEvents(d, Buffer.from(bytes));
      }),
      { numRuns: RUNS.bytes },
    );
  });

  test(`mutated real lines never throw (${RUNS.mutated} runs)`, () => {
    fc.assert(
      fc.property(traceOf(lines), (input) => {
        cases++;
        checkEvents(d, input);
      }),
      { numRuns: RUNS.mutated },
    );
  });

  test(`pipeline: a manifest or a JailtraceError, never an invented path (${RUNS.pipeline} runs)`, { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(traceOf(lines), async (input) => {
        cases++;
        await checkPipeline(d, input, dir);
      }),
      { numRuns: RUNS.pipeline },
    );
  });
});
