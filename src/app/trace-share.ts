/**
 * One trace per distinct workload across the jails of one `build --from-rssh-conf` / `--from-sshd-config` run. The
 * first jail with a key (./workload-key.ts) traces and its traces are parsed once; later jails with the same key reuse
 * the parsed manifests, and their records cite the first jail's trace files. A jail whose key is unsure is traced
 * again, and the event says why (shown with -v).
 */
import { readFile } from 'node:fs/promises';
import { parsePasswd } from '../config/passwd.js';
import { lookupUser, type PasswdEntry } from '../profiles/workspace.js';
import type { Workload } from '../workload.js';
import type { TraceLimits } from '../limits.js';
import { loadManifests } from './load.js';
import { workloadKey, type KeyInput } from './workload-key.js';

export interface Shared {
  workloads: Workload[];
  /** The jail that traced them. */
  tracedFor: string;
}

export type ShareOutcome = { shared: Shared } | { traced: Workload[]; unsure?: string };

export class TraceShare {
  private readonly byKey = new Map<string, Shared>();
  /** Jails that traced, and jails that reused a trace. */
  traced = 0;
  reused = 0;
  /** Content hashes of host files, by identity, for every jail of the run (BuildOptions.hashes). */
  readonly hashes = new Map<string, string>();
  private passwd?: Promise<Map<string, PasswdEntry>>;

  /** /etc/passwd read once for the run; a user not there (NSS: LDAP, sssd) is asked of getent. */
  private async lookup(name: string): Promise<PasswdEntry | undefined> {
    this.passwd ??= readFile('/etc/passwd', 'utf8').then(
      (t) => new Map(parsePasswd(t).map((e) => [e.name, { name: e.name, uid: e.uid, gid: e.gid, home: e.home, shell: e.shell }])),
      () => new Map(),
    );
    return (await this.passwd).get(name) ?? (await lookupUser(name).catch(() => undefined));
  }

  /**
   * The workloads for `jail`: a shared trace when one with the same facts exists, else `trace()` (run, parsed, and
   * kept for the jails after).
   */
  async workloads(jail: string, input: KeyInput, limits: TraceLimits | undefined, trace: () => Promise<Workload[]>): Promise<ShareOutcome> {
    const k = await workloadKey({ lookup: (u) => this.lookup(u), ...input });
    const have = k.key !== undefined ? this.byKey.get(k.key) : undefined;
    if (have) {
      this.reused++;
      // a copy per jail: the build adds nothing to them, but no jail's report should alias another's
      return { shared: { tracedFor: have.tracedFor, workloads: have.workloads.map((w) => ({ ...w, excludes: [...w.excludes], traces: [...w.traces] })) } };
    }
    const traced = await trace();
    this.traced++;
    // parsed once here, not once per jail; a failed step keeps the workload out of the share (the next jail retries)
    for (const w of traced) if (!w.manifests && w.traces.length > 0) w.manifests = await loadManifests([w], limits);
    if (k.key !== undefined && traced.every((w) => w.steps.every((s) => s.ok))) this.byKey.set(k.key, { workloads: traced, tracedFor: jail });
    return { traced, ...(k.key === undefined ? { unsure: k.unsure } : {}) };
  }
}
