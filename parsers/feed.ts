/**
 * Feed a whole text to a dialect parser: split on `\n`, drop a trailing `\r`, pass latin1 lines (one char per byte),
 * then `end()`. A string argument is taken as UTF-8 text and converted to its bytes first.
 */
import type { Dialect, ParserOptions, TraceEvent } from './types.js';

export function parseText(dialect: Dialect, text: string | Buffer, opts?: ParserOptions): TraceEvent[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const lines = bytes.toString('latin1').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: TraceEvent[] = [];
  const emit = (ev: TraceEvent): void => {
    out.push(ev);
  };
  const parser = dialect.create(opts);
  let n = 0;
  for (const raw of lines) {
    n++;
    parser.push(raw.endsWith('\r') ? raw.slice(0, -1) : raw, n, emit);
  }
  parser.end(n, emit);
  return out;
}

/** The first `max` lines of a text as latin1 strings, for `Dialect.sniff` / `detectDialect`. */
export function headLines(text: string | Buffer, max = 100): string[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const lines = bytes
    .subarray(0, 1 << 16)
    .toString('latin1')
    .split('\n', max);
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
