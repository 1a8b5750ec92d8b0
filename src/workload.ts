/**
 * A workload: what produced the traces a jail is built from (a built-in profile run, a traced command, or recorded
 * traces), with the steps that ran and how each ended. build, verify and capture gather them (src/app/workloads.ts);
 * src/app/load.ts turns them into manifests.
 */
import type { Manifest } from './manifest/manifest.js';

export interface Workload {
  /** What produced the traces (a profile name, `command`, or `trace`). */
  kind: 'profile' | 'command' | 'trace';
  name: string;
  traces: string[];
  cwd: string;
  excludes: string[];
  /**
   * What ran, and the checks of what it did: a process step has its exit status or signal; a `check` step (a transfer
   * arrived whole) has neither, only ok and, when it failed, why in `stderr`.
   */
  steps: Array<{ description: string; ok: boolean; exitCode?: number; signal?: string; timedOut?: boolean; check?: boolean; stderr?: string; stdout?: string }>;
  argv?: string[];
  /** Manifests already parsed (live capture); otherwise `traces` are parsed. */
  manifests?: Manifest[];
}
