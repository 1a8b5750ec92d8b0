/**
 * /etc/ld.so.conf, read the way ldconfig reads it: one directory per line, `#` comments,
 * `include PATTERN...` (globs, relative to the including file's directory), `hwcap` ignored.
 * All files are read under an injectable `root` so tests can point it at a temp dir; the
 * directories returned are as written (absolute inside that root).
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { globComponent, GLOB } from '../glob.js';
import { ElfError } from './errors.js';

export type ConfLine = { kind: 'dir'; dir: string } | { kind: 'include'; pattern: string };

/** Pure: the meaningful lines of one conf file. Relative directories are dropped (ldconfig ignores them). */
export const parseLdSoConf = (text: string): ConfLine[] =>
  text.split('\n').flatMap((raw): ConfLine[] => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return [];
    const m = /^include[ \t]+(.*)$/.exec(line);
    if (m)
      return m[1]
        .split(/[ \t]+/)
        .filter((p) => p !== '')
        .map((pattern) => ({ kind: 'include', pattern }));
    if (/^hwcap[ \t]/i.test(line)) return [];
    const dir = line.replace(/=.*$/, '').replace(/\/+$/, '') || '/';
    return dir.startsWith('/') ? [{ kind: 'dir', dir }] : [];
  });

const isCode = (e: unknown, ...codes: string[]) => e instanceof Error && codes.includes((e as NodeJS.ErrnoException).code ?? '');

/** glob(3) for absolute patterns with `*`, `?` and `[...]` in any segment, under `root`; sorted. */
export const globUnder = async (root: string, pattern: string): Promise<string[]> => {
  const segs = pattern.split('/').filter((s) => s !== '');
  let found = ['/'];
  for (const seg of segs) {
    const next: string[] = [];
    for (const base of found) {
      if (!GLOB.test(seg)) {
        next.push(posix.join(base, seg));
        continue;
      }
      let names: string[];
      try {
        names = await readdir(join(root, base));
      } catch (e) {
        if (isCode(e, 'ENOENT', 'ENOTDIR')) continue; // no match, as glob(3)
        throw new ElfError(join(root, base), e instanceof Error ? e.message : String(e), { cause: e });
      }
      const re = globComponent(seg);
      for (const n of names.sort()) if (!n.startsWith('.') && re.test(n)) next.push(posix.join(base, n));
    }
    found = next;
  }
  return found;
};

/**
 * Library directories named by `${root}/etc/ld.so.conf` and its includes, in order, deduplicated.
 * A missing file contributes nothing (as with ldconfig). Include loops are cut.
 * @throws ElfError on other read errors.
 */
export const readLdSoConf = async (root = '/', conf = '/etc/ld.so.conf'): Promise<string[]> => {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = async (file: string, depth: number): Promise<void> => {
    if (seen.has(file) || depth > 16) return;
    seen.add(file);
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR', 'EISDIR')) return;
      throw new ElfError(join(root, file), e instanceof Error ? e.message : String(e), { cause: e });
    }
    for (const line of parseLdSoConf(text)) {
      if (line.kind === 'dir') {
        if (!dirs.includes(line.dir)) dirs.push(line.dir);
        continue;
      }
      const pattern = line.pattern.startsWith('/') ? line.pattern : posix.join(dirname(file), line.pattern);
      for (const f of await globUnder(root, pattern)) await visit(f, depth + 1);
    }
  };
  await visit(conf, 0);
  return dirs;
};
