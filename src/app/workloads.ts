/** Turn build/verify options into workloads: recorded traces, a traced command, or built-in profiles. */
export type { WorkloadOptions } from './run-workloads.js';
import path from 'node:path';
import type { OnEvent } from './events.js';
import type { WorkloadOptions } from './run-workloads.js';
import { scratchOf } from '../manifest/trace-meta.js';
import type { Workload } from '../workload.js';

export async function gatherWorkloads(o: WorkloadOptions, onEvent?: OnEvent): Promise<Workload[]> {
  const workloads: Workload[] = [];
  if (o.traces.length > 0) {
    const traces = o.traces.map((t) => path.resolve(t));
    // a profile's recorded scratch roots (TRACE.meta.json) are workload data here too
    workloads.push({ kind: 'trace', name: 'trace', traces, cwd: path.resolve(o.cwd), excludes: await scratchOf(traces), steps: [] });
  }
  if (o.command.length > 0 || o.profiles.length > 0) {
    const { runWorkloads } = await import('./run-workloads.js');
    workloads.push(...(await runWorkloads(o, onEvent)));
  }
  return workloads;
}
