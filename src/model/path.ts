/**
 * Paths inside the model are latin1 "byte strings": one JS char per byte, so they are exact, cheap to compare and
 * usable as Map keys. `toBytes`/`fromBytes` convert at the edges. Normalization is lexical (no disk access).
 */
export type BPath = string;

export const toBytes = (p: BPath): Buffer => Buffer.from(p, 'latin1');
export const fromBytes = (b: Buffer): BPath => b.toString('latin1');

/** Collapse `//`, `/./` and `/..` lexically. `..` at the root stays at the root. Keeps relative paths relative. */
export function normalize(p: BPath): BPath {
  if (p === '') return p;
  const abs = p.charCodeAt(0) === 47;
  if (abs && p.indexOf('/.') < 0 && p.indexOf('//') < 0 && (p.length === 1 || p.charCodeAt(p.length - 1) !== 47)) return p;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  return abs ? '/' + out.join('/') : out.join('/') || '.';
}

/** Join a base directory (absolute) and a path; an absolute path ignores the base. */
export function join(base: BPath, p: BPath): BPath {
  if (p.charCodeAt(0) === 47) return normalize(p);
  return normalize(base === '/' ? '/' + p : base + '/' + p);
}

/** The host path of `p` (absolute, as seen by a process whose root is `root`). */
export function underRoot(root: BPath, p: BPath): BPath {
  return root === '/' ? p : normalize(root + '/' + p);
}

/** `p` seen from inside `root` (undefined when `p` is not under it). */
export function insideRoot(root: BPath, p: BPath): BPath | undefined {
  if (root === '/') return p;
  if (p === root) return '/';
  return p.startsWith(root + '/') ? p.slice(root.length) : undefined;
}

/** Parent directory, lexically. */
export function dirname(p: BPath): BPath {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/**
 * A copy of `p` that holds only its own bytes. A path sliced out of a trace line keeps the whole line alive in V8 (a
 * sliced string points at its parent), so whatever outlives the line (manifest keys, fd tables, cwd) is flattened
 * first. Short strings are always copied by V8 already.
 */
export const flat = (p: BPath): BPath => (p.length < 13 ? p : Buffer.from(p, 'latin1').toString('latin1'));
