/** `jailtrace export`: what traces need (or a jail holds) in other tools' formats. */
import path from 'node:path';
import type { DialectName } from '../../parsers/types.js';
import { Expander, type JailEntry } from '../expand/expand.js';
import { readJailRecord } from '../check/jail-read.js';
import { requireJailArg } from '../app/jail-arg.js';
import { EXIT, UsageError } from '../errors.js';
import { filesFrom } from '../interop/files-from.js';
import { jkIni } from '../interop/jk-ini.js';
import type { Output } from './output.js';
import { platformInfo } from '../platforms/index.js';
import { parseTraces } from '../trace.js';
import { traceLimits } from './trace-limits.js';

export interface ExportCliOptions {
  filesFrom?: boolean;
  jkIni?: string;
  jail?: string;
  cwd: string;
  format: string;
  exclude: string[];
  maxPaths?: number;
}

/** Entries as build would expand them (interpreters included), or a jail's recorded ones. */
async function entriesOf(traces: string[], o: ExportCliOptions): Promise<JailEntry[]> {
  if (o.jail !== undefined) {
    await requireJailArg(o.jail, 'existing', 'export');
    return (await readJailRecord(path.resolve(o.jail))).entries;
  }
  const ex = new Expander({ platform: platformInfo('linux'), excludes: o.exclude.map((d) => path.resolve(d)), allowSecrets: new Set(), fullPasswd: false });
  for (const t of traces) await ex.addManifests([await parseTraces([t], { cwd: o.cwd, format: o.format as DialectName | 'auto', limits: traceLimits(o) })]);
  await ex.addInterpreters();
  return [...ex.entries.values()];
}

export async function runExport(traces: string[], o: ExportCliOptions, out: Output): Promise<number> {
  if (Boolean(o.filesFrom) === (o.jkIni !== undefined)) throw new UsageError('give one of --files-from or --jk-ini SECTION');
  if ((o.jail !== undefined) === traces.length > 0) throw new UsageError('give TRACE... or --jail JAIL (one of them)');
  const entries = await entriesOf(traces, o);
  if (o.filesFrom) {
    out.result(filesFrom(entries).toString('utf8'));
    return EXIT.OK;
  }
  let ini;
  try {
    ini = jkIni(o.jkIni!, entries);
  } catch (e) {
    throw new UsageError((e as Error).message, 'a section name is letters, digits, _ . -');
  }
  out.result(ini.text);
  for (const p of ini.skipped) out.note(`not in the jk_init section (a comma or edge spaces cannot be written there): ${JSON.stringify(p)}`);
  return EXIT.OK;
}
