/**
 * Graphviz DOT, the small part jailtrace draws with: quoted ids and labels, attribute lists. Pure text, no fs.
 * Every string goes through `q`, so a path with quotes, backslashes or newlines cannot break out of its label.
 */

/** A DOT quoted string: `"` and `\` escaped, newlines as `\n` (centred lines), other control characters dropped. */
export function q(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, '\\n')
    .replace(/[\u0000-\u001f\u007f]/g, '')}"`;
}

export type Attrs = Record<string, string | number | undefined>;

/** `[a="x", b="y"]`, undefined values left out. */
export function attrs(a: Attrs): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : q(v as string)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** The colour of a failed access, everywhere. */
export const FAILED = 'red3';
