/**
 * Lexing shared by the truss-family dialects (Solaris/AIX/FreeBSD truss, dtruss): find `name(`, split the argument
 * list by bracket/quote matching, and hand back what follows the closing paren. Pure; never throws.
 */
import { splitArgs } from './strings.js';
import type { Emit } from './types.js';

/** A `name(args)REST` body split into its parts; `rest` is everything after the closing paren. */
export interface CallText {
  name: string;
  args: string[];
  rest: string;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** The syscall name when `body` starts with `name(` (a letter or `_` first), else undefined. */
export function callName(body: string): string | undefined {
  const c0 = body.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95)) return undefined;
  let j = 1;
  while (j < body.length && isNameChar(body.charCodeAt(j))) j++;
  return body.charCodeAt(j) === 40 /* ( */ ? body.slice(0, j) : undefined;
}

/**
 * Split `name(args)rest`. Returns undefined when the body is not a call, and `{ name, unterminated: true }` when the
 * argument list never closes (a string with a raw newline in it, a cut line).
 */
export function splitCall(
  body: string,
  split: (s: string, from: number) => { args: string[]; end: number } = splitArgs,
): CallText | { name: string; unterminated: true } | undefined {
  const name = callName(body);
  if (name === undefined) return undefined;
  const { args, end } = split(body, name.length + 1);
  if (end < 0) return { name, unterminated: true };
  return { name, args, rest: body.slice(end + 1) };
}

/** Numeric value of a result token: decimal, `0x` hex (any case), or NaN. */
export function numberOf(tok: string): number {
  if (/^-?\d+$/.test(tok)) return Number(tok);
  if (/^0[xX][0-9a-fA-F]+$/.test(tok)) return Number('0x' + tok.slice(2));
  return NaN;
}

/** Fork-family calls: the child's own view of them (result 0) must not look like a new fork to the model. */
const FORKS = new Set(['fork', 'vfork', 'fork1', 'forkx', 'vforkx', 'kfork', 'rfork', 'pdfork', 'forkall']);
export const isForkName = (name: string): boolean => FORKS.has(name);

/** A short, printable excerpt of a latin1 line for warning messages. */
export function preview(s: string): string {
  // the ellipsis goes on after the bytes are decoded: as latin1 it would become a stray `&`
  const text = Buffer.from(s.slice(0, 60), 'latin1').toString('utf8');
  return JSON.stringify(s.length > 60 ? text + '…' : text);
}

/** Emit the standard "looked like a call but could not be parsed" warning. */
export function warnCall(emit: Emit, line: number, why: string, body: string): void {
  emit({ kind: 'warning', line, message: `${why}: ${preview(body)}` });
}

/** Solaris/AIX/FreeBSD print signals and faults the same way: `Received signal #18, SIGCLD [caught]`. */
export function signalOf(body: string): string | undefined {
  const m = /^(?:Received signal #\d+, (SIG[A-Z0-9]+)|Incurred fault #\d+, (FLT[A-Z0-9]+))/.exec(body);
  return m ? (m[1] ?? m[2]) : undefined;
}
