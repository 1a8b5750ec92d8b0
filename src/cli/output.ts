/**
 * How the CLI shows things: results on stdout, notes and errors on stderr, progress only on a TTY, colour only on a
 * TTY without NO_COLOR (https://no-color.org: set and not empty) and not on TERM=dumb. The core never prints; commands
 * return data and the CLI hands it here. Without colour no escape code is written at all: the progress line is then
 * erased with spaces, not `\x1b[K`.
 */
import type { Writable } from 'node:stream';
import { writeJson } from '../json-stream.js';

export interface Output {
  result(text: string): void;
  json(value: unknown): void;
  /** A remark on stderr (`jailtrace: <text>`); dropped with -q. */
  note(text: string): void;
  /** `jailtrace: <what>: <why> (<what to do>)` on stderr, always. */
  error(text: string): void;
  /**
   * A progress line on stderr, only on a TTY and not with -q. `items` counts things (`jails`) rather than bytes: a bar
   * of done and left, drawn only where escape codes may be (never with NO_COLOR or TERM=dumb).
   */
  progress(label: string, opts?: { items?: string }): { update: (done: number, total: number) => void; done: () => void };
  /** stdout may carry colour (a TTY, no NO_COLOR, not TERM=dumb). */
  color: boolean;
  /** -q: nothing but errors and the requested output. */
  quiet: boolean;
  /** -v: say more. */
  verbose: boolean;
}

type Tty = Writable & { isTTY?: boolean; columns?: number };

/** May escape codes go to this stream? */
export function colorAllowed(stream: Tty, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function makeOutput(stdout: Tty, stderr: Tty, env: NodeJS.ProcessEnv, opts: { quiet?: boolean; verbose?: boolean } = {}): Output {
  const errColor = colorAllowed(stderr, env);
  const red = (s: string): string => (errColor ? `\x1b[31m${s}\x1b[0m` : s);
  const o: Output = {
    color: colorAllowed(stdout, env),
    quiet: Boolean(opts.quiet),
    verbose: Boolean(opts.verbose),
    result: (text) => void stdout.write(text),
    json: (value) => writeJson((chunk) => void stdout.write(chunk), value),
    note: (text) => {
      if (!o.quiet) stderr.write(`jailtrace: ${text}\n`);
    },
    error: (text) => void stderr.write(`${red('jailtrace:')} ${text}\n`),
    progress: (label, popts = {}) => {
      if (!stderr.isTTY || o.quiet || (popts.items !== undefined && !errColor)) return { update: () => {}, done: () => {} };
      let last = 0;
      let width = 0; // of the line on screen, to erase it with spaces when escape codes are not allowed
      const show = (text: string): void => {
        if (errColor) stderr.write(`\r${text}\x1b[K`);
        else stderr.write(`\r${text.padEnd(width)}`);
        width = Math.max(width, text.length);
      };
      return {
        update: (done, total) => {
          const now = Date.now();
          if (now - last < 100 && width > 0) return; // a cleared line (done) is drawn again at once
          last = now;
          const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
          const line =
            popts.items !== undefined
              ? itemsLine(label, done, total, popts.items)
              : `${label}: ${pct}% (${(done / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB)`;
          // never wrap: a wrapped line cannot be rewritten with \r
          show(line.slice(0, Math.max(0, (stderr.columns || 80) - 1)));
        },
        done: () => {
          if (width === 0) return;
          if (errColor) stderr.write('\r\x1b[K');
          else stderr.write(`\r${' '.repeat(width)}\r`);
          width = 0;
        },
      };
    },
  };
  return o;
}

/** `building [######----------] 12 of 40 jails done, 28 left` */
export function itemsLine(label: string, done: number, total: number, items: string): string {
  const width = 20;
  const full = total > 0 ? Math.round((done / total) * width) : 0;
  return `${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${done} of ${total} ${items} done, ${total - done} left`;
}

/** An Output that drops everything: for walking the program (docs, completion, tests) without running it. */
export function silentOutput(): Output {
  return {
    result: () => {},
    json: () => {},
    note: () => {},
    error: () => {},
    progress: () => ({ update: () => {}, done: () => {} }),
    color: false,
    quiet: true,
    verbose: false,
  };
}
