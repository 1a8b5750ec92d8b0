/**
 * How much a trace may make jailtrace hold (issue 20: a crafted trace never crashes it). Memory grows with distinct
 * facts, not with the trace's length: distinct paths and accesses, the bytes of their names, processes, command lines
 * and open file descriptors. Each is capped (capsOf); crossing a cap ends the parse with a TraceError naming the file
 * and line (exit 2), never a heap abort.
 *
 * One knob, `--max-paths N`, normalised at the CLI edge (src/cli/trace-limits.ts) and passed down as
 * TraceLimits.
 */
export interface TraceLimits {
  /** Distinct paths in one manifest; the other caps follow from it (capsOf). */
  maxPaths: number;
}

/**
 * The default cap. Measured on Node 20's default heap (4 GiB on a 24 GiB machine): `parse --json` of 1,000,000
 * distinct failed paths peaks near 0.8 GiB RSS (`npm run bench`, section "memory per path").
 */
export const DEFAULT_MAX_PATHS = 1_000_000;

export const DEFAULT_LIMITS: TraceLimits = Object.freeze({ maxPaths: DEFAULT_MAX_PATHS });

/** What was capped, for the message: `more than 1000 distinct paths`. */
export type LimitKind = 'distinct paths' | 'distinct accesses' | 'bytes of path names' | 'processes' | 'open file descriptors' | 'bytes of command lines';

/**
 * Everything one `--max-paths N` bounds. Paths can be long (PATH_MAX is 4096) and one path can be reached by many
 * processes, so the count of paths alone is not a bound: accesses and name bytes are capped in proportion.
 */
export function capsOf(l: TraceLimits): Record<LimitKind, number> {
  const n = l.maxPaths;
  return {
    'distinct paths': n,
    /** (path, op, outcome, pid, file) records: most paths have one to three. */
    'distinct accesses': 4 * n,
    /** Path names, symlink targets and chroot paths kept in the manifest. */
    'bytes of path names': 256 * n,
    processes: n,
    'open file descriptors': n,
    /** argv and program paths of successful execs. */
    'bytes of command lines': 256 * n,
  };
}

/**
 * Thrown by the builder or the process model when a cap is crossed; the trace reader turns it into a TraceError with
 * the file (it knows which one). Not a JailtraceError: it never reaches the CLI as it is.
 */
export class LimitExceeded extends Error {
  constructor(
    readonly kind: LimitKind,
    readonly limit: number,
    readonly line: number,
  ) {
    super(`more than ${limit} ${kind}`);
  }
}

/** The advice printed with a crossed cap. */
export const limitHint = (e: LimitExceeded): string =>
  `raise --max-paths above ${e.limit} if the trace is genuine and memory allows (under 1 KB a path), ` +
  `or filter the trace, e.g. grep -v ' = -1 ENOENT' drops failed lookups`;
