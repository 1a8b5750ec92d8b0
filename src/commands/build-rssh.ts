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
import { chainServices, checkChainTarget, rsshJailHomes, rsshSetup } from '../rssh/chain.js';
import { buildCommand, type BuildReport } from './build.js';
import type { BuildCliOptions } from './register-build.js';
import { traceLimits } from './trace-limits.js';
import { renderVerify, verifyCommand, type VerifyReport } from './verify.js';
import { gatherWorkloads } from './workloads.js';

export interface RsshBuild {
  build: BuildReport;
  /** The real chain into the built jail, with --fix rounds (absent on --dry-run). */
  verify?: VerifyReport;
  warnings: string[];
}

export async function buildRsshJail(jail: string, user: string | undefined, o: BuildCliOptions, out: Output): Promise<RsshBuild> {
  if (!user) throw new UsageError('--profile rssh needs --user NAME', 'the rssh user whose chain is traced (their user= line or chrootpath names the jail)');
  const abs = path.resolve(jail);
  const setup = await rsshSetup(user);
  checkChainTarget(setup, abs);
  const services = chainServices(setup.view);
  if (services.length === 0) throw new UsageError(`${setup.file}: ${user} may use neither sftp nor scp`, `allow them: the access bits (${setup.info.accessBits} digits: rsync rdist cvs sftp scp${setup.info.accessBits === 6 ? ' svnserve' : ''}) or allowsftp/allowscp`);
  for (const w of setup.warnings) out.note(`warning: ${w}`);
  out.note(`rssh ${setup.info.version ?? ''} chroots ${user} into ${abs}: tracing ${services.join(' and ')} on the host first, then the real chain into the jail`);
  const workloads = await gatherWorkloads(
    { profiles: services, traces: [], command: [], users: [user], cwd: o.cwd, sftpServer: setup.info.sftpServer, scp: setup.info.scp, outputDir: o.outputDir, limits: traceLimits(o) },
    out,
  );
  for (const w of workloads) w.excludes.push(...o.exclude.map((d) => path.resolve(d)));
  const build = await buildCommand({
    jail: abs,
    users: [user],
    workloads,
    dryRun: Boolean(o.dryRun),
    fullPasswd: Boolean(o.fullPasswd),
    allowSecrets: o.allowSecret,
    keepSetuid: o.keepSetuid,
    fixPerms: Boolean(o.fixPerms),
    withStaticDeps: Boolean(o.withStaticDeps),
    limits: traceLimits(o),
    recordProfiles: ['rssh'],
    homeInJail: rsshJailHomes(abs),
  });
  if (o.dryRun || !build.apply || build.apply.stopped) return { build, warnings: setup.warnings };
  out.note(`running the real chain into ${abs}: ${setup.info.rssh} -c … as ${user}`);
  const verify = await verifyCommand({ jail: abs, profiles: ['rssh'], command: [], user, fix: true, rounds: 5, outputDir: o.outputDir, allowSecrets: o.allowSecret, limits: traceLimits(o) }, out);
  return { build, verify, warnings: setup.warnings };
}

/** The verify part of the report, and the exit code of an rssh build: a chain that still fails is a failed build. */
export function rsshOutcome(r: RsshBuild): { text: string; exit: number } {
  if (!r.verify) return { text: '', exit: EXIT.OK };
  const text = `the real chain (rssh → rssh_chroot_helper → chroot ${r.verify.jail}):\n${renderVerify(r.verify).replace(/^/gm, '  ')}`;
  return { text, exit: r.verify.ok ? EXIT.OK : EXIT.PROGRAM };
}
