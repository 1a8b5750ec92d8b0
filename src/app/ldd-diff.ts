/**
 * `jailtrace ldd-diff`: what ldd (a static DT_NEEDED walk with RUNPATH/$ORIGIN) lists for the traced executables,
 * beside what the trace showed they needed: the "what does ldd miss" report.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { Expander, type JailEntry } from '../expand/expand.js';
import { staticClosure } from '../elf/closure.js';
import type { Manifest } from '../manifest/manifest.js';
import type { TraceLimits } from '../limits.js';
import { platformInfo } from '../platforms/index.js';
import { ignoreEvents, type OnEvent } from './events.js';

export interface LddDiff {
  executables: string[];
  /** Needed at run time but invisible to ldd, grouped by role. */
  invisible: Record<string, string[]>;
  /** Listed by ldd, never loaded by the workload. */
  unused: string[];
  /** In both. */
  both: string[];
}

const real = async (p: string): Promise<string> => realpath(p).catch(() => p);

export async function lddDiff(manifests: Manifest[], excludes: string[] = []): Promise<LddDiff> {
  const ex = new Expander({ platform: platformInfo('linux'), excludes, allowSecrets: new Set(), fullPasswd: true });
  await ex.addManifests(manifests);
  await ex.addInterpreters();
  const entries = [...ex.entries.values()];
  const needed = entries.filter(
    (e) => (e.decision === 'copy' || (e.decision === 'create' && e.role === 'device')) && e.host?.type !== 'dir' && e.host?.type !== 'symlink',
  );
  const executables = entries.filter((e) => e.ops.includes('exec') && e.decision === 'copy' && e.via === 'trace').map((e) => e.path);
  const closure = await staticClosure(executables, {});
  const lddReal = new Set(await Promise.all(closure.files.map((f) => real(f.path))));
  const exeReal = new Set(await Promise.all(executables.map(real)));
  const invisible: Record<string, string[]> = {};
  const both: string[] = [];
  const neededReal = new Set<string>();
  for (const e of needed) {
    const r = await real(e.path);
    neededReal.add(r);
    if (exeReal.has(r) && e.role !== 'shell') continue;
    if (lddReal.has(r)) both.push(e.path);
    else (invisible[group(e)] ??= []).push(e.path);
  }
  const unused = closure.files.filter((f) => !neededReal.has(f.realpath)).map((f) => f.path);
  for (const k of Object.keys(invisible)) invisible[k].sort();
  return { executables, invisible, unused: [...new Set(unused)].sort(), both: both.sort() };
}

function group(e: JailEntry): string {
  switch (e.role) {
    case 'nss-module':
      return 'NSS modules';
    case 'library':
      return 'dlopened libraries';
    case 'locale':
      return 'locale, gconv and timezone files';
    case 'config':
    case 'account':
      return 'configuration files';
    case 'device':
      return 'devices';
    case 'shell':
      return 'shells';
    case 'executable':
    case 'loader':
      return 'interpreters and other programs';
    default:
      return 'other files';
  }
}

export interface LddDiffOptions {
  profiles: string[];
  users: string[];
  cwd: string;
  /** --exclude: workload data under these directories is left out. */
  exclude: string[];
  limits: TraceLimits;
}

/** `jailtrace ldd-diff`: traces (or a fresh run of the profiles, its traces not kept) → the comparison. */
export async function lddDiffCommand(traces: string[], o: LddDiffOptions, onEvent: OnEvent = ignoreEvents): Promise<LddDiff> {
  const { loadManifests } = await import('./load.js');
  const { gatherWorkloads } = await import('./workloads.js');
  // a profile's traces are read here and not kept: a private temp dir, removed (src/jail/trace-dir.ts)
  const { privateTraceDir } = await import('../jail/trace-dir.js');
  const scratch = o.profiles.length > 0 ? await privateTraceDir('ldd-diff') : undefined;
  const { workloads, manifests } = await (async () => {
    const workloads = await gatherWorkloads(
      { profiles: o.profiles, traces, command: [], users: o.users, cwd: o.cwd, outputDir: scratch?.dir ?? '.', limits: o.limits },
      onEvent,
    );
    return { workloads, manifests: await loadManifests(workloads, o.limits) };
  })().finally(() => scratch?.done());
  return lddDiff(manifests, [...o.exclude.map((x) => path.resolve(x)), ...workloads.flatMap((w) => w.excludes)]);
}
