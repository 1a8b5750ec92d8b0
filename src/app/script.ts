/**
 * `jailtrace script`: traces recorded on another host → a POSIX sh script that builds the jail there (see
 * src/script/host-script.ts). Parses, plans and renders; writes the script only where the CLI asks (--output).
 */
import path from 'node:path';
import { openOutputFile, OutputFileError } from '../output-file.js';
import { systemDirRule } from '../jail/system-dirs.js';
import type { DialectName } from '../../parsers/types.js';
import { ApplyError, UsageError } from '../errors.js';
import type { Manifest } from '../manifest/manifest.js';
import { platformInfo } from '../platforms/index.js';
import { planHostNeeds, type HostNeeds } from '../script/host-needs.js';
import { renderHostScript, USER_NAME } from '../script/host-script.js';
import { PLATFORMS, type Platform } from '../syscalls.js';
import type { TraceLimits } from '../limits.js';
import { parseTraces } from '../trace.js';

export interface ScriptCommandOptions {
  jail: string;
  users: string[];
  platform?: string;
  format?: DialectName | 'auto';
  cwd: string;
  excludes: string[];
  keepSetuid: string[];
  /** --allow-device: device nodes the script makes beyond the platform's safe list. */
  allowDevices?: string[];
  /** jailtrace's version, for the script header. */
  version?: string;
  limits?: TraceLimits;
}

export interface ScriptReport {
  script: string;
  platform: Platform;
  manifests: Manifest[];
  needs: HostNeeds;
}

export async function scriptCommand(traces: string[], o: ScriptCommandOptions): Promise<ScriptReport> {
  if (!o.jail.startsWith('/'))
    throw new UsageError(`--jail ${JSON.stringify(o.jail)} is not absolute`, 'name the jail directory as the host will see it, e.g. --jail /srv/jail');
  // the target host's layout is not ours to look at: the rows alone (src/jail/system-dirs.ts), on the path as given
  const rule = systemDirRule(path.posix.normalize(o.jail));
  if (rule)
    throw new UsageError(
      `--jail ${o.jail} is ${rule.dir === path.posix.normalize(o.jail).replace(/(.)\/$/, '$1') ? '' : `inside ${rule.dir}, `}${rule.why}: refusing to build a jail there`,
      'name a directory of its own, such as /srv/jail/NAME or /var/jail/NAME',
    );
  for (const u of o.users)
    if (!USER_NAME.test(u)) throw new UsageError(`--user ${JSON.stringify(u)} is not a portable user name`, 'letters, digits, ".", "_" and "-"');
  if (o.platform !== undefined && !PLATFORMS.includes(o.platform as Platform))
    throw new UsageError(`unknown platform ${JSON.stringify(o.platform)}`, `one of ${PLATFORMS.join(', ')}`);
  const forced = o.platform as Platform | undefined;
  const manifests: Manifest[] = [];
  for (const t of traces) manifests.push(await parseTraces([t], { format: o.format, cwd: o.cwd, platform: forced, limits: o.limits }));
  const platforms = [...new Set(manifests.map((m) => m.source.platform as Platform))];
  if (!forced && platforms.length > 1) {
    throw new UsageError(
      `the traces come from different platforms (${platforms.join(', ')})`,
      "one script is for one host: give that host's traces, or name it with --platform",
    );
  }
  const platform = forced ?? platforms[0];
  const input = {
    manifests,
    platform: platformInfo(platform),
    jail: path.posix.normalize(o.jail).replace(/\/$/, ''),
    users: o.users,
    excludes: o.excludes,
    keepSetuid: o.keepSetuid,
    allowDevices: o.allowDevices ?? [],
    version: o.version,
  };
  return { script: renderHostScript(input), platform, manifests, needs: planHostNeeds(input) };
}

/** Write the script where --output says, executable: never through a name someone else planted (src/output-file.ts). */
export async function writeScript(file: string, script: string): Promise<void> {
  const fh = await openOutputFile(file, 0o755).catch((e: unknown) => {
    throw new ApplyError(
      file,
      `cannot write the script: ${e instanceof OutputFileError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e))}`,
      'check the directory and permissions; write it where only you can',
    );
  });
  try {
    await fh.writeFile(script);
    await fh.chmod(0o755);
  } finally {
    await fh.close();
  }
}

/** What the script will do, for stderr: one line each. */
