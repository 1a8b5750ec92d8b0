/** Auto-detection: score the first lines of a trace against every dialect's sniffer. */
import { DIALECTS } from './index.js';
import type { Dialect } from './types.js';

export function detectDialect(lines: string[]): { dialect: Dialect; score: number } | undefined {
  let best: { dialect: Dialect; score: number } | undefined;
  for (const dialect of DIALECTS) {
    const score = dialect.sniff(lines);
    if (score > 0 && (!best || score > best.score)) best = { dialect, score };
  }
  return best;
}
