/**
 * `sync`: stale, tampered and missing paths → a plan (makePlan's actions from the rules' entries for those paths, with
 * fresh host facts: see judge.ts; the record's own decisions and host facts are never acted on) plus a rewrite of the
 * record. A suspicious record entry (a secret not named with --allow-secret, ...) is refused and left. Applying it goes through src/jail/apply.ts, so every file is replaced by
 * rename: a hard-linked jail file gets a new inode and its other links keep their content.
 */
import fs from 'node:fs/promises';
import { filterAccounts } from '../expand/accounts.js';
import type { JailEntry } from '../expand/expand.js';
import { generatedFiles, makePlan, RECORD_DIR, RECORD_FILE, type JailRecord } from '../plan/make-plan.js';
import type { SourceFacts } from '../jail/apply.js';
import { sortPlan, type Action, type Plan } from '../plan/plan.js';
import { acceptedGenerated, type CheckReport, type Finding } from './check.js';
import { hashSameFile } from './hash.js';
import { IN_JAIL } from './judge.js';

export interface SyncPlan {
  plan: Plan;
  /** Findings sync brings back in line. */
  fixes: Finding[];
  /** Findings sync leaves alone (extra files, setid, writable dirs, a host file that is gone, the jail root). */
  left: Finding[];
  /**
   * Tampered copies that apply's quick check (size, mtime, mode, owner) would take for up to date: they are first
   * replaced by an empty placeholder (by rename) so the copy happens.
   */
  placeholders: string[];
  /** Recorded entries to re-plan, with fresh host facts. */
  targets: Map<string, JailEntry>;
}

const FIXABLE = new Set<Finding['kind']>(['stale', 'tampered', 'missing']);

/** The entry sync plans for a recorded path: the rules' (fresh host facts), or why there is none. */
async function ruledTarget(e: JailEntry, now: JailEntry | undefined): Promise<JailEntry | string> {
  if (!now?.host || !IN_JAIL.has(now.decision)) return 'the rules give nothing at this path now (a symlink on the way on the host?): rebuild the jail';
  // generated content (accounts) is made from the users, not copied: the record's facts of the generated file stand
  if (e.decision === 'generate')
    return now.decision === 'generate' ? { ...now, host: e.host } : `the rules say ${now.decision}, not generate: rebuild the jail`;
  if (now.decision === 'copy' && now.host.type === 'file') {
    const sha256 = await hashSameFile(now.path, now.host);
    return { ...now, host: { ...now.host, ...(sha256 ? { sha256 } : {}) } };
  }
  return now;
}

export async function planSync(check: CheckReport): Promise<SyncPlan> {
  const r = check.record;
  const byPath = new Map(r.entries.map((e) => [e.path, e]));
  const fixes: Finding[] = [];
  const left: Finding[] = [];
  const targets = new Map<string, JailEntry>();
  const hostGone = new Set(check.findings.filter((f) => f.kind === 'host-missing').map((f) => f.path));
  // Files jailtrace generated (passwd, group) are written again from the host's accounts for the accepted users.
  const generated = new Set(acceptedGenerated(r).map((g) => g.path));
  const regenerate = new Set<string>();
  for (const f of check.findings) {
    if (generated.has(f.path) && FIXABLE.has(f.kind)) {
      regenerate.add(f.path);
      fixes.push(f);
      continue;
    }
    const e = byPath.get(f.path);
    if (!FIXABLE.has(f.kind) || !e?.host || f.path === '/' || hostGone.has(f.path)) {
      left.push(f);
      continue;
    }
    if (!targets.has(f.path)) {
      const t = await ruledTarget(e, check.judgement.now.get(f.path));
      if (typeof t === 'string') {
        left.push({ ...f, detail: `${f.detail} (${t})` });
        continue;
      }
      targets.set(f.path, t);
    }
    fixes.push(f);
  }

  const needAccounts = regenerate.size > 0 || [...targets.values()].some((e) => e.decision === 'generate');
  const accounts = needAccounts
    ? filterAccounts(await fs.readFile('/etc/passwd', 'utf8'), await fs.readFile('/etc/group', 'utf8'), check.judgement.users)
    : undefined;
  const { schema: _s, entries: _e, ...rest } = r;
  void _s;
  void _e;
  const made = makePlan({
    jail: check.jail,
    entries: targets.values(),
    accounts,
    homes: false,
    record: { ...rest, users: check.judgement.users },
    keepParents: true,
  });
  const keep = (a: Action): boolean =>
    (targets.has(a.path) || (regenerate.has(a.path) && a.kind === 'write')) && a.path !== '/' && a.path !== RECORD_DIR && a.path !== RECORD_FILE;

  const actions = made.actions.filter(keep);
  const placeholders = fixes
    .filter((f) => f.kind === 'tampered' && f.jail && f.record && targets.get(f.path)?.host?.type === 'file')
    .filter((f) => {
      const h = targets.get(f.path)!.host!;
      return f.jail!.size === h.size && Math.abs((f.jail!.mtimeMs ?? 0) - h.mtimeMs) < 1;
    })
    .map((f) => f.path);
  return { plan: sortPlan({ jail: check.jail, actions }), fixes, left, placeholders, targets };
}

/**
 * The record after a sync: the entries whose actions succeeded take their fresh host facts (with sha256), the
 * entries check found matching take the jail copy's sha256, the rest stay as they were.
 */
export function syncedRecord(
  check: CheckReport,
  s: SyncPlan,
  synced: ReadonlySet<string>,
  replanned: ReadonlyMap<string, SourceFacts> = new Map(),
): JailRecord {
  const entries = check.record.entries.map((e) => {
    const t = s.targets.get(e.path);
    const fresh = replanned.get(e.path);
    if (t?.host && fresh && synced.has(e.path)) {
      // the host replaced the file while syncing (an upgrade, see apply.ts): what was copied is the new file
      const { why: _why, ...facts } = fresh;
      void _why;
      return { ...t, host: { ...t.host, ...facts } };
    }
    if (t && synced.has(e.path) && t.decision !== 'generate') return t;
    const sha = check.hashes.get(e.path);
    return sha && e.host ? { ...e, host: { ...e.host, sha256: sha } } : e;
  });
  // generated files written again take their new hashes
  const written = new Map(generatedFiles(s.plan.actions).map((g) => [g.path, g]));
  const generated = check.record.generated?.map((g) => (synced.has(g?.path) && written.has(g.path) ? written.get(g.path)! : g));
  return { ...check.record, entries, ...(generated ? { generated } : {}) };
}

/** Rewrites the record (apply's write: compared first, replaced by rename). */
export function recordPlan(jail: string, record: JailRecord): Plan {
  return {
    jail,
    actions: [
      {
        kind: 'write',
        path: RECORD_FILE,
        content: JSON.stringify(record, null, 1) + '\n',
        mode: 0o600,
        uid: 0,
        gid: 0,
        reason: 'record updated: fresh host facts and sha256 of the synced files',
      },
    ],
  };
}

/** Placeholder writes for `placeholders` (see SyncPlan): empty, mode 0000, replaced by rename like everything else. */
export function placeholderPlan(jail: string, paths: readonly string[]): Plan {
  return sortPlan({
    jail,
    actions: paths.map((p) => ({
      kind: 'write' as const,
      path: p,
      content: '',
      mode: 0,
      uid: 0,
      gid: 0,
      reason: 'placeholder: the tampered copy matches the host by size and mtime, so it is replaced first',
    })),
  });
}
