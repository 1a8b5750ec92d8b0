/**
 * `build JAIL --profile rssh --user U` and the rssh jails of `build --from-rssh-conf`: a jail that does not exist yet
 * is not an error. The servers rssh runs (its compiled-in sftp-server and scp) are traced first as the user on the
 * host; the jail is built from those traces; then the real chain — rssh → rssh_chroot_helper (setuid root) → chroot
 * into the new jail → chdir → drop privileges → exec — runs from the host, as `verify --fix` does, and what it still
 * lacks is added. rssh, the helper and rssh.conf run before the chroot: never jail content. The home goes where the
 * helper chdirs (the passwd home minus the chroot path).
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { chainServices, checkChainTarget, rsshJailHomes, rsshSetup } from '../rssh/chain.js';
import { buildCommand, type BuildOptions, type BuildReport } from './build.js';
import { ignoreEvents, note, warning, type OnEvent } from './events.js';
import { verifyCommand, type VerifyReport } from './verify.js';
import { gatherWorkloads } from './workloads.js';
import { isDirectory } from './trace-output.js';
import { runTraceDir, type RunTraceDir } from '../jail/trace-dir.js';
import type { TraceShare } from './trace-share.js';
import type { Workload } from '../workload.js';

/** What an rssh build takes: build's shared options, and where the host traces start and go. */
export interface RsshBuildOptions {
  shared: Pick<BuildOptions, 'dryRun' | 'fullPasswd' | 'allowSecrets' | 'allowDevices' | 'keepSetuid' | 'fixPerms' | 'withStaticDeps' | 'limits'>;
  cwd: string;
  /** --exclude: workload data under these directories is never jail content. */
  exclude: string[];
  /** Where live traces go (src/jail/trace-dir.ts). */
  outputDir?: string;
  /** Many jails from one rssh.conf: the host traces are shared by the jails whose workloads are the same (./trace-share.ts). */
  share?: TraceShare;
}

export interface RsshBuild {
  build: BuildReport;
  /** The real chain into the built jail, one per user, with --fix rounds (none on --dry-run). */
  verify: VerifyReport[];
  warnings: string[];
  users: string[];
  /** With `share`: the jail whose host traces served here, or why this jail's were not shared (the CLI says so with -v). */
  sharing?: { from?: string; unsure?: string };
}

/** Users chrooted into one jail by rssh (one, or several sharing a chroot path in rssh.conf). */
export async function buildRsshJail(jail: string, users: readonly string[], o: RsshBuildOptions, onEvent: OnEvent = ignoreEvents): Promise<RsshBuild> {
  if (users.length === 0)
    throw new UsageError('--profile rssh needs --user NAME', 'the rssh user whose chain is traced (their user= line or chrootpath names the jail)');
  const abs = path.resolve(jail);
  const setups = [];
  for (const u of users) {
    const s = await rsshSetup(u);
    checkChainTarget(s, abs);
    setups.push(s);
  }
  const warnings = [...new Set(setups.flatMap((s) => s.warnings))];
  for (const w of warnings) onEvent(warning(w));
  const { info } = setups[0];
  const services = [...new Set(setups.flatMap((s) => chainServices(s.view)))];
  if (services.length === 0)
    throw new UsageError(
      `${info.configFile}: ${users.join(', ')} may use neither sftp nor scp`,
      `allow them: the access bits (${info.accessBits} digits: rsync rdist cvs sftp scp${info.accessBits === 6 ? ' svnserve' : ''}) or allowsftp/allowscp`,
    );
  onEvent(
    note(
      `rssh ${info.version ?? ''} chroots ${users.join(', ')} into ${abs}: tracing ${services.join(' and ')} on the host first, then the real chain into the jail`,
    ),
  );
  const jailExisted = await isDirectory(abs);
  // the host traces: a folder of this run's in the jail's record dir, --output-dir, or (dry run) a temp dir; with
  // `share`, only when no jail before this one traced the same workload
  let traces: RunTraceDir | undefined;
  let sharing: RsshBuild['sharing'];
  const trace = async (): Promise<Workload[]> => {
    traces = await runTraceDir({ outputDir: o.outputDir, dryRun: o.shared.dryRun }, abs, 'build');
    return gatherWorkloads(
      {
        profiles: services,
        traces: [],
        command: [],
        users: [...users],
        cwd: o.cwd,
        sftpServer: info.sftpServer,
        scp: info.scp,
        outputDir: traces.dir,
        limits: o.shared.limits,
      },
      onEvent,
    );
  };
  const build = await (async () => {
    let workloads: Workload[];
    if (!o.share) workloads = await trace();
    else {
      const got = await o.share.workloads(abs, { profiles: services, user: users[0], sftpServer: info.sftpServer, scp: info.scp }, o.shared.limits, trace);
      sharing = 'shared' in got ? { from: got.shared.tracedFor } : got.unsure ? { unsure: got.unsure } : {};
      workloads = 'shared' in got ? got.shared.workloads : got.traced;
    }
    for (const w of workloads) w.excludes.push(...o.exclude.map((d) => path.resolve(d)));
    return buildCommand({
      jail: abs,
      users: [...users],
      workloads,
      ...o.shared,
      jailExisted,
      recordProfiles: ['rssh'],
      homeInJail: rsshJailHomes(abs),
    });
  })().finally(() => traces?.done());
  const verify: VerifyReport[] = [];
  if (o.shared.dryRun || !build.apply || build.apply.stopped) return { build, verify, warnings, users: [...users], ...(sharing ? { sharing } : {}) };
  for (const u of users) {
    onEvent(note(`running the real chain into ${abs}: ${info.rssh} -c … as ${u}`));
    verify.push(
      await verifyCommand(
        {
          jail: abs,
          profiles: ['rssh'],
          command: [],
          user: u,
          fix: true,
          rounds: 5,
          outputDir: o.outputDir,
          allowSecrets: o.shared.allowSecrets,
          allowDevices: o.shared.allowDevices,
          limits: o.shared.limits,
          lock: false,
        },
        onEvent,
      ),
    );
  }
  return { build, verify, warnings, users: [...users], ...(sharing ? { sharing } : {}) };
}
