#!/usr/bin/env node
/**
 * "Only src/jail/ writes into or beside a jail" (docs/design.md), checked: no module outside src/jail/ and the
 * documented exceptions below imports a node:fs write API. dependency-cruiser sees which modules are imported, not
 * which names, so this reads each file's imports with the TypeScript parser: named imports from node:fs,
 * node:fs/promises (and fs, fs/promises), and `fs.NAME` on a default or namespace import of them.
 *
 * Not seen: writes through a FileHandle (`fh.chmod`), since `open` is how everyone reads too; opening for writing goes
 * through src/output-file.ts or src/jail/ by review. Exit 1 with FILE:LINE for each write outside the allowed places.
 *   node scripts/lint-fs-writes.mjs [ROOT]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The checkout (or the tree given as the first argument: the test checks the rule on small trees of its own). */
const ROOT = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..'));

/** The node:fs functions that change the file system (sync, callback and promise forms share these names). */
const WRITES = new Set(
  [
    'appendFile',
    'chmod',
    'chown',
    'copyFile',
    'cp',
    'createWriteStream',
    'fchmod',
    'fchown',
    'futimes',
    'ftruncate',
    'lchmod',
    'lchown',
    'link',
    'lutimes',
    'mkdir',
    'mkdtemp',
    'rename',
    'rm',
    'rmdir',
    'symlink',
    'truncate',
    'unlink',
    'utimes',
    'write',
    'writeFile',
    'writev',
  ].flatMap((n) => [n, `${n}Sync`]),
);

const FS_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises']);

/**
 * Who may write, and why. Everything else reads only. Each exception writes nothing into or beside a jail.
 */
const ALLOWED = [
  { path: /^src\/jail\//, why: "the writer: apply, links, the jail root, verify's scratch dir, the record dir's traces" },
  { path: /^src\/output-file\.ts$/, why: "the admin's output files and dirs (--output, --report, --output-dir), opened without following a planted name" },
  { path: /^src\/profiles\/private-tree\.ts$/, why: "the profiles' private scratch trees: made private, handed to the user last, removed as the user" },
  { path: /^src\/capture\/fifo\.ts$/, why: "strace's FIFO, in a private temp dir of root's" },
  { path: /^src\/diff\/baseline\.ts$/, why: 'the baseline store (/var/lib/jailtrace/baselines or the XDG data dir): temp file + rename' },
  { path: /^src\/cli\/docgen\/gen-man\.ts$/, why: 'build time: writes docs/jailtrace.1 and docs/exit-codes.md into the checkout' },
  { path: /^bench\//, why: 'the benchmarks: their own scratch space' },
];

function* tsFiles(dir) {
  if (!existsSync(path.join(ROOT, dir))) return;
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) yield* tsFiles(rel);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield rel;
  }
}

/** `{ file, line, name }` for each write API the file imports or calls through an fs namespace. */
export function fsWrites(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const namespaces = new Set();
  const at = (node, name) => found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, name });
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !FS_MODULES.has(st.moduleSpecifier.text)) continue;
    const c = st.importClause;
    if (!c || c.isTypeOnly) continue;
    if (c.name) namespaces.add(c.name.text);
    const b = c.namedBindings;
    if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
    if (b && ts.isNamedImports(b))
      for (const el of b.elements) if (!el.isTypeOnly && WRITES.has((el.propertyName ?? el.name).text)) at(el, (el.propertyName ?? el.name).text);
  }
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && namespaces.has(node.expression.text) && WRITES.has(node.name.text))
      at(node, node.name.text);
    // fs.promises.writeFile
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'promises' &&
      ts.isIdentifier(node.expression.expression) &&
      namespaces.has(node.expression.expression.text) &&
      WRITES.has(node.name.text)
    )
      at(node, node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const bad = [];
  for (const dir of ['src', 'parsers', 'bench']) {
    for (const file of tsFiles(dir)) {
      if (ALLOWED.some((a) => a.path.test(file))) continue;
      bad.push(...fsWrites(file, readFileSync(path.join(ROOT, file), 'utf8')));
    }
  }
  for (const b of bad)
    process.stderr.write(
      `${b.file}:${b.line}: imports the node:fs write API ${b.name}: only src/jail/ writes into or beside a jail (docs/design.md); move the write there, or add a documented exception in scripts/lint-fs-writes.mjs\n`,
    );
  if (bad.length) process.exit(1);
  process.stdout.write('fs writes: only src/jail/ and the documented exceptions\n');
}
