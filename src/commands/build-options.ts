/** build's options that every route passes on the same way (a jail argument, a config's jails, the rssh route). */
import type { BuildCliOptions } from './register-build.js';
import { traceLimits } from './trace-limits.js';

export function sharedBuildOptions(o: BuildCliOptions) {
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
