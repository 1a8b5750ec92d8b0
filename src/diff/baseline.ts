/**
 * Baselines: a manifest stored under a name (`traces/baselines/NAME.json`, or another directory), so a fresh run can
 * be compared with it after an upgrade. `saveBaseline` is what `capture --baseline NAME` calls.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { MANIFEST_SCHEMA, type Manifest } from '../manifest/manifest.js';

export const DEFAULT_BASELINES = 'traces/baselines';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `NAME` → `DIR/NAME.json`; a name is letters, digits, `.`, `_`, `-` (no `/`, no leading dot). */
export function baselinePath(name: string, dir: string = DEFAULT_BASELINES): string {
  if (!NAME.test(name)) throw new UsageError(`bad baseline name ${JSON.stringify(name)}`, 'use letters, digits, . _ - (for example sftp-debian12)');
  return path.join(dir, `${name}.json`);
}

/** Writes the manifest as `DIR/NAME.json` (temp file + rename: a reader never sees half a baseline). */
export async function saveBaseline(name: string, manifest: Manifest, dir: string = DEFAULT_BASELINES): Promise<string> {
  const file = baselinePath(name, dir);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.json.${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(tmp, JSON.stringify(manifest, null, 1) + '\n', { flag: 'wx', mode: 0o644 });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new UsageError(`cannot write baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'check --baselines DIR');
  }
  return file;
}

export async function loadBaseline(name: string, dir: string = DEFAULT_BASELINES): Promise<{ file: string; manifest: Manifest }> {
  const file = baselinePath(name, dir);
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`no baseline ${JSON.stringify(name)} (${file}: ${e.code ?? e.message})`, 'store one with: jailtrace baseline save NAME TRACE...');
  });
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (m?.schema !== MANIFEST_SCHEMA) throw new UsageError(`${file}: not a ${MANIFEST_SCHEMA} manifest`);
  return { file, manifest: m };
}
