/**
 * The root command: global options and every command from src/cli/registry.ts. src/cli.ts runs it; the docs
 * (src/cli/docgen/gen-man.ts, `jailtrace completion`) and the tests walk the same object, so help, man page and completion
 * cannot drift from what the CLI parses.
 *
 * `--version` is ours, not commander's `.version()` (which prints a fixed string): parsing it throws VersionRequested,
 * and src/cli.ts then asks for the tracers (versionText), so strace is only probed when the version is asked for.
 */
import { Command, Option } from 'commander';
import type { StraceInfo } from '../capture/find.js';
import { REGISTRY } from './registry.js';
import { JailtraceError } from '../errors.js';
import type { Output } from './output.js';
import { VERSION } from '../version.js';

/** Thrown while parsing `-V`/`--version`: the CLI prints versionText() and exits 0. */
export class VersionRequested extends Error {
  constructor() {
    super('version requested');
  }
}

export function makeProgram(out: Output): Command {
  const program = new Command('jailtrace')
    .description('Trace what a program really touches and build a chroot jail that works on the first try.')
    .option('-V, --version', 'output the version number')
    .option('-v, --verbose', 'say more')
    .addOption(new Option('-q, --quiet', 'print nothing but errors and the requested output').conflicts('verbose'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.on('option:version', () => {
    throw new VersionRequested();
  });
  program.hook('preAction', () => {
    const g = program.opts<{ quiet?: boolean; verbose?: boolean }>();
    out.quiet = Boolean(g.quiet);
    out.verbose = Boolean(g.verbose);
  });
  for (const register of REGISTRY) register(program, out);
  return program;
}

/** What was found of one tracer. `problem` when it is there but cannot be used (or is missing: no path). */
export interface TracerFinding {
  name: string;
  path?: string;
  version?: string;
  features?: string[];
  problem?: string;
}

/** `jailtrace 0.1.0`, then one line per tracer: `strace 6.1 (/usr/bin/strace, --seccomp-bpf)`. */
export function renderVersion(version: string, tracers: readonly TracerFinding[]): string {
  const lines = [`jailtrace ${version}`];
  for (const t of tracers) {
    if (!t.path) {
      lines.push(`${t.name}: ${t.problem ?? 'not found'}`);
      continue;
    }
    const head = t.version ? `${t.name} ${t.version}` : t.name;
    const where = [t.path, ...(t.features ?? [])].join(', ');
    lines.push(t.problem ? `${head} (${where}): ${t.problem}` : `${head} (${where})`);
  }
  return lines.join('\n') + '\n';
}

/** Tracers other than strace: listed only when present (none reports a version). */
const OTHER_TRACERS = ['truss', 'dtruss', 'ktrace'] as const;

const STRACE_MISSING = 'not found (apt-get install strace, or dnf install strace)';

export interface TracerProbes {
  platform: NodeJS.Platform;
  which: (name: string) => Promise<string | undefined>;
  /** The full probe (version, --seccomp-bpf, ptrace allowed); throws a JailtraceError when strace cannot trace. */
  findStrace: () => Promise<StraceInfo>;
  /** Only `strace -V`: the version of an strace that cannot trace here. */
  straceVersion: (path: string) => Promise<string | undefined>;
}

/** The real probes, imported lazily: execa and strace are only loaded when --version is asked for. */
async function realProbes(): Promise<TracerProbes> {
  const { findStrace, whichExecutable } = await import('../capture/find.js');
  const { execa } = await import('execa');
  return {
    platform: process.platform,
    which: (name) => whichExecutable(name),
    findStrace,
    straceVersion: async (at) => /version\s+(\S+)/.exec((await execa(at, ['-V'], { reject: false })).stdout)?.[1],
  };
}

/** Look for the tracers (strace is probed: version, --seccomp-bpf, ptrace allowed). strace is always listed on Linux. */
export async function findTracers(probes?: TracerProbes): Promise<TracerFinding[]> {
  const p = probes ?? (await realProbes());
  const found: TracerFinding[] = [];
  const stracePath = (await p.which('strace')) ?? (await p.which('/usr/bin/strace'));
  if (stracePath) {
    try {
      const s = await p.findStrace();
      found.push({ name: 'strace', path: s.path, version: s.version, features: s.seccompBpf ? ['--seccomp-bpf'] : [] });
    } catch (e) {
      if (!(e instanceof JailtraceError)) throw e;
      const version = await p.straceVersion(stracePath);
      found.push({ name: 'strace', path: stracePath, version, problem: e.hint ? `${e.why} (${e.hint})` : e.why });
    }
  } else if (p.platform === 'linux') {
    found.push({ name: 'strace', problem: STRACE_MISSING });
  }
  for (const name of OTHER_TRACERS) {
    const at = await p.which(name);
    if (at) found.push({ name, path: at });
  }
  return found;
}

/** The whole `jailtrace --version` text. */
export async function versionText(probes?: TracerProbes): Promise<string> {
  return renderVersion(VERSION, await findTracers(probes));
}
