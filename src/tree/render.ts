/**
 * Draw a process tree (src/tree/build.ts) as text: one header per process (pid, program, argv, chroot root, exit
 * status), then what it touched, grouped by op. Failures carry a `✗` and their errno, so they stand out without colour;
 * with `color` they are red too. Pure: returns the text.
 */
import type { Tree, TreeAccess, TreeNode } from './build.js';

export interface RenderTreeOptions {
  /** Paint failures red (the caller decides: a TTY and no NO_COLOR). */
  color?: boolean;
}

export const FAIL_MARK = '✗';

/** After an argv word the tracer cut short. */
export const CUT_MARK = '...';
const SAFE_ARG = /^[\w@%+=:,./-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** One argv word as a shell would need it (control characters JSON-escaped, so a line stays a line). */
export function quoteArg(a: string): string {
  if (a !== '' && SAFE_ARG.test(a)) return a;
  if (CONTROL.test(a)) return `$${JSON.stringify(a).replace(/'/g, "\\'").replace(/^"|"$/g, "'")}`;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

function exitText(n: TreeNode): { text: string; failed: boolean } | undefined {
  if (!n.exit) return undefined;
  if (n.exit.signal) return { text: `killed by ${n.exit.signal}`, failed: true };
  if (n.exit.code === undefined) return undefined;
  return { text: `exit ${n.exit.code}`, failed: n.exit.code !== 0 };
}

function header(n: TreeNode, paint: (s: string) => string): string {
  const parts = [`${n.pid}`];
  if (n.program) parts.push(n.program);
  // a word the tracer cut short ends in `...`, as strace prints it: it is not the whole word
  const command =
    n.argv && n.argv.length > 0 ? n.argv.map((a, i) => quoteArg(a) + (n.argvTruncated?.includes(i) ? CUT_MARK : '')).join(' ') : (n.jailExe ?? n.exe);
  const tags: string[] = [];
  if (n.parentNotTraced) tags.push('parent not traced');
  if (n.root) tags.push(`root ${n.root}`);
  const exit = exitText(n);
  if (exit) tags.push(exit.failed ? paint(`${FAIL_MARK} ${exit.text}`) : exit.text);
  let line = parts.join(' ');
  if (command && command !== n.program) line += `  ${command}`;
  if (tags.length) line += `  (${tags.join(', ')})`;
  return line;
}

function accessText(a: TreeAccess, chrooted: boolean): string {
  let s = a.jailPath ?? a.path;
  if (a.target !== undefined) s += ` -> ${a.target}`;
  if (a.resolvedFrom !== undefined) s += `  (resolved from ${a.resolvedFrom})`;
  if (a.count !== undefined) s += `  ×${a.count}`;
  if (!a.ok) s += `  ${a.errno ?? '?'}`;
  if (chrooted && a.jailPath !== undefined && a.jailPath !== a.path) s += `  (host ${a.path})`;
  return s;
}

const OP_WIDTH = 9;

function body(n: TreeNode, all: boolean, paint: (s: string) => string): string[] {
  const lines: string[] = [];
  let lastOp: string | undefined;
  for (const a of n.accesses) {
    const label = a.op === lastOp ? '' : a.op;
    lastOp = a.op;
    const text = `${a.ok ? ' ' : FAIL_MARK} ${label.padEnd(OP_WIDTH)}${accessText(a, n.root !== undefined)}`;
    lines.push(a.ok ? text : paint(text));
  }
  if (!all && n.hidden > 0) lines.push(`  … ${n.hidden} more (--all)`);
  return lines;
}

export function renderTree(t: Tree, opts: RenderTreeOptions = {}): string {
  const paint = opts.color ? (s: string): string => `\x1b[31m${s}\x1b[0m` : (s: string): string => s;
  const out: string[] = [];
  let procs = 0;
  let failures = 0;
  const count = (n: TreeNode): void => {
    procs++;
    failures += n.failures;
    n.children.forEach(count);
  };
  t.roots.forEach(count);
  const s = t.source;
  const what = s.files.length === 1 ? s.files[0] : `${s.files.length} trace files`;
  out.push(
    `${what}: ${s.format}, ${procs} process${procs === 1 ? '' : 'es'}, ${failures} failed access${failures === 1 ? '' : 'es'}` +
      (t.all ? '' : ' (showing execs, chroots, connects and failures; --all shows everything)'),
  );
  const draw = (n: TreeNode, prefix: string, last: boolean, root: boolean): void => {
    out.push(root ? header(n, paint) : `${prefix}${last ? '└─ ' : '├─ '}${header(n, paint)}`);
    const inner = root ? '' : prefix + (last ? '   ' : '│  ');
    const rail = n.children.length > 0 ? '│ ' : '  ';
    for (const l of body(n, t.all, paint)) out.push(`${inner}${rail}${l}`);
    n.children.forEach((c, i) => draw(c, inner, i === n.children.length - 1, false));
  };
  for (const r of t.roots) {
    out.push('');
    draw(r, '', true, true);
  }
  return out.join('\n') + '\n';
}
