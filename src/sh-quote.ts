/** Quoting for POSIX sh: the generated scripts (src/script/) and the command lines jailtrace shows. Pure. */

/** Single-quotes a word for sh: `it's` → `'it'\''s'`. Safe for any string without NUL (newlines included). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
