/**
 * `build --from-sshd-config`: the config read the way sshd reads it (Includes: src/config/sshd-include.ts) and the
 * accounts Match User/Group are resolved against. The internal-sftp jails' workload: none, only the layout.
 */
import { readIncludes } from '../config/sshd-include.js';
import { parseAccounts } from '../config/sshd-match.js';
import type { Workload } from '../workload.js';
import type { JailSpec } from './jail-spec.js';
import { jailsFromSshdConfig } from './sshd-jails.js';

export function sshdSpecs(file: string, text: string, passwd: string, group: string): JailSpec[] {
  return jailsFromSshdConfig(text, { file, include: readIncludes, accounts: parseAccounts(passwd, group) });
}

/** The workload of a layout-only jail: no trace, nothing to copy; the plan still makes the root, the homes and the record. */
export function layoutWorkload(why: string): Workload {
  return { kind: 'trace', name: 'layout', traces: [], cwd: '/', excludes: [], steps: [{ description: `no program to trace: ${why}`, ok: true }] };
}
