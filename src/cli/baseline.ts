/** `jailtrace baseline list|show|rm`: the stored baselines (src/diff/baseline.ts says where they live). */
import { defaultBaselinesDir, listBaselines, loadBaseline, removeBaseline } from '../diff/baseline.js';
import { needsFromManifest } from '../diff/needs.js';
import { EXIT, UsageError } from '../errors.js';
import type { Output } from './output.js';
import { platformInfo } from '../platforms/index.js';

export async function runBaselineList(o: { baselines?: string; json?: boolean }, out: Output): Promise<number> {
  const dir = o.baselines ?? defaultBaselinesDir();
  const list = await listBaselines(dir);
  if (o.json) out.json({ schema: 'jailtrace.baselines/1', dir, baselines: list });
  else if (list.length === 0) out.note(`no baselines in ${dir} (store one with: jailtrace baseline save NAME TRACE...)`);
  else out.result(list.map((b) => `${b.name}\t${b.paths} paths\tsaved ${b.saved}\t${b.traces.join(', ')}`).join('\n') + '\n');
  return EXIT.OK;
}

export async function runBaselineShow(name: string, o: { baselines?: string; json?: boolean }, out: Output): Promise<number> {
  const b = await loadBaseline(name, o.baselines);
  if (b.legacy) out.note(`read from the old place ${b.file}: move it to ${defaultBaselinesDir()}/`);
  if (o.json) {
    out.json(b.manifest);
    return EXIT.OK;
  }
  const needs = needsFromManifest(b.manifest, platformInfo(b.manifest.source.platform as never));
  const byRole = new Map<string, string[]>();
  for (const n of needs) byRole.set(n.role, [...(byRole.get(n.role) ?? []), `  ${n.path}`]);
  const lines = [`baseline ${name} (${b.file}): ${needs.length} paths from ${b.manifest.source.files.join(', ')}`];
  for (const role of [...byRole.keys()].sort()) lines.push('', `${role}:`, ...byRole.get(role)!);
  out.result(lines.join('\n') + '\n');
  return EXIT.OK;
}

export async function runBaselineRm(name: string, o: { baselines?: string }, out: Output): Promise<number> {
  const file = await removeBaseline(name, o.baselines);
  if (!file)
    throw new UsageError(`no baseline ${JSON.stringify(name)} in ${o.baselines ?? defaultBaselinesDir()}`, 'jailtrace baseline list shows the stored ones');
  out.note(`baseline ${name} removed (${file})`);
  return EXIT.OK;
}
