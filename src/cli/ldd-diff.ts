/** `jailtrace ldd-diff`'s comparison as text (src/app/ldd-diff.ts makes it). */
import type { LddDiff } from '../app/ldd-diff.js';

export function renderLddDiff(d: LddDiff): string {
  const out = [`executables: ${d.executables.join(', ') || "(none exec'd in the trace)"}`, ''];
  const groups = Object.entries(d.invisible);
  out.push(`needed at run time but invisible to ldd (${groups.reduce((n, [, v]) => n + v.length, 0)}):`);
  for (const [g, list] of groups) {
    out.push(`  ${g}:`);
    for (const p of list) out.push(`    ${p}`);
  }
  out.push('', `listed by ldd and loaded (${d.both.length}):`, ...d.both.map((p) => `  ${p}`));
  out.push('', `listed by ldd but never loaded (${d.unused.length}):`, ...d.unused.map((p) => `  ${p}`));
  return out.join('\n') + '\n';
}
