/** `jailtrace check` and `jailtrace sync`: run the check and show the findings; show what sync (src/app/sync.ts) did. */
import { syncJail } from '../app/sync.js';
import type { InodeHashes } from '../check/hash.js';
import { checkJail, hasProblems, type CheckReport, type Finding } from '../check/check.js';
import { EXIT } from '../errors.js';
import { describeAction, renderDryRun } from '../jail/render.js';
import type { Output } from './output.js';

const ORDER: Finding['kind'][] = ['root', 'suspicious-record', 'stale', 'host-missing', 'tampered', 'missing', 'extra', 'setid', 'writable-dir'];

export function renderFindings(r: CheckReport): string {
  const lines: string[] = [];
  for (const kind of ORDER) {
    const list = r.findings.filter((f) => f.kind === kind);
    if (list.length === 0) continue;
    lines.push(`${kind} (${list.length}):`);
    for (const f of list) lines.push(`  ${f.severity === 'note' ? 'note: ' : ''}${f.path}: ${f.detail}`);
  }
  const problems = r.findings.filter((f) => f.severity === 'problem').length;
  lines.push(
    problems
      ? `${r.jail}: ${problems} problem(s) in ${r.checked} recorded paths` +
          (r.findings.some((f) => ['stale', 'tampered', 'missing'].includes(f.kind)) ? ' (jailtrace sync fixes stale, tampered and missing files)' : '')
      : `${r.jail}: clean (${r.checked} recorded paths)`,
  );
  if (r.findings.some((f) => f.kind === 'suspicious-record')) lines.push(SUSPICIOUS_HINT);
  return lines.join('\n') + '\n';
}

const SUSPICIOUS_HINT =
  'the record asks for what the rules do not give (it may come from a backup or another host): nothing is done with those entries; rebuild the jail, or name a secret it should hold with --allow-secret (a device node with --allow-device)';

const findingJson = (f: Finding): Finding => f;
const suspiciousIn = (fs: readonly Finding[]): Finding[] => fs.filter((f) => f.kind === 'suspicious-record');

/** Options of check and sync that `check JAIL...` shares across its jails (the inode hashes: src/check/hash.ts). */
export interface JudgeCliOptions {
  json?: boolean;
  allowSecret?: string[];
  allowDevice?: string[];
  hashes?: InodeHashes;
  /** Several jails: each one's JSON goes here, the caller prints one document. */
  collect?: (json: unknown) => void;
}

export async function runCheck(jail: string, o: JudgeCliOptions, out: Output): Promise<number> {
  const r = await checkJail(jail, { allowSecrets: o.allowSecret, allowDevices: o.allowDevice, hashes: o.hashes });
  const json = () => ({
    schema: 'jailtrace.check/1',
    jail: r.jail,
    checked: r.checked,
    clean: !hasProblems(r),
    suspicious: suspiciousIn(r.findings).length,
    findings: r.findings.map(findingJson),
  });
  if (o.json) (o.collect ?? ((v: unknown) => out.json(v)))(json());
  else out.result(renderFindings(r));
  return hasProblems(r) ? EXIT.FOUND : EXIT.OK;
}

export async function runSync(jail: string, o: JudgeCliOptions & { dryRun?: boolean }, out: Output): Promise<number> {
  const { check, sync: s, results } = await syncJail(jail, { dryRun: o.dryRun, allowSecrets: o.allowSecret, allowDevices: o.allowDevice, hashes: o.hashes });
  const bad = results.filter((x) => x.result === 'failed' || x.result === 'refused');
  const suspicious = suspiciousIn(s.left);
  if (o.json) {
    (o.collect ?? ((v: unknown) => out.json(v)))({
      schema: 'jailtrace.sync/1',
      jail: check.jail,
      dryRun: Boolean(o.dryRun),
      fixes: s.fixes,
      left: s.left,
      placeholders: s.placeholders,
      suspicious: suspicious.length,
      results: results.map((x) => ({ path: x.action.path, kind: x.action.kind, result: x.result, detail: x.detail })),
    });
  } else {
    const lines: string[] = [];
    if (s.fixes.length === 0) lines.push(`${check.jail}: nothing stale, tampered or missing`);
    else if (o.dryRun) lines.push(`dry run: nothing written. Plan for ${check.jail}:`, renderDryRun(s.plan).trimEnd());
    else {
      for (const f of s.fixes) lines.push(`${f.kind}: ${f.path}`);
      for (const x of results.filter((x) => x.result === 'done' && x.action.path !== '/.jailtrace/manifest.json'))
        lines.push(`  ${x.detail ?? describeAction(x.action)}`);
    }
    for (const x of bad) lines.push(`  ${x.result}: ${describeAction(x.action)}${x.detail ? ` — ${x.detail}` : ''}`);
    for (const f of suspicious) lines.push(`refused (suspicious record): ${f.path}: ${f.detail}`);
    for (const f of s.left.filter((x) => x.severity === 'problem' && x.kind !== 'suspicious-record'))
      lines.push(`left as is: ${f.kind} ${f.path}: ${f.detail}`);
    if (suspicious.length) lines.push(SUSPICIOUS_HINT);
    out.result(lines.join('\n') + '\n');
  }
  return bad.length > 0 ? EXIT.APPLY : suspicious.length > 0 ? EXIT.FOUND : EXIT.OK;
}
