/**
 * Pick the dialect of a trace from its first lines (FORMATS.md cross-cutting rule 1): every dialect scores the lines,
 * the highest positive score wins, ties go to the earlier dialect in DIALECTS. When the runner-up scores nearly as
 * much (CLOSE), the answer names it too: the caller asks for --format rather than guess.
 */
import { DIALECTS } from './index.js';
import type { Dialect } from './types.js';

/** A runner-up at this share of the best score or more makes the call too close to make. */
export const CLOSE = 0.8;

export interface Detected {
  dialect: Dialect;
  score: number;
  /** The runner-up, when it scored CLOSE to the winner. */
  close?: { dialect: Dialect; score: number };
}

/**
 * Evidence needed per non-empty line read: a dialect scores about 2 to 5 for each line that looks like its own, so a
 * file needs roughly one such line in twenty to be taken for a trace. A C source that quotes a trace line in a comment
 * (test/fixtures/probe.c) scores a few points over 200 lines: not a trace.
 */
export const MIN_SCORE_PER_LINE = 0.1;

export function detectDialect(lines: string[], dialects: readonly Dialect[] = DIALECTS): Detected | undefined {
  const floor = Math.max(1, lines.filter((l) => l.trim() !== '').length * MIN_SCORE_PER_LINE);
  const scored = dialects.map((dialect) => ({ dialect, score: dialect.sniff(lines) })).filter((x) => x.score >= floor);
  if (scored.length === 0) return undefined;
  // stable: equal scores keep DIALECTS order
  const [best, second] = [...scored].sort((a, b) => b.score - a.score);
  return second && second.score >= best.score * CLOSE ? { ...best, close: second } : best;
}
