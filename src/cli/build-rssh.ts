/**
 * The CLI side of the rssh route (src/app/build-rssh.ts): `build JAIL --profile rssh --user U` and the rssh jails of
 * `build --from-rssh-conf`, shown with the real chain's verify rounds, and their exit code.
 */
import path from 'node:path';
import { buildRsshJail, type RsshBuild, type RsshBuildOptions } from '../app/build-rssh.js';
import type { BuildOptions, BuildReport } from '../app/build.js';
import type { RsshAccessBits } from '../config/rssh-conf.js';
import { EXIT, UsageError } from '../errors.js';
import { installedRssh, rsshJailHomes } from '../rssh/chain.js';
import { sharedBuildOptions, type BuildCliOptions } from './build-options.js';
import { showEvents } from './events.js';
import type { Output } from './output.js';
import type { TraceShare } from '../app/trace-share.js';
import { sharingNote, type ManyText } from './render-many.js';
import { jsonReport, renderBuild } from './render-build.js';
import { renderVerify } from './verify.js';

const rsshOptions = (o: BuildCliOptions): RsshBuildOptions => ({ shared: sharedBuildOptions(o), cwd: o.cwd, exclude: o.exclude, outputDir: o.outputDir });

/** The verify part of the report, and the exit code of an rssh build: a chain that still fails is a failed build. */
function rsshOutcome(r: RsshBuild): { text: string; exit: number } {
  const text = r.verify
    .map((v, i) => `the real chain as ${r.users[i]} (rssh → rssh_chroot_helper → chroot ${v.jail}):\n${renderVerify(v).replace(/^(?=.)/gm, '  ')}`)
    .join('');
  return { text, exit: r.verify.every((v) => v.ok) ? EXIT.OK : EXIT.PROGRAM };
}

/**
 * `build --from-rssh-conf FILE`: when FILE is the installed rssh's config, each jail with named users takes the rssh
 * route above (the real chain runs); otherwise (another file, or chrootpath users not named with --user) the jails are
 * built from the host traces alone, with the homes where the helper will chdir, and a note says the chain did not run.
 */
export async function rsshManyRoute(
  file: string,
  out: Output,
  many?: { share: TraceShare; text: ManyText },
): Promise<{
  installed: boolean;
  installedBits?: RsshAccessBits;
  build: (jail: string, users: readonly string[], o: BuildCliOptions, g: { verbose?: boolean }, chainFailed: (failed: boolean) => void) => Promise<BuildReport>;
  fallback: (jail: string) => Pick<BuildOptions, 'recordProfiles' | 'homeInJail'>;
}> {
  const info = await installedRssh(file);
  if (!info)
    out.note(
      `${file} is not the config of an installed rssh: the jails are built from host traces only; the real chain (rssh → helper → chroot) is not run (jailtrace verify JAIL --profile rssh --user U runs it later)`,
    );
  return {
    installed: info !== undefined,
    installedBits: info?.accessBits,
    build: async (jail, users, o, g, chainFailed) => {
      const r = await buildRsshJail(jail, users, { ...rsshOptions(o), share: many?.share }, showEvents(out));
      const outcome = rsshOutcome(r);
      const said = g.verbose && r.sharing ? sharingNote(r.build.jail, r.sharing) : undefined;
      if (said) out.note(said);
      if (!o.json) out.result((many ? many.text.jail(r.build, Boolean(g.verbose)) : renderBuild(r.build, Boolean(g.verbose))) + outcome.text);
      chainFailed(outcome.exit !== EXIT.OK || r.build.workloads.some((w) => w.steps.some((s) => !s.ok)));
      return r.build;
    },
    fallback: (jail) => ({ homeInJail: rsshJailHomes(path.resolve(jail)) }),
  };
}

/** `--profile rssh`: src/app/build-rssh.ts (host traces, build, then the real chain into the jail). */
export async function runRsshBuild(jail: string, o: BuildCliOptions, out: Output, g: { verbose?: boolean }): Promise<number> {
  if (o.profile.some((p) => p !== 'rssh') || o.trace.length > 0 || o.user.length > 1)
    throw new UsageError(
      '--profile rssh goes alone, with one --user',
      'rssh.conf says which servers the user may run; build other workloads into the jail separately',
    );
  const r = await buildRsshJail(jail, o.user, rsshOptions(o), showEvents(out));
  const outcome = rsshOutcome(r);
  if (o.json) out.json({ ...(jsonReport(r.build) as object), verify: r.verify });
  else if (!out.quiet || r.build.dryRun) out.result(renderBuild(r.build, Boolean(g.verbose)) + outcome.text);
  if (r.build.apply && (r.build.apply.counts.failed > 0 || r.build.apply.counts.refused > 0)) return EXIT.APPLY;
  if (r.build.workloads.some((w) => w.steps.some((s) => !s.ok))) return EXIT.PROGRAM;
  return outcome.exit;
}
