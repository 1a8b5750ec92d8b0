/**
 * Manifest → process tree: one node per process (from `processes[].parent`), each with what it touched (from the
 * entries' accesses, by pid). Pure: no printing, no fs. src/tree/render.ts draws it; `jailtrace tree --json` prints it.
 */
import type { Manifest, ProcessRecord } from '../manifest/manifest.js';
import type { Op } from '../syscalls.js';

export const TREE_SCHEMA = 'jailtrace.tree/1';

/** What one process did to one path, folded over repeats (same op, path and outcome). */
export interface TreeAccess {
  op: Op;
  /** Host path (as in the manifest). */
  path: string;
  /** The path the process used inside its chroot, when it was chrooted. */
  jailPath?: string;
  ok: boolean;
  errno?: string;
  /** First line in the trace. */
  line: number;
  file?: number;
  /** How many times (omitted when 1). */
  count?: number;
  /** readlink result / symlink content. */
  target?: string;
  /** This path is what that one resolves to, as the tracer printed it (manifest `resolvedFrom`). */
  resolvedFrom?: string;
}

export interface TreeNode {
  pid: number;
  parent?: number;
  /** A root that is not the first process: the trace does not show who made it (manifest `parentNotTraced`). */
  parentNotTraced?: true;
  /** Basename of the last program the process ran. */
  program?: string;
  exe?: string;
  /** The program as the process named it inside its chroot (when chrooted). */
  jailExe?: string;
  argv?: string[];
  /** Indices of the argv words the tracer cut short. */
  argvTruncated?: number[];
  /** Chroot root (host path), when not `/`. */
  root?: string;
  exit?: { code?: number; signal?: string };
  /** First line of the process in the trace. */
  line: number;
  /** Shown accesses, grouped by op (OP_ORDER), then by line. */
  accesses: TreeAccess[];
  /** Accesses left out by the default filter (all are shown with `all`). */
  hidden: number;
  failures: number;
  children: TreeNode[];
}

export interface Tree {
  schema: typeof TREE_SCHEMA;
  source: Manifest['source'];
  /** Whether every access is shown, or only execs, chroots, connects and failures. */
  all: boolean;
  roots: TreeNode[];
}

/** The order ops are listed in under a process: what changes the picture first. */
export const OP_ORDER: readonly Op[] = ['exec', 'chroot', 'chdir', 'connect', 'read', 'readlink', 'list', 'write', 'create', 'stat', 'access', 'other'];

/** Ops shown by default (failures of any op are always shown). */
export const KEY_OPS: ReadonlySet<Op> = new Set<Op>(['exec', 'chroot', 'connect']);

export const isShown = (a: Pick<TreeAccess, 'op' | 'ok'>, all: boolean): boolean => all || !a.ok || KEY_OPS.has(a.op);

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1) || p;

function collectAccesses(m: Manifest): Map<number, TreeAccess[]> {
  const byPid = new Map<number, Map<string, TreeAccess>>();
  for (const e of m.entries) {
    for (const a of e.accesses) {
      let folded = byPid.get(a.pid);
      if (!folded) byPid.set(a.pid, (folded = new Map()));
      const key = `${a.op}\0${e.path}\0${a.ok ? '' : (a.errno ?? '?')}\0${a.jailPath ?? ''}\0${a.resolvedFrom ?? ''}`;
      const seen = folded.get(key);
      if (seen) {
        seen.count = (seen.count ?? 1) + (a.count ?? 1);
        if (a.line < seen.line && (a.file ?? 0) === (seen.file ?? 0)) seen.line = a.line;
        continue;
      }
      const t: TreeAccess = { op: a.op, path: e.path, ok: a.ok, line: a.line };
      if (a.jailPath !== undefined) t.jailPath = a.jailPath;
      if (!a.ok) t.errno = a.errno ?? '?';
      if (a.file !== undefined) t.file = a.file;
      if (a.count !== undefined && a.count > 1) t.count = a.count;
      if (a.target !== undefined) t.target = a.target;
      if (a.resolvedFrom !== undefined) t.resolvedFrom = a.resolvedFrom;
      folded.set(key, t);
    }
  }
  const rank = (op: Op): number => OP_ORDER.indexOf(op);
  const out = new Map<number, TreeAccess[]>();
  for (const [pid, folded] of byPid) {
    out.set(
      pid,
      [...folded.values()].sort((a, b) => rank(a.op) - rank(b.op) || (a.file ?? 0) - (b.file ?? 0) || a.line - b.line),
    );
  }
  return out;
}

/** Build the tree. Processes whose parent is unknown (or not traced) are roots; pids seen only in accesses get a node. */
export function buildTree(m: Manifest, opts: { all?: boolean } = {}): Tree {
  const all = Boolean(opts.all);
  const accesses = collectAccesses(m);
  const records = new Map<number, ProcessRecord>();
  for (const p of m.processes) if (!records.has(p.pid)) records.set(p.pid, p);
  for (const [pid, list] of accesses) {
    if (!records.has(pid)) records.set(pid, { pid, line: Math.min(...list.map((a) => a.line)) });
  }
  const nodes = new Map<number, TreeNode>();
  for (const p of records.values()) {
    const list = accesses.get(p.pid) ?? [];
    const shown = list.filter((a) => isShown(a, all));
    const lastExec = list
      .filter((a) => a.op === 'exec' && a.ok)
      .sort((a, b) => a.line - b.line)
      .at(-1);
    const exe = p.exe ?? lastExec?.path;
    const jailExe = lastExec?.jailPath !== undefined && lastExec.path === exe ? lastExec.jailPath : undefined;
    const n: TreeNode = {
      pid: p.pid,
      ...(p.parent !== undefined && { parent: p.parent }),
      ...(p.parentNotTraced && { parentNotTraced: true as const }),
      ...(exe !== undefined && { program: basename(p.argv?.[0] ?? lastExec?.jailPath ?? exe), exe }),
      ...(jailExe !== undefined && { jailExe }),
      ...(p.argv && { argv: p.argv }),
      ...(p.argv && p.argvTruncated && { argvTruncated: p.argvTruncated }),
      ...(p.root !== undefined && { root: p.root }),
      ...(p.exit && { exit: p.exit }),
      line: p.line,
      accesses: shown,
      hidden: list.length - shown.length,
      failures: list.filter((a) => !a.ok).length,
      children: [],
    };
    nodes.set(p.pid, n);
  }
  const roots: TreeNode[] = [];
  // A parent link that loops back (pid reuse in a long trace) makes the node a root rather than losing the loop.
  const reaches = (from: TreeNode | undefined, target: TreeNode): boolean => {
    const seen = new Set<number>();
    for (let x = from; x && !seen.has(x.pid); x = x.parent === undefined ? undefined : nodes.get(x.parent)) {
      if (x === target) return true;
      seen.add(x.pid);
    }
    return false;
  };
  for (const n of nodes.values()) {
    const parent = n.parent === undefined ? undefined : nodes.get(n.parent);
    if (parent && !reaches(parent, n)) parent.children.push(n);
    else roots.push(n);
  }
  const byLine = (a: TreeNode, b: TreeNode): number => a.line - b.line || a.pid - b.pid;
  for (const n of nodes.values()) n.children.sort(byLine);
  roots.sort(byLine);
  return { schema: TREE_SCHEMA, source: m.source, all, roots };
}
