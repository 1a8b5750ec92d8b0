/** Test helpers: feed text to a dialect, line by line, as the pipeline does. */
import type { Dialect, ParserOptions, TraceEvent } from '../parsers/types.js';

export function feed(dialect: Dialect, text: string | Buffer, opts?: ParserOptions): TraceEvent[] {
  const s = Buffer.isBuffer(text) ? text.toString('latin1') : Buffer.from(text, 'utf8').toString('latin1');
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: TraceEvent[] = [];
  const parser = dialect.create(opts);
  lines.forEach((l, i) => parser.push(l.replace(/\r$/, ''), i + 1, (e) => out.push(e)));
  parser.end(lines.length, (e) => out.push(e));
  return out;
}

export const syscalls = (evs: TraceEvent[]) => evs.filter((e) => e.kind === 'syscall');
export const warnings = (evs: TraceEvent[]) => evs.filter((e) => e.kind === 'warning');
