/**
 * Shared lexical helpers for every dialect: argument splitting by bracket/quote matching and string decoding.
 * Pure functions over latin1 strings (one char per byte). No I/O, no throwing on garbage.
 */
import type { StringEncoding } from './types.js';

const BS = 92; // backslash
const DQ = 34; // "

/**
 * Split the text of an argument list into top-level arguments.
 * `s` starts just after the opening `(`. Stops at the matching `)` (returned as `end`, its index) or at the end
 * of the string (`end = -1`: the list is unfinished, as in strace's `<unfinished ...>`).
 * Quotes, `{}`, `[]`, `()` and `/* comments *\/` are respected; arguments are trimmed.
 */
export function splitArgs(s: string, from = 0): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  let i = from;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === DQ) {
      i = skipString(s, i);
      continue;
    }
    if (c === BS) {
      // outside a string only -y decorations escape bytes (`3</tmp/a \"q\">`): never a delimiter
      i += 2;
      continue;
    }
    if (c === 60 /* < */ && i > from && (isDigitCode(s.charCodeAt(i - 1)) || s.charCodeAt(i - 1) === 68) /* AT_FDCWD */) {
      // a -y/-yy decoration `3</home/u/My Docs (old>`, `0</dev/null<char 1:3>>`: opaque, brackets inside mean nothing
      i = skipDecoration(s, i);
      continue;
    }
    if (c === 47 /* / */ && s.charCodeAt(i + 1) === 42 /* * */) {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) {
        if (c === 41) {
          pushArg(args, s, start, i);
          return { args, end: i };
        }
        // A stray closer: treat as text.
      } else depth--;
    } else if (c === 44 /* , */ && depth === 0) {
      args.push(trimmed(s, start, i));
      start = i + 1;
    }
    i++;
  }
  pushArg(args, s, start, n);
  return { args, end: -1 };
}

function pushArg(args: string[], s: string, start: number, end: number): void {
  const a = trimmed(s, start, end);
  if (a !== '' || args.length > 0) args.push(a);
}

/**
 * `s.slice(start, end).trim()`, making one string, not two, in the usual case (spaces around an argument): spaces
 * are skipped here, and only a boundary that may be other whitespace (a control byte, 0xA0 and up) goes to trim().
 */
export function trimmed(s: string, start: number, end: number): string {
  while (start < end && s.charCodeAt(start) === 32) start++;
  while (end > start && s.charCodeAt(end - 1) === 32) end--;
  if (start === end) return '';
  const a = s.charCodeAt(start);
  const b = s.charCodeAt(end - 1);
  if (a < 33 || a >= 0xa0 || b < 33 || b >= 0xa0) return s.slice(start, end).trim();
  return s.slice(start, end);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index just past the `>` that closes the decoration opened at `i` (nested `<char 1:3>` counted). */
function skipDecoration(s: string, i: number): number {
  let depth = 0;
  const n = s.length;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === BS) j++;
    else if (c === 60) depth++;
    else if (c === 62 && --depth === 0) return j + 1;
  }
  return n;
}

/** Index just past the closing quote of the string starting at `i` (or the end of `s` if unterminated). */
export function skipString(s: string, i: number): number {
  const n = s.length;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === BS) i += 2;
    else if (c === DQ) return i + 1;
    else i++;
  }
  return n;
}

/**
 * Decode a quoted string argument into its exact bytes. Returns undefined when `raw` is not a string literal.
 * Trailing truncation markers (`...` in strace, `..` in truss) are ignored: callers that need to know a string was
 * truncated use `isTruncated`.
 */
export function decodeString(raw: string, enc: StringEncoding = 'c'): Buffer | undefined {
  if (raw.charCodeAt(0) !== DQ) return undefined;
  const close = skipString(raw, 0);
  const inner = raw.slice(1, close - 1 >= 1 && raw.charCodeAt(close - 1) === DQ ? close - 1 : close);
  let out: Buffer;
  if (inner.indexOf('\\') < 0) out = Buffer.from(inner, 'latin1');
  else out = enc === 'vis' ? decodeVis(inner) : decodeC(inner);
  if (enc === 'dtruss' && out.length > 0 && out[out.length - 1] === 0) out = out.subarray(0, out.length - 1);
  return out;
}

