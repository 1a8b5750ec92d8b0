/**
 * Argument splitting for FreeBSD truss, whose vis(3) strings do NOT escape `"`: a string may hold bare quotes
 * (`"" compare="less">`) and escapes whose last char is a quote (`\M-"`). A quote closes a string only when what
 * follows it can end an argument: `,` `)` `}` `]` ` }` `...` or the end of the text. Brackets count outside strings.
 */
const CLOSERS = new Set([44, 41, 125, 93]); // , ) } ]

/** Length of the vis escape starting at `i` (a backslash): \M-x \M^x \^x \ooo \x (C letters, \\). */
function escLen(s: string, i: number): number {
  const d = s[i + 1];
  if (d === 'M' && (s[i + 2] === '-' || s[i + 2] === '^')) return 4;
  if (d === '^') return 3;
  if (d >= '0' && d <= '7') {
    let j = i + 1;
    while (j < i + 4 && s[j] >= '0' && s[j] <= '7') j++;
    return j - i;
  }
  return 2;
}

function closesString(s: string, q: number): boolean {
  const n = q + 1;
  if (n >= s.length) return true;
  const c = s.charCodeAt(n);
  return CLOSERS.has(c) || s.startsWith('...', n) || (c === 32 && s.charCodeAt(n + 1) === 125);
}

/** Like strings.ts `splitArgs`, with the quote rule above. */
export function splitVisArgs(s: string, from = 0): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  const n = s.length;
  let i = from;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < n) {
        if (s.charCodeAt(j) === 92) j += escLen(s, j);
        else if (s.charCodeAt(j) === 34 && closesString(s, j)) break;
        else j++;
      }
      i = j + 1;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0 && c === 41) {
        const a = s.slice(start, i).trim();
        if (a !== '' || args.length > 0) args.push(a);
        return { args, end: i };
      }
      if (depth > 0) depth--;
    } else if (c === 44 && depth === 0) {
      args.push(s.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  return { args, end: -1 };
}
