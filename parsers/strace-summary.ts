/**
 * strace `-c` / `-C` summary tables (FORMATS.md section 1): counts per syscall, no arguments, so no paths.
 *
 *   % time     seconds  usecs/call     calls    errors syscall
 *   ------ ----------- ----------- --------- --------- ----------------
 *    99.18    0.003989          18       222           poll
 *   100.00    0.004022                   224         3 total
 *
 * `-C` prints the table after the trace (the parser skips it); `-c` prints only the table, which names no files.
 */

/** The heading row (strace 4.x to 6.x; `-U` picks other columns but keeps `calls`/`syscall`-style names). */
const HEADER = /^\s*%\s*time\s+seconds\b|^\s*(?:% time|seconds|calls|usecs\/call)\b.*\bsyscall\s*$/;
/** A rule, a count row (numbers, then the syscall name or `total`), or strace 6's per-personality heading. */
const BODY = [/^\s*-+(?:\s+-+)+\s*$/, /^\s*(?:-?\d+(?:\.\d+)?|-?nan|\s)[\d.\s]*\s[A-Za-z_][\w]*\s*$/, /^System call usage summary for .*:\s*$/];

export const isSummaryHeader = (line: string): boolean => HEADER.test(line);

/** A line inside a table (after its heading). */
export const isSummaryLine = (line: string): boolean => line.trim() === '' || BODY.some((re) => re.test(line));

/**
 * The 1-based line of the heading when the lines are a summary table and nothing else a parser could read (every
 * non-blank line is a heading or a table line); undefined otherwise.
 */
export function summaryOnly(lines: readonly string[]): number | undefined {
  let header: number | undefined;
  for (const [i, l] of lines.entries()) {
    if (isSummaryHeader(l)) header ??= i + 1;
    else if (!isSummaryLine(l) && !/^(?:strace: )?Process \d+ (?:attached|detached)/.test(l.replace(/^\^C/, ''))) return undefined;
  }
  return header;
}
