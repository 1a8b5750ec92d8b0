/** Workloads → manifests: each trace parsed (a `.json` manifest is read as it is). */
import { readFile } from 'node:fs/promises';
import type { TraceLimits } from '../limits.js';
import type { Manifest } from '../manifest/manifest.js';
import { MANIFEST_SCHEMA } from '../manifest/manifest.js';
import { parseTraces } from '../trace.js';
import type { Workload } from '../workload.js';

export async function loadManifests(workloads: Workload[], limits?: TraceLimits): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const w of workloads) {
    if (w.manifests) {
      out.push(...w.manifests);
      continue;
    }
    for (const t of w.traces) {
      if (t.endsWith('.json')) {
        const m = JSON.parse(await readFile(t, 'utf8')) as Manifest;
        if (m.schema === MANIFEST_SCHEMA) {
          out.push(m);
          continue;
        }
      }
      out.push(await parseTraces([t], { cwd: w.cwd, limits }));
    }
  }
  return out;
}
