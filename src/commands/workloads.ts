/** Turn build/verify options into workloads: recorded traces, a traced command, or built-in profiles. */
import path from 'node:path';
import type { TraceLimits } from '../limits.js';
import type { Output } from '../output.js';
import { scratchOf } from '../manifest/trace-meta.js';
import type { Workload } from './build.js';

export interface WorkloadOptions {
  profiles: string[];
  traces: string[];
  command: string[];
  users: string[];
  cwd: string;
  sftpServer?: string;
  scp?: string;
  outputDir: string;
  timeoutMs?: number;
  /** Caps on what a trace may make us hold (live captures). */
  limits?: TraceLimits;
  /** Extra profile options (verify runs the profile inside a jail). */
  profileExtra?: Partial<import('../profiles/types.js').ProfileOptions>;
}

export async function gatherWorkloads(o: WorkloadOptions, out: Output): Promise<Workload[]> {
  const workloads: Workload[] = [];
  if (o.traces.length > 0) {
    const traces = o.traces.map((t) => path.resolve(t));
    // a profile's recorded scratch roots (TRACE.meta.json) are workload data here too
    workloads.push({ kind: 'trace', name: 'trace', traces, cwd: path.resolve(o.cwd), excludes: await scratchOf(traces), steps: [] });
  }
  if (o.command.length > 0 || o.profiles.length > 0) {
    const { runWorkloads } = await import('./run-workloads.js');
    workloads.push(...(await runWorkloads(o, out)));
  }
  return workloads;
}
