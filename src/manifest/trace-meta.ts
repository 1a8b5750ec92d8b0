/**
 * What a built-in workload knows about its own trace and the trace cannot say: its scratch roots (the random
 * `/tmp/jailtrace-sftp-XXXX/` tree, verify's `JAIL/.jailtrace-verify-XXXX/`, the user's home it started in). They are
 * workload data, never jail content. Kept beside the trace as `TRACE.meta.json` (schema `jailtrace.trace-meta/1`),
 * written when the profile ran; `diff`, `baseline save` and `build --trace` read it and drop what lies under them,
 * so two runs of one workload compare equal whatever their scratch names. A directory of traces skips `*.json`, so
 * the sidecar is never read as a trace.
 */
import { constants as FS } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openOutputFile } from '../output-file.js';

export const TRACE_META_SCHEMA = 'jailtrace.trace-meta/1';
const MAX_META_BYTES = 1 << 20;

export interface TraceMeta {
  schema: typeof TRACE_META_SCHEMA;
  /** The profile that wrote the trace. */
  profile?: string;
  /** Absolute path prefixes (host and in-jail) of the workload's own data. */
  scratch: string[];
}

export const metaPath = (trace: string): string => `${trace}.meta.json`;

/** Write TRACE.meta.json beside a trace jailtrace just wrote (src/output-file.ts rules: no symlink, no hard link, ours). */
export async function writeTraceMeta(trace: string, meta: Omit<TraceMeta, 'schema'>): Promise<void> {
  const fh = await openOutputFile(metaPath(trace), 0o644);
  try {
    await fh.writeFile(JSON.stringify({ schema: TRACE_META_SCHEMA, ...meta }, null, 1) + '\n');
  } finally {
    await fh.close();
  }
}

/** TRACE.meta.json, when there is a valid one: a regular file (never a FIFO or a symlink), small, of this schema. */
export async function readTraceMeta(trace: string): Promise<TraceMeta | undefined> {
  const fh = await open(metaPath(trace), FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK).catch(() => undefined);
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_META_BYTES) return undefined;
    const m = JSON.parse(await fh.readFile('utf8')) as Partial<TraceMeta>;
    if (m?.schema !== TRACE_META_SCHEMA || !Array.isArray(m.scratch)) return undefined;
    const scratch = m.scratch.filter((s): s is string => typeof s === 'string' && path.posix.isAbsolute(s) && path.posix.normalize(s) === s && s !== '/');
    return { schema: TRACE_META_SCHEMA, ...(typeof m.profile === 'string' ? { profile: m.profile } : {}), scratch };
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/** The scratch roots recorded for trace arguments: a file's own sidecar, or those of the traces in a directory. */
export async function scratchOf(args: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const a of args) {
    const st = await stat(a).catch(() => undefined);
    const traces = st?.isDirectory()
      ? (await readdir(a).catch(() => [] as string[])).filter((n) => n.endsWith('.meta.json')).map((n) => path.join(a, n.slice(0, -'.meta.json'.length)))
      : [a];
    for (const t of traces) for (const s of (await readTraceMeta(t))?.scratch ?? []) out.add(s);
  }
  return [...out].sort();
}
