/** The line source: the same lines whatever the chunking; CRLF, NUL, overlong and unterminated lines flagged. */
import fc from 'fast-check';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { strace } from '../../parsers/strace.js';
import { LineSplitter, MAX_LINE, readFileLines } from '../../src/source/lines.js';

const collect = (chunks: Buffer[]): { lines: string[]; stats: ReturnType<LineSplitter['end']> } => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) s.push(c);
  return { lines, stats: s.end() };
};

const split = (b: Buffer, cuts: number[]): Buffer[] => {
  const pts = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of pts) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out;
};

const CAPTURE = readFileSync(path.resolve(import.meta.dirname, '../../traces/linux/probe/f-stderr.strace'));

describe('LineSplitter', () => {
  test('a real capture split at random points gives the same lines as whole (property)', () => {
    const whole = collect([CAPTURE]).lines;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        expect(collect(split(CAPTURE, cuts)).lines).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  test('the parser gives identical records fed whole or in random chunks', () => {
    const records = (chunks: Buffer[]) => {
      const out: unknown[] = [];
      const p = strace.create();
      const s = new LineSplitter((l, n) => p.push(l, n, (e) => out.push(e)));
      for (const c of chunks) s.push(c);
      p.end(s.end().lines, (e) => out.push(e));
      return out;
    };
    const whole = records([CAPTURE]);
    expect(whole.length).toBeGreaterThan(100);
    for (const cuts of [[1, 2, 3], [100, 5000, 5001, 20000], Array.from({ length: 50 }, (_, i) => i * 997)])
      expect(records(split(CAPTURE, cuts))).toEqual(whole);
  });

  test('CRLF, a NUL byte and a last line without newline', () => {
    const { lines, stats } = collect([Buffer.from('a\r\nb\0c\nlast')]);
    expect(lines).toEqual(['a', 'b\0c', 'last']);
    expect(stats.nul).toEqual([2]);
    expect(stats.unterminated).toBe(true);
  });

  test('NUL bytes are flagged on exactly their lines, whatever the chunking and with a reused buffer (property)', () => {
    const text = Buffer.from('a\nb\0\nc\nd\0\0e\nf\n\0\ng\nh\0\n');
    const want = [2, 4, 6, 8];
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), (cuts) => {
        expect(collect(split(text, cuts)).stats.nul).toEqual(want);
        // the file reader refills one buffer: the same object with new bytes must not keep the old NUL positions
        const k = 1 + ((cuts[0] ?? 0) % 6);
        const reused = Buffer.alloc(k);
        const s = new LineSplitter(() => undefined);
        for (let at = 0; at < text.length; at += k) {
          const n = text.copy(reused, 0, at, at + k);
          s.push(n === k ? reused : reused.subarray(0, n));
        }
        expect(s.end().nul).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  test('an overlong line is cut at MAX_LINE, counted once, and the next line is intact', () => {
    const big = Buffer.alloc(MAX_LINE + 1000, 0x61);
    const { lines, stats } = collect(split(Buffer.concat([big, Buffer.from('\nnext\n')]), [1 << 20, 5 << 20, 16 << 20]));
    expect(lines.map((l) => l.length)).toEqual([MAX_LINE, 4]);
    expect(stats.overlong).toEqual([1]);
  });

  test('readFileLines reads a file the same way (sync reads, reused buffer)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jt-lines-'));
    const f = path.join(dir, 't');
    const body = Buffer.concat(Array.from({ length: 30 }, () => CAPTURE)); // > 1 MiB: several chunks
    writeFileSync(f, body);
    const lines: string[] = [];
    const stats = await readFileLines(f, (l) => lines.push(l));
    expect(lines).toEqual(collect([body]).lines);
    expect(stats.bytes).toBe(body.length);
  });
});
