/** build's options that every route passes on the same way (a jail argument, a config's jails, the rssh route). */
import type { BuildOptions } from '../app/build.js';
import { traceLimits } from './trace-limits.js';

/** build's options as commander parses them (src/cli/register-build.ts). */
export interface BuildCliOptions {
  profile: string[];
  user: string[];
  trace: string[];
  cwd: string;
  exclude: string[];
  dryRun?: boolean;
  json?: boolean;
  fullPasswd?: boolean;
  allowSecret: string[];
  allowDevice: string[];
  keepSetuid: string[];
  fixPerms?: boolean;
  withStaticDeps?: boolean;
  sftpServer?: string;
  scp?: string;
  /** Where live traces go; default a folder of this run's in JAIL/.jailtrace/traces/ (src/jail/trace-dir.ts). */
  outputDir?: string;
  fromRsshConf?: string | boolean;
  fromSshdConfig?: string | boolean;
  link: boolean;
  /** --force: trace again even when the jail's recorded inputs are all unchanged. */
  force?: boolean;
  maxPaths: number;
  /** --wait SECONDS for the jail's lock (src/cli/lock-cli.ts). */
  wait?: number;
}

export function sharedBuildOptions(
  o: BuildCliOptions,
): Pick<BuildOptions, 'dryRun' | 'fullPasswd' | 'allowSecrets' | 'allowDevices' | 'keepSetuid' | 'fixPerms' | 'withStaticDeps' | 'limits'> {
  return {
    dryRun: Boolean(o.dryRun),
    fullPasswd: Boolean(o.fullPasswd),
    allowSecrets: o.allowSecret,
    allowDevices: o.allowDevice ?? [],
    keepSetuid: o.keepSetuid,
    fixPerms: Boolean(o.fixPerms),
    withStaticDeps: Boolean(o.withStaticDeps),
    limits: traceLimits(o),
  };
}