/**
 * Like decodeString, but returns the bytes as a latin1 string (one char per byte): no Buffer is allocated, which
 * matters on the hot path (the process model keeps paths as byte strings).
 */
export function decodeStringLatin1(raw: string, enc: StringEncoding = 'c'): string | undefined {
  if (raw.charCodeAt(0) !== DQ) return undefined;
  const close = skipString(raw, 0);
  const end = close - 1 >= 1 && raw.charCodeAt(close - 1) === DQ ? close - 1 : close;
  if (raw.indexOf('\\', 1) < 0 || raw.indexOf('\\', 1) >= end) {
    const inner = raw.slice(1, end);
    return enc === 'dtruss' ? inner.replace(/\0$/, '') : inner;
  }
  return decodeString(raw, enc)!.toString('latin1');
}

/** True when the dialect marked the string as cut short (`"abc"...` strace, `"abc"..` truss). */
export const isTruncated = (raw: string): boolean => {
  const close = skipString(raw, 0);
  return raw.startsWith('..', close);
};

/**
 * Indices of the arguments that hold a string the tracer cut short, anywhere inside them (an execve argv array
 * `["/home/u/.rustup/toolchains"..., "x"]` counts): undefined when there is none, the usual case.
 */
export function truncatedArgs(args: readonly string[]): number[] | undefined {
  let out: number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.indexOf('"..') < 0) continue; // cheap: no string of this argument can end in a marker
    for (let q = a.indexOf('"'); q >= 0 && q < a.length; ) {
      const close = skipString(a, q);
      if (a.startsWith('..', close)) {
        (out ??= []).push(i);
        break;
      }
      q = a.indexOf('"', close);
    }
  }
  return out;
}

/** Indices of the words of an argv array argument (`["a", "b"...]`) that the tracer cut short. */
export function truncatedWords(raw: string): number[] {
  if (raw.charCodeAt(0) !== 91 /* [ */) return [];
  const words = splitArgs(raw.slice(1, raw.endsWith(']') ? -1 : undefined) + ')', 0).args;
  return words.flatMap((w, i) => (w.charCodeAt(0) === DQ && isTruncated(w) ? [i] : []));
}

const SIMPLE: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '\\': 92, '"': 34, "'": 39, '?': 63 };

function isOct(c: number): boolean {
  return c >= 48 && c <= 55;
}
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** C escapes: \" \\ \n \t \r \v \f \a \b, octal \o \oo \ooo, hex \xH \xHH. */
export function decodeC(s: string): Buffer {
  const out: number[] = [];
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== BS || i + 1 >= n) {
      out.push(c & 0xff);
      continue;
    }
    const d = s.charCodeAt(i + 1);
    if (isOct(d)) {
      let v = 0;
      let j = i + 1;
      while (j < n && j < i + 4 && isOct(s.charCodeAt(j))) v = v * 8 + (s.charCodeAt(j++) - 48);
      out.push(v & 0xff);
      i = j - 1;
    } else if (d === 120 /* x */ && hexVal(s.charCodeAt(i + 2)) >= 0) {
      let v = hexVal(s.charCodeAt(i + 2));
      let j = i + 3;
      if (j < n && hexVal(s.charCodeAt(j)) >= 0) v = v * 16 + hexVal(s.charCodeAt(j++));
      out.push(v);
      i = j - 1;
    } else {
      const simple = SIMPLE[s[i + 1]];
      out.push(simple ?? d & 0xff);
      i++;
    }
  }
  return Buffer.from(out);
}

