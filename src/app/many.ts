/**
 * Many jails from one config: rssh.conf (chrootpath and per-user lines) or sshd_config (Match blocks with
 * ChrootDirectory) → one spec per jail directory with its users and the profiles to trace; `buildMany` builds every
 * spec with the caller's `buildOne` and then hard-links identical files across the jails (`--link`).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/diagnostics.js';
import { UsageError } from '../errors.js';
import { parseRsshConf, rsshBitProblems, type RsshAccessBits, type RsshService } from '../config/rssh-conf.js';
import { hardlinkIdentical, type LinkReport } from '../jail/link.js';
import { mergeSpec, type JailSpec } from './jail-spec.js';

export type { JailSpec } from './jail-spec.js';

const ORDER: readonly string[] = ['sftp', 'scp', 'rsync', 'cvs', 'rdist', 'svnserve'];
const sorted = (ps: readonly RsshService[] | string[]): string[] => [...ps].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));

/**
 * `installedBits`: the access-bit count of the installed rssh (5 upstream, 6 patched; src/rssh/info.ts). A `user=`
 * line of the other length locks that user out: a `FILE:LINE:` note on its jail.
 */
export function jailsFromRsshConf(text: string, file = 'rssh.conf', opts: { installedBits?: RsshAccessBits } = {}): JailSpec[] {
  const { conf, errors } = parseRsshConf(text);
  if (errors.length) throw new ConfigError(file, errors, 'rssh locks every user out while its config has errors; fix these lines first');
  const lockedOut = new Map((opts.installedBits ? rsshBitProblems(conf, opts.installedBits) : []).map((d) => [d.line, `${file}:${d.line}: ${d.message}`]));
  const specs: JailSpec[] = [];
  if (conf.chrootpath) {
    mergeSpec(specs, {
      jail: conf.chrootpath,
      users: [],
      profiles: sorted(conf.allow),
      notes: ['chrootpath: every rssh user without a user= line (name them with --user)'],
    });
  }
  for (const u of conf.users) {
    const note = lockedOut.get(u.line);
    if (u.chrootpath) mergeSpec(specs, { jail: u.chrootpath, users: [u.name], profiles: sorted(u.access), ...(note ? { notes: [note] } : {}) });
  }
  return specs;
}

export { jailsFromSshdConfig } from './sshd-jails.js';

export interface ManyOptions {
  /** Hard-link identical files across the jails afterwards (`--link`, the default; `--no-link` turns it off). */
  link: boolean;
}

export interface ManyReport<R> {
  results: Array<{ spec: JailSpec; result?: R; error?: unknown }>;
  link?: LinkReport;
}

/** Builds every spec (one failure is reported and the rest go on), then links identical files across the jails. */
export async function buildMany<R>(specs: readonly JailSpec[], opts: ManyOptions, buildOne: (spec: JailSpec) => Promise<R>): Promise<ManyReport<R>> {
  const results: ManyReport<R>['results'] = [];
  for (const spec of specs) {
    try {
      results.push({ spec, result: await buildOne(spec) });
    } catch (error) {
      results.push({ spec, error });
    }
  }
  // a spec that built nothing (no traceable profile: internal-sftp) has no record to link from
  const built = results.filter((r) => r.error === undefined && r.result !== undefined).map((r) => r.spec.jail);
  const report: ManyReport<R> = { results };
  if (opts.link && built.length > 1) report.link = await hardlinkIdentical(built);
  return report;
}

/** The config `build --from-rssh-conf [FILE]` / `--from-sshd-config [FILE]` names (the system's when no FILE). */
export function manyConfig(o: { fromRsshConf?: string | boolean; fromSshdConfig?: string | boolean }): { file: string; rssh: boolean } {
  const rssh = o.fromRsshConf !== undefined;
  const file = rssh
    ? typeof o.fromRsshConf === 'string'
      ? o.fromRsshConf
      : '/etc/rssh.conf'
    : typeof o.fromSshdConfig === 'string'
      ? o.fromSshdConfig
      : '/etc/ssh/sshd_config';
  return { file, rssh };
}

export async function readManyConfig(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code}`, 'name the config file');
  });
}

/** The jails a config names, each with its users and profiles; a config that names none is a usage error. */
export async function jailSpecsFromConfig(file: string, text: string, rssh: boolean, opts: { installedBits?: RsshAccessBits } = {}): Promise<JailSpec[]> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const specs = rssh
    ? jailsFromRsshConf(text, file, { installedBits: opts.installedBits })
    : (await import('./sshd-many.js')).sshdSpecs(file, text, passwd, await readFile('/etc/group', 'utf8'));
  if (specs.length === 0)
    throw new UsageError(`${file} names no chroot jail`, rssh ? 'set chrootpath= or user=NAME:UMASK:ACCESS:PATH' : 'add ChrootDirectory in a Match block');
  return specs;
}
