/**
 * One side of a diff, from whatever the admin has: a manifest JSON, a jail record JSON, a jail directory (its record
 * plus its files' sizes, modes and hashes), a baseline, or traces of any dialect (parsed here).
 */
import type { TraceLimits } from '../limits.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DialectName } from '../../parsers/types.js';
import { JAIL_SCHEMA, RECORD_FILE, type JailRecord } from '../plan/make-plan.js';
import { readJailPath, openRecordedJail, parseRecord, readJailRecord } from '../check/jail-read.js';
import { TraceError, UsageError } from '../errors.js';
import { MANIFEST_SCHEMA, type Manifest } from '../manifest/manifest.js';
import { platformInfo } from '../platforms/index.js';
import { withoutScratch } from '../manifest/merge.js';
import { scratchOf } from '../manifest/trace-meta.js';
import { parseTraces } from '../trace.js';
import { defaultBaselinesDir, loadBaseline } from './baseline.js';
import { needsFromManifest, needsFromRecord, type Need } from './needs.js';

export type SideKind = 'manifest' | 'trace' | 'record' | 'jail' | 'baseline';

export interface Side {
  label: string;
  kind: SideKind;
  needs: Need[];
  /** Something the admin should know about where this side came from (stderr, not part of the report). */
  note?: string;
}

export interface LoadOptions {
  cwd?: string;
  format?: DialectName | 'auto';
  limits?: TraceLimits;
  /** Keep what a jail would not hold (runtime data): `diff --all`. A workload's recorded scratch data is dropped anyway. */
  all?: boolean;
}

const fromManifest = (label: string, kind: SideKind, m: Manifest, all = false): Side => ({
  label,
  kind,
  needs: needsFromManifest(m, platformInfo(m.source.platform as never), { all }),
});

/** A trace side: parsed, without the scratch data its workload recorded (TRACE.meta.json). */
async function fromTraces(arg: string, opts: LoadOptions): Promise<Side> {
  const m = withoutScratch(await parseTraces([arg], opts), await scratchOf([arg]));
  return fromManifest(arg, 'trace', m, opts.all);
}

/** The jail's files, hashed through confined reads. */
async function jailFiles(jail: string, r: JailRecord): Promise<Map<string, { size: number; mode: number; sha256?: string }>> {
  const root = await openRecordedJail(jail, r);
  const out = new Map<string, { size: number; mode: number; sha256?: string }>();
  try {
    for (const e of r.entries) {
      if (e.decision !== 'copy' || e.host?.type !== 'file') continue;
      const f = await readJailPath(root, e.path, { hash: true }).catch(() => undefined);
      if (f?.st.isFile()) out.set(e.path, { size: f.st.size, mode: f.st.mode & 0o7777, sha256: f.sha256 });
    }
  } finally {
    await root.close();
  }
  return out;
}

async function sniffJson(file: string): Promise<unknown> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(1);
    const { bytesRead } = await fh.read(head, 0, 1, 0);
    if (bytesRead === 0 || head.toString() !== '{') return undefined;
  } finally {
    await fh.close();
  }
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return undefined; // not JSON after all: a trace starting with `{`? Let the trace reader decide.
  }
}

export async function loadSide(arg: string, opts: LoadOptions = {}): Promise<Side> {
  const st = await fs.stat(arg).catch((e: NodeJS.ErrnoException) => {
    throw new TraceError(
      arg,
      undefined,
      e.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${e.message}`,
      'give a trace, a manifest, a jail record or a jail directory',
    );
  });
  if (st.isDirectory()) {
    const hasRecord = await fs.lstat(path.join(arg, RECORD_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (hasRecord) {
      const r = await readJailRecord(arg);
      return { label: arg, kind: 'jail', needs: needsFromRecord(r, await jailFiles(arg, r)) };
    }
    return fromTraces(arg, opts);
  }
  const json = await sniffJson(arg);
  const schema = (json as { schema?: unknown } | undefined)?.schema;
  if (schema === MANIFEST_SCHEMA) return fromManifest(arg, 'manifest', json as Manifest, opts.all);
  if (schema === JAIL_SCHEMA) return { label: arg, kind: 'record', needs: needsFromRecord(parseRecord(JSON.stringify(json), arg)) };
  if (json !== undefined)
    throw new UsageError(
      `${arg}: JSON with schema ${JSON.stringify(schema)}`,
      `give a ${MANIFEST_SCHEMA} manifest, a ${JAIL_SCHEMA} record, a jail or a trace`,
    );
  return fromTraces(arg, opts);
}

export async function loadBaselineSide(name: string, dir?: string, cwd?: string, all = false): Promise<Side> {
  const { file, manifest, legacy } = await loadBaseline(name, dir, cwd);
  const side = fromManifest(`baseline ${name} (${file})`, 'baseline', manifest, all);
  if (legacy)
    side.note = `baseline ${name} was read from the old place ${file}: move it to ${defaultBaselinesDir()}/ (or give --baselines ${path.dirname(file)})`;
  return side;
}
