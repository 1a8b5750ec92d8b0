/**
 * Baselines: a manifest stored under a name, so a fresh run can be compared with it after an upgrade (`capture
 * --baseline NAME`, `baseline save`, `diff --baseline NAME`). They live in one place, whatever the current directory:
 * `/var/lib/jailtrace/baselines/` for root, `$XDG_DATA_HOME/jailtrace/baselines/` (default `~/.local/share/...`) for
 * anyone else; `--baselines DIR` overrides. Before issue 18 they were written to `traces/baselines/` under the
 * current directory: a name missing from the store is still read from there (and said so), to be moved.
 *
 * Root writes and reads the store only when no user could swap a directory on the way to it (src/host-chain.ts): a
 * `--baselines /tmp/x` that a user made a symlink would have root write (or read a FIFO) wherever it points.
 */
import { constants as FS } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { HostChainError, openHostRegular, swappableBy } from '../host-chain.js';
import { MANIFEST_SCHEMA, type Manifest } from '../manifest/manifest.js';

/** Root's store. */
export const ROOT_BASELINES = '/var/lib/jailtrace/baselines';
/** Where baselines were written before they had one place (relative to the current directory). */
export const LEGACY_BASELINES = 'traces/baselines';

/** The store for this user: root's fixed place, or the XDG data directory. */
export function defaultBaselinesDir(uid: number = process.geteuid?.() ?? 0, env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (uid === 0) return ROOT_BASELINES;
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local/share');
  return path.join(xdg, 'jailtrace/baselines');
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new UsageError(`bad baseline name ${JSON.stringify(name)}`, 'use letters, digits, . _ - (for example sftp-debian12)');
}

/** `NAME` → `DIR/NAME.json`; a name is letters, digits, `.`, `_`, `-` (no `/`, no leading dot). */
export function baselinePath(name: string, dir: string = defaultBaselinesDir()): string {
  checkName(name);
  return path.join(path.resolve(dir), `${name}.json`);
}

async function refuseSwappable(dir: string): Promise<void> {
  const why = await swappableBy(path.resolve(dir));
  if (why)
    throw new UsageError(
      `baselines directory ${dir}: a user could swap a directory on the way to it (${why})`,
      'give --baselines a directory only root can change (default /var/lib/jailtrace/baselines)',
    );
}

/** Writes the manifest as `DIR/NAME.json` (temp file + rename: a reader never sees half a baseline). */
export async function saveBaseline(name: string, manifest: Manifest, dir: string = defaultBaselinesDir()): Promise<string> {
  const file = baselinePath(name, dir);
  const abs = path.dirname(file);
  await refuseSwappable(abs);
  await fs.mkdir(abs, { recursive: true, mode: 0o755 });
  await refuseSwappable(abs); // made now: still nobody else's
  const tmp = path.join(abs, `.${name}.json.${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(tmp, JSON.stringify(manifest, null, 1) + '\n', { flag: FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, mode: 0o644 });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new UsageError(`cannot write baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'check --baselines DIR');
  }
  return file;
}

export interface LoadedBaseline {
  file: string;
  manifest: Manifest;
  /** Found only in the old per-directory place (traces/baselines/ under the current directory). */
  legacy?: boolean;
}

async function readBaselineFile(file: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await openHostRegular(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof HostChainError) throw new UsageError(`baseline ${e.message}`, 'keep baselines in a directory only root can change');
    throw new UsageError(`cannot read baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function parseBaseline(file: string, text: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (m?.schema !== MANIFEST_SCHEMA) throw new UsageError(`${file}: not a ${MANIFEST_SCHEMA} manifest`);
  return m;
}

/**
 * Baseline NAME from DIR; without an explicit DIR, a name missing from the store is looked for in the old place
 * (`traces/baselines/` under `cwd`) and marked `legacy`.
 */
export async function loadBaseline(name: string, dir?: string, cwd: string = process.cwd()): Promise<LoadedBaseline> {
  const file = baselinePath(name, dir ?? defaultBaselinesDir());
  const text = await readBaselineFile(file);
  if (text !== undefined) return { file, manifest: parseBaseline(file, text) };
  if (dir === undefined) {
    const old = baselinePath(name, path.resolve(cwd, LEGACY_BASELINES));
    const oldText = await readBaselineFile(old).catch(() => undefined);
    if (oldText !== undefined) return { file: old, manifest: parseBaseline(old, oldText), legacy: true };
  }
  throw new UsageError(
    `no baseline ${JSON.stringify(name)} (${file}: not found)`,
    `store one with: jailtrace baseline save ${name} TRACE... (jailtrace baseline list shows the stored ones)`,
  );
}

export interface BaselineInfo {
  name: string;
  file: string;
  /** Paths in the manifest. */
  paths: number;
  /** When it was saved (the file's mtime, ISO). */
  saved: string;
  /** The traces it was made from. */
  traces: string[];
}

/** The stored baselines, by name. A missing store is an empty list. */
export async function listBaselines(dir: string = defaultBaselinesDir()): Promise<BaselineInfo[]> {
  const abs = path.resolve(dir);
  const names = await fs.readdir(abs).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw new UsageError(`cannot list ${abs}: ${e.code ?? e.message}`, 'check --baselines DIR');
  });
  const out: BaselineInfo[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.json') || !NAME.test(n.slice(0, -5))) continue;
    const name = n.slice(0, -5);
    const b = await loadBaseline(name, abs).catch(() => undefined);
    if (!b) continue;
    const st = await fs.stat(b.file);
    out.push({ name, file: b.file, paths: b.manifest.entries.length, saved: st.mtime.toISOString(), traces: b.manifest.source.files });
  }
  return out;
}

/** Remove baseline NAME; false when there was none. */
export async function removeBaseline(name: string, dir: string = defaultBaselinesDir()): Promise<string | undefined> {
  const file = baselinePath(name, dir);
  await refuseSwappable(path.dirname(file));
  return fs.unlink(file).then(
    () => file,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new UsageError(`cannot remove ${file}: ${e.code ?? e.message}`);
    },
  );
}
