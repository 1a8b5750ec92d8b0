/**
 * Pick the dialect of a trace from its first lines (FORMATS.md cross-cutting rule 1): every dialect scores the lines,
 * the highest positive score wins, ties go to the earlier dialect in DIALECTS.
 */
import { DIALECTS } from './index.js';
import type { Dialect } from './types.js';

export function detectDialect(lines: string[], dialects: readonly Dialect[] = DIALECTS): { dialect: Dialect; score: number } | undefined {
  let best: { dialect: Dialect; score: number } | undefined;
  for (const dialect of dialects) {
    const score = dialect.sniff(lines);
    if (score > 0 && (!best || score > best.score)) best = { dialect, score };
  }
  return best;
}
