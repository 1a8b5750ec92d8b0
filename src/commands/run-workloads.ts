/** Live workloads: profiles and commands run under the tracer (src/capture, src/profiles). */
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';
import type { Workload } from './build.js';
import type { WorkloadOptions } from './workloads.js';

export async function runWorkloads(_o: WorkloadOptions, _out: Output): Promise<Workload[]> {
  throw new UsageError('live tracing is not wired yet', 'use --trace FILE');
}
