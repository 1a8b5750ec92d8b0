/**
 * `jailtrace tree`: traces (or a manifest written by `jailtrace parse --json`) → the process tree with what each
 * process touched. Returns data; register-tree.ts prints it.
 */
import { open, readFile } from 'node:fs/promises';
import type { DialectName } from '../../parsers/types.js';
import { TraceError } from '../errors.js';
import { MANIFEST_SCHEMA, type Manifest } from '../manifest/manifest.js';
import { parseTraces } from '../trace.js';
import { buildTree, type Tree } from '../tree/build.js';
import type { TraceLimits } from '../limits.js';

export interface TreeCommandOptions {
  format?: DialectName | 'auto';
  cwd?: string;
  all?: boolean;
  onProgress?: (done: number, total: number) => void;
  limits?: TraceLimits;
}

/**
 * Is the file a manifest (or other JSON) rather than a trace? Decided by content: a manifest names its schema near
 * the top; a trace never starts with `{` (but strace -f traces do start with `[pid  2925]`).
 */
async function looksLikeManifest(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return false; // parseTraces reports the missing or unreadable file with its usual message
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('latin1');
    return SCHEMA_FIELD.test(head) || head.trimStart().startsWith('{');
  } finally {
    await fh.close();
  }
}

/** `"schema": "jailtrace.manifest/1"` as JSON.stringify writes it, with or without indentation. */
const SCHEMA_FIELD = new RegExp(`"schema"\\s*:\\s*"${MANIFEST_SCHEMA.replace(/[.]/g, '\\.')}"`);

export async function readManifest(file: string): Promise<Manifest> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new TraceError(file, undefined, `cannot read: ${e.code ?? e.message}`, 'check the path and permissions');
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TraceError(file, undefined, `not valid JSON: ${(e as Error).message}`, 'give a trace, or the output of jailtrace parse --json');
  }
  const m = value as Partial<Manifest> | null;
  if (!m || m.schema !== MANIFEST_SCHEMA || !Array.isArray(m.entries) || !Array.isArray(m.processes) || !m.source) {
    const schema = m && typeof m === 'object' && 'schema' in m ? ` (schema ${JSON.stringify(m.schema)})` : '';
    throw new TraceError(file, undefined, `JSON but not a ${MANIFEST_SCHEMA} manifest${schema}`, 'give a trace, or the output of jailtrace parse --json');
  }
  return m as Manifest;
}

export async function treeCommand(inputs: string[], opts: TreeCommandOptions = {}): Promise<Tree> {
  const manifest =
    inputs.length === 1 && (await looksLikeManifest(inputs[0]))
      ? await readManifest(inputs[0])
      : await parseTraces(inputs, { format: opts.format, cwd: opts.cwd, onProgress: opts.onProgress, limits: opts.limits });
  return buildTree(manifest, { all: opts.all });
}
