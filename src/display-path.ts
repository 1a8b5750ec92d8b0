/**
 * The one escaper for showing a path (or any name) on one line: control characters and `\` as C escapes, so a file
 * name holding a newline cannot split a report line, a warning or a generated script's comment. Pure.
 */
const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\' };

export interface DisplayOptions {
  /**
   * The text is a manifest path already (parsers/strings.ts `displayPath`: invalid bytes as `\xNN`): its `\` are
   * escapes, kept as they are; only control characters are escaped.
   */
  escaped?: boolean;
}

/** `a\nb` → `a\\nb`, `\x01` → `\\x01`, `\` → `\\` (unless `escaped`); everything else as it is. */
export function displayPath(p: string, opts: DisplayOptions = {}): string {
  // eslint-disable-next-line no-control-regex
  const re = opts.escaped ? /[\x00-\x1f\x7f]/g : /[\x00-\x1f\x7f\\]/g;
  return p.replace(re, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