/** vis(3) escapes as printed by FreeBSD truss: \M-x (meta), \M^x, \^x (control), \^? (DEL), \ooo, C escapes. */
export function decodeVis(s: string): Buffer {
  const out: number[] = [];
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== BS || i + 1 >= n) {
      out.push(c & 0xff);
      continue;
    }
    const d = s[i + 1];
    if (d === 'M' && (s[i + 2] === '-' || s[i + 2] === '^') && i + 3 < n) {
      const x = s.charCodeAt(i + 3);
      out.push(s[i + 2] === '-' ? (x | 0x80) & 0xff : x === 63 ? 0xff : ((x & 0x1f) | 0x80) & 0xff);
      i += 3;
    } else if (d === '^' && i + 2 < n) {
      const x = s.charCodeAt(i + 2);
      out.push(x === 63 ? 0x7f : x & 0x1f);
      i += 2;
    } else if (d === 's') {
      out.push(32);
      i++;
    } else {
      // octal, hex and the C single-letter escapes are the same as strace's
      const rest = decodeC(s.slice(i, i + 4));
      const consumed = escLength(s, i);
      out.push(rest[0]);
      i += consumed - 1;
    }
  }
  return Buffer.from(out);
}

function escLength(s: string, i: number): number {
  const d = s.charCodeAt(i + 1);
  if (isOct(d)) {
    let j = i + 1;
    while (j < s.length && j < i + 4 && isOct(s.charCodeAt(j))) j++;
    return j - i;
  }
  if (d === 120 && hexVal(s.charCodeAt(i + 2)) >= 0) return hexVal(s.charCodeAt(i + 3)) >= 0 ? 4 : 3;
  return 2;
}

/**
 * An fd argument or result with a -y/-yy decoration: `3</etc/passwd>`, `AT_FDCWD</tmp>`, `3<UNIX-STREAM:[1]>`,
 * `0</dev/null<char 1:3>>`. Returns the numeric fd (AT_FDCWD = -100) and the decorated path when it is a file path.
 */
export function parseFdArg(raw: string): { fd: number; path?: Buffer } {
  const lt = raw.indexOf('<');
  const head = lt < 0 ? raw : raw.slice(0, lt);
  const fd = head === 'AT_FDCWD' ? -100 : parseNumber(head);
  if (lt < 0 || !raw.endsWith('>')) return { fd };
  let inner = raw.slice(lt + 1, -1);
  // -yy on a device: `/dev/null<char 1:3>`
  const dev = /<(?:char|block) \d+:\d+>$/.exec(inner);
  if (dev) inner = inner.slice(0, dev.index);
  if (inner.charCodeAt(0) !== 47 /* / */) return { fd };
  return { fd, path: inner.indexOf('\\') < 0 ? Buffer.from(inner, 'latin1') : decodeC(inner) };
}

/** Parse a decimal, hex (0x) or octal (leading 0) integer; NaN when it is not one. */
export function parseNumber(raw: string): number {
  // fast path: a plain small decimal
  const n = raw.length;
  if (n > 0 && n < 10) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (i === n && (n === 1 || raw.charCodeAt(0) !== 48)) return v;
  }
  const s = raw.trim();
  if (s === '') return NaN;
  if (/^-?\d+$/.test(s)) return s.length > 1 && s[0] === '0' ? parseInt(s, 8) : Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number(s);
  return NaN;
}

/** Bytes as they appear in the manifest's `path`: UTF-8 where valid, `\xNN` for every invalid byte. */
export function displayPath(b: Buffer): string {
  const s = b.toString('utf8');
  if (!s.includes('\uFFFD')) return s;
  // Re-decode byte by byte so that only invalid sequences become \xNN.
  let out = '';
  let i = 0;
  while (i < b.length) {
    const len = utf8SeqLen(b, i);
    if (len > 0) {
      out += b.toString('utf8', i, i + len);
      i += len;
    } else {
      out += '\\x' + b[i].toString(16).padStart(2, '0');
      i++;
    }
  }
  return out;
}

function utf8SeqLen(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let len = 0;
  let min = 0;
  if (c >= 0xc2 && c <= 0xdf) (len = 2), (min = 0x80);
  else if (c >= 0xe0 && c <= 0xef) (len = 3), (min = 0x800);
  else if (c >= 0xf0 && c <= 0xf4) (len = 4), (min = 0x10000);
  else return 0;
  if (i + len > b.length) return 0;
  let cp = c & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const x = b[i + k];
    if ((x & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (x & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/** True when the path is plain printable ASCII (then the manifest omits `pathHex`). */
export function isPlainAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}
