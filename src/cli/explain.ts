/** `jailtrace explain`'s answer as text (src/app/explain.ts finds it). */
import type { Explanation } from '../app/explain.js';
import type { JailEntry } from '../expand/expand.js';

function describeFirst(f: JailEntry['first']): string {
  if (!f) return '';
  return `${f.syscall}${f.ok ? '' : ` failed ${f.errno ?? ''}`} by pid ${f.pid} at ${f.file ? `${f.file}:` : 'line '}${f.line}`;
}

export function renderExplanation(x: Explanation): string {
  const out: string[] = [];
  if (x.accesses) {
    out.push(`${x.path}:`);
    for (const a of x.accesses)
      out.push(`  ${a.op} ${a.ok ? 'ok' : (a.errno ?? 'failed')} by pid ${a.pid} (${a.syscall}, line ${a.line})${a.count ? ` ×${a.count}` : ''}`);
  } else if (x.entry) {
    const e = x.entry;
    const real = e.path !== x.path ? ` (${e.path})` : e.host?.type === 'symlink' ? ` -> ${e.host.target}` : '';
    out.push(`${x.path}${real}: ${x.inJail ? 'in the jail' : 'NOT in the jail'} — ${e.role}, ${e.decision}: ${e.reason}`);
    for (const l of x.symlinks ?? []) out.push(`  through the symlink ${l}`);
    for (const [i, c] of x.chain.entries()) {
      if (i === 0) {
        if (c.first) out.push(`  seen: ${describeFirst(c.first)}`);
        continue;
      }
      const how = x.chain[i - 1].via;
      const word =
        how === 'trace'
          ? 'the program used the spelling'
          : how === 'interp'
            ? 'ELF interpreter (PT_INTERP) of'
            : how === 'shebang'
              ? '#! interpreter of'
              : how === 'symlink'
                ? 'symlink on the way to'
                : how === 'parent'
                  ? 'parent directory of'
                  : how === 'needed'
                    ? 'DT_NEEDED of'
                    : 'added for';
      out.push(`  ${word} ${c.path}${c.first ? ` (${c.role}; ${describeFirst(c.first)})` : ''}`);
    }
  } else out.push(`${x.path}: not in the jail`);
  for (const a of x.advice) out.push(`  → ${a}`);
  return out.join('\n') + '\n';
}
