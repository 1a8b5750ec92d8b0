/**
 * `jailtrace tree --dot`: the process tree as a Graphviz picture. Processes are boxes (pid, program, argv, exit), forks
 * are edges, each chroot is a dashed cluster labelled with its root (the boundary a jailed process lives in), execs
 * and connects are ellipses joined to the process that made them, and failed accesses are red, with their errno.
 * Pure: Tree in, DOT text out (`dot -Tsvg` draws it).
 */
import { attrs, FAILED, q } from '../dot/dot.js';
import type { Tree, TreeAccess, TreeNode } from './build.js';
import { CUT_MARK } from './render.js';

const ARGV_MAX = 60;

function processLabel(n: TreeNode): string {
  const argv = (n.argv ?? []).map((a, i) => (n.argvTruncated?.includes(i) ? a + CUT_MARK : a)).join(' ');
  const exit = n.exit?.signal ? `killed by ${n.exit.signal}` : n.exit?.code !== undefined ? `exit ${n.exit.code}` : '';
  const orphan = n.parentNotTraced ? 'parent not traced' : '';
  return [`pid ${n.pid}${n.program ? ` ${n.program}` : ''}`, argv.length > ARGV_MAX ? `${argv.slice(0, ARGV_MAX)}…` : argv, exit, orphan]
    .filter(Boolean)
    .join('\n');
}

function accessLabel(a: TreeAccess): string {
  return a.jailPath !== undefined && a.jailPath !== a.path ? `${a.jailPath}\n(host ${a.path})` : a.path;
}

function edgeLabel(a: TreeAccess): string {
  return `${a.op}${a.ok ? '' : ` ✗ ${a.errno ?? 'failed'}`}${a.count ? ` ×${a.count}` : ''}`;
}

export function renderTreeDot(tree: Tree): string {
  const lines: string[] = [
    'digraph jailtrace_tree {',
    '  rankdir=LR;',
    '  graph [fontname="Helvetica", fontsize=11];',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const all: TreeNode[] = [];
  const walk = (n: TreeNode): void => {
    all.push(n);
    n.children.forEach(walk);
  };
  tree.roots.forEach(walk);
  // What each process touched (the tree's filter: execs, chroots, connects and failures; --all: everything). A path a
  // chrooted process used inside its root is drawn inside that root's cluster: the chroot boundary is the box's edge.
  const inside = new Map<string | undefined, string[]>();
  const edges: string[] = [];
  const put = (root: string | undefined, line: string): void => void inside.set(root, [...(inside.get(root) ?? []), line]);
  let k = 0;
  for (const n of all) {
    put(
      n.root,
      `${q(`p${n.pid}`)}${attrs({ shape: 'box', style: 'rounded', label: processLabel(n), color: n.failures > 0 || (n.exit?.code ?? 0) !== 0 || n.exit?.signal ? FAILED : undefined })};`,
    );
    for (const c of n.children) edges.push(`${q(`p${n.pid}`)} -> ${q(`p${c.pid}`)}${attrs({ label: 'fork' })};`);
    for (const a of n.accesses) {
      const id = `a${k++}`;
      const failed = !a.ok;
      const red = { color: failed ? FAILED : undefined, fontcolor: failed ? FAILED : undefined };
      put(
        a.jailPath !== undefined ? n.root : undefined,
        `${q(id)}${attrs({ shape: a.op === 'exec' ? 'component' : a.op === 'chroot' ? 'folder' : 'ellipse', label: accessLabel(a), ...red })};`,
      );
      edges.push(`${q(`p${n.pid}`)} -> ${q(id)}${attrs({ label: edgeLabel(a), ...red, style: a.op === 'exec' || a.op === 'chroot' ? undefined : 'dashed' })};`);
    }
    if (n.hidden > 0 && !tree.all) {
      put(undefined, `${q(`h${n.pid}`)}${attrs({ shape: 'plaintext', label: `+${n.hidden} more (--all)` })};`);
      edges.push(`${q(`p${n.pid}`)} -> ${q(`h${n.pid}`)}${attrs({ style: 'dotted', arrowhead: 'none' })};`);
    }
  }
  for (const l of inside.get(undefined) ?? []) lines.push(`  ${l}`);
  [...inside.keys()]
    .filter((r): r is string => r !== undefined)
    .forEach((r, i) => {
      lines.push(`  subgraph ${q(`cluster_chroot_${i}`)} {`, `    label=${q(`chroot ${r}`)};`, '    style=dashed;', '    color="gray40";');
      for (const l of inside.get(r)!) lines.push(`    ${l}`);
      lines.push('  }');
    });
  for (const e of edges) lines.push(`  ${e}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
