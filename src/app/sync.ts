/**
 * `jailtrace sync`: check the jail against its record and the host, plan the fixes (src/check/sync.ts), apply them
 * (placeholders first, then the copies), and write the record last from what was really done.
 */
import type { InodeHashes } from '../check/hash.js';
import { checkJail, type CheckReport } from '../check/check.js';
import { placeholderPlan, planSync, recordPlan, syncedRecord } from '../check/sync.js';
import { applyPlan, type ApplyReport } from '../jail/apply.js';

export interface SyncOptions {
  dryRun?: boolean;
  allowSecrets?: string[];
  allowDevices?: string[];
  /** One run over many jails: each inode is hashed once (src/check/hash.ts). */
  hashes?: InodeHashes;
}

export interface SyncResult {
  check: CheckReport;
  sync: Awaited<ReturnType<typeof planSync>>;
  /** Every apply result, the record's included. */
  results: ApplyReport['results'];
}

export async function syncJail(jail: string, o: SyncOptions): Promise<SyncResult> {
  const check = await checkJail(jail, { allowSecrets: o.allowSecrets, allowDevices: o.allowDevices, hashes: o.hashes });
  const s = await planSync(check);
  const reports: ApplyReport[] = [];
  if (s.placeholders.length > 0) reports.push(await applyPlan(placeholderPlan(check.jail, s.placeholders), { dryRun: o.dryRun }));
  const main = s.plan.actions.length > 0 ? await applyPlan(s.plan, { dryRun: o.dryRun }) : undefined;
  if (main) reports.push(main);
  // The record last, from what was really done: a failed copy keeps its old facts, so check still reports it.
  const synced = new Set((main?.results ?? []).filter((x) => x.result === 'done' || x.result === 'up-to-date').map((x) => x.action.path));
  const replanned = new Map((main?.results ?? []).flatMap((x) => (x.replanned ? [[x.action.path, x.replanned] as const] : [])));
  if (!o.dryRun) reports.push(await applyPlan(recordPlan(check.jail, syncedRecord(check, s, synced, replanned))));
  return { check, sync: s, results: reports.flatMap((r) => r.results) };
}
