/**
 * `jailtrace explain PATH --dot`: the chain of rules that put PATH in the jail, as a Graphviz picture. The asked path
 * is at the bottom; each arrow goes from what needed a file to the file, labelled with the rule (PT_INTERP, #!
 * interpreter, symlink on the way, parent directory, DT_NEEDED), and the top is what a traced process really touched
 * (syscall, pid, trace line). A path not in the jail, or a failed access, is red. Pure: Explanation in, DOT out.
 */
import type { JailEntry } from '../expand/expand.js';
import { attrs, FAILED, q } from '../dot/dot.js';
import type { Explanation } from '../app/explain.js';

/** What the edge from `c` (the needing file) to the file before it means: the `via` of the needed file. */
const RULE: Record<string, string> = {
  trace: 'the program used this spelling',
  interp: 'ELF interpreter (PT_INTERP)',
  shebang: '#! interpreter',
  symlink: 'symlink on the way',
  parent: 'parent directory',
  needed: 'DT_NEEDED',
};

function seen(f: JailEntry['first']): string {
  if (!f) return '';
  return `${f.syscall}${f.ok ? '' : ` failed ${f.errno ?? ''}`} by pid ${f.pid}\n${f.file ? `${f.file}:` : 'line '}${f.line}`;
}

export function renderExplanationDot(x: Explanation): string {
  const lines = [
    'digraph jailtrace_explain {',
    '  rankdir=BT;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const id = (i: number): string => q(`n${i}`);
  if (x.chain.length === 0) {
    const label = x.accesses ? `${x.path}\n${x.accesses.length} access${x.accesses.length === 1 ? '' : 'es'} in the trace` : `${x.path}\nnot in the jail`;
    lines.push(
      `  ${id(0)}${attrs({ label, color: x.inJail || x.accesses?.some((a) => a.ok) ? undefined : FAILED, fontcolor: x.inJail || x.accesses?.some((a) => a.ok) ? undefined : FAILED })};`,
    );
    x.accesses?.forEach((a, i) => {
      const failed = !a.ok;
      lines.push(
        `  ${q(`a${i}`)}${attrs({ shape: 'ellipse', label: `pid ${a.pid}\n${a.syscall}, line ${a.line}`, color: failed ? FAILED : undefined, fontcolor: failed ? FAILED : undefined })};`,
      );
      lines.push(
        `  ${q(`a${i}`)} -> ${id(0)}${attrs({ label: `${a.op} ${a.ok ? 'ok' : (a.errno ?? 'failed')}${a.count ? ` ×${a.count}` : ''}`, color: failed ? FAILED : undefined, fontcolor: failed ? FAILED : undefined })};`,
      );
    });
  }
  x.chain.forEach((c, i) => {
    const head = i === 0 ? `${x.path}${c.path !== x.path ? `\n(${c.path})` : ''}` : c.path;
    const status = i === 0 ? `\n${x.inJail ? 'in the jail' : 'NOT in the jail'}: ${c.role ?? ''} ${c.decision ?? ''}` : c.role ? `\n${c.role}` : '';
    const failed = (i === 0 && !x.inJail) || c.first?.ok === false;
    lines.push(`  ${id(i)}${attrs({ label: head + status, color: failed ? FAILED : undefined, fontcolor: failed ? FAILED : undefined })};`);
    if (c.first) {
      lines.push(
        `  ${q(`t${i}`)}${attrs({ shape: 'ellipse', label: seen(c.first), color: c.first.ok ? undefined : FAILED, fontcolor: c.first.ok ? undefined : FAILED })};`,
      );
      lines.push(`  ${q(`t${i}`)} -> ${id(i)}${attrs({ label: 'traced' })};`);
    }
    if (i > 0) lines.push(`  ${id(i)} -> ${id(i - 1)}${attrs({ label: RULE[x.chain[i - 1].via] ?? `added for (${x.chain[i - 1].via})` })};`);
  });
  (x.symlinks ?? []).forEach((s, i) => {
    lines.push(
      `  ${q(`s${i}`)}${attrs({ shape: 'note', label: `through the symlink\n${s}` })};`,
      `  ${q(`s${i}`)} -> ${id(0)}${attrs({ style: 'dotted', arrowhead: 'none' })};`,
    );
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
