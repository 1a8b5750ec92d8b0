/**
 * `build JAIL --profile rssh --user U` and the rssh jails of `build --from-rssh-conf`: a jail that does not exist yet
 * is not an error. The servers rssh runs (its compiled-in sftp-server and scp) are traced first as the user on the
 * host; the jail is built from those traces; then the real chain — rssh → rssh_chroot_helper (setuid root) → chroot
 * into the new jail → chdir → drop privileges → exec — runs from the host, as `verify --fix` does, and what it still
 * lacks is added. rssh, the helper and rssh.conf run before the chroot: never jail content. The home goes where the
 * helper chdirs (the passwd home minus the chroot path).
 */
import path from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { chainServices, checkChainTarget, installedRssh, rsshJailHomes, rsshSetup } from '../rssh/chain.js';
import type { RsshAccessBits } from '../config/rssh-conf.js';
import { buildCommand, type BuildOptions, type BuildReport } from './build.js';
import { renderBuild } from './build-cli.js';
import type { BuildCliOptions } from './register-build.js';
import { sharedBuildOptions } from './build-options.js';
import { traceLimits } from './trace-limits.js';
import { renderVerify, verifyCommand, type VerifyReport } from './verify.js';
import { gatherWorkloads } from './workloads.js';
import { isDirectory } from './trace-output.js';
import { runTraceDir } from '../jail/trace-dir.js';

export interface RsshBuild {
  build: BuildReport;
  /** The real chain into the built jail, one per user, with --fix rounds (none on --dry-run). */
  verify: VerifyReport[];
  warnings: string[];
  users: string[];
}

/** Users chrooted into one jail by rssh (one, or several sharing a chroot path in rssh.conf). */
export async function buildRsshJail(jail: string, users: readonly string[], o: BuildCliOptions, out: Output): Promise<RsshBuild> {
  if (users.length === 0) throw new UsageError('--profile rssh needs --user NAME', 'the rssh user whose chain is traced (their user= line or chrootpath names the jail)');
  const abs = path.resolve(jail);
  const setups = [];
  for (const u of users) {
    const s = await rsshSetup(u);
    checkChainTarget(s, abs);
    setups.push(s);
  }
  const warnings = [...new Set(setups.flatMap((s) => s.warnings))];
  for (const w of warnings) out.note(`warning: ${w}`);
  const { info } = setups[0];
  const services = [...new Set(setups.flatMap((s) => chainServices(s.view)))];
  if (services.length === 0) throw new UsageError(`${info.configFile}: ${users.join(', ')} may use neither sftp nor scp`, `allow them: the access bits (${info.accessBits} digits: rsync rdist cvs sftp scp${info.accessBits === 6 ? ' svnserve' : ''}) or allowsftp/allowscp`);
  out.note(`rssh ${info.version ?? ''} chroots ${users.join(', ')} into ${abs}: tracing ${services.join(' and ')} on the host first, then the real chain into the jail`);
  const jailExisted = await isDirectory(abs);
  // the host traces: a folder of this run's in the jail's record dir, --output-dir, or (dry run) a temp dir
  const traces = await runTraceDir(o, abs, 'build');
  const build = await (async () => {
    const workloads = await gatherWorkloads(
      { profiles: services, traces: [], command: [], users: [...users], cwd: o.cwd, sftpServer: info.sftpServer, scp: info.scp, outputDir: traces.dir, limits: traceLimits(o) },
      out,
    );
    for (const w of workloads) w.excludes.push(...o.exclude.map((d) => path.resolve(d)));
    return buildCommand({
      jail: abs,
      users: [...users],
      workloads,
      ...sharedBuildOptions(o),
      jailExisted,
      recordProfiles: ['rssh'],
      homeInJail: rsshJailHomes(abs),
    });
  })().finally(() => traces.done());
  const verify: VerifyReport[] = [];
  if (o.dryRun || !build.apply || build.apply.stopped) return { build, verify, warnings, users: [...users] };
  for (const u of users) {
    out.note(`running the real chain into ${abs}: ${info.rssh} -c … as ${u}`);
    verify.push(await verifyCommand({ jail: abs, profiles: ['rssh'], command: [], user: u, fix: true, rounds: 5, outputDir: o.outputDir, allowSecrets: o.allowSecret, allowDevices: o.allowDevice, limits: traceLimits(o), lock: false }, out));
  }
  return { build, verify, warnings, users: [...users] };
}

/** The verify part of the report, and the exit code of an rssh build: a chain that still fails is a failed build. */
export function rsshOutcome(r: RsshBuild): { text: string; exit: number } {
  const text = r.verify.map((v, i) => `the real chain as ${r.users[i]} (rssh → rssh_chroot_helper → chroot ${v.jail}):\n${renderVerify(v).replace(/^(?=.)/gm, '  ')}`).join('');
  return { text, exit: r.verify.every((v) => v.ok) ? EXIT.OK : EXIT.PROGRAM };
}

/**
 * `build --from-rssh-conf FILE`: when FILE is the installed rssh's config, each jail with named users takes the rssh
 * route above (the real chain runs); otherwise (another file, or chrootpath users not named with --user) the jails are
 * built from the host traces alone, with the homes where the helper will chdir, and a note says the chain did not run.
 */
export async function rsshManyRoute(file: string, out: Output): Promise<{
  installed: boolean;
  installedBits?: RsshAccessBits;
  build: (jail: string, users: readonly string[], o: BuildCliOptions, g: { verbose?: boolean }, chainFailed: (failed: boolean) => void) => Promise<BuildReport>;
  fallback: (jail: string) => Pick<BuildOptions, 'recordProfiles' | 'homeInJail'>;
}> {
  const info = await installedRssh(file);
  if (!info) out.note(`${file} is not the config of an installed rssh: the jails are built from host traces only; the real chain (rssh → helper → chroot) is not run (jailtrace verify JAIL --profile rssh --user U runs it later)`);
  return {
    installed: info !== undefined,
    installedBits: info?.accessBits,
    build: async (jail, users, o, g, chainFailed) => {
      const r = await buildRsshJail(jail, users, o, out);
      const outcome = rsshOutcome(r);
      if (!o.json) out.result(renderBuild(r.build, Boolean(g.verbose)) + outcome.text);
      chainFailed(outcome.exit !== EXIT.OK || r.build.workloads.some((w) => w.steps.some((s) => !s.ok)));
      return r.build;
    },
    fallback: (jail) => ({ homeInJail: rsshJailHomes(path.resolve(jail)) }),
  };
}
