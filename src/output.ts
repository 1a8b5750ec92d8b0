/**
 * How the CLI shows things: results on stdout, notes and errors on stderr, progress only on a TTY, colour only on a
 * TTY without NO_COLOR. The core never prints; commands return data and the CLI hands it here.
 */
import type { Writable } from 'node:stream';

export interface Output {
  result(text: string): void;
  json(value: unknown): void;
  note(text: string): void;
  error(text: string): void;
  progress(label: string): { update: (done: number, total: number) => void; done: () => void };
  color: boolean;
  quiet: boolean;
}

type Tty = Writable & { isTTY?: boolean; columns?: number };

export function makeOutput(stdout: Tty, stderr: Tty, env: NodeJS.ProcessEnv, opts: { quiet?: boolean } = {}): Output {
  const color = Boolean(stderr.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const self = { quiet: Boolean(opts.quiet) };
  const red = (s: string): string => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const o: Output = {
    color,
    get quiet() {
      return self.quiet;
    },
    set quiet(v: boolean) {
      self.quiet = v;
    },
    result: (text) => stdout.write(text),
    json: (value) => stdout.write(JSON.stringify(value, null, 2) + '\n'),
    note: (text) => {
      if (!self.quiet) stderr.write(`jailtrace: ${text}\n`);
    },
    error: (text) => stderr.write(`${red('jailtrace:')} ${text}\n`),
    progress: (label) => {
      if (!stderr.isTTY || self.quiet) return { update: () => {}, done: () => {} };
      let last = 0;
      let shown = false;
      return {
        update: (done, total) => {
          const now = Date.now();
          if (now - last < 100) return;
          last = now;
          shown = true;
          const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
          stderr.write(`\r${label}: ${pct}% (${(done / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB)\x1b[K`);
        },
        done: () => {
          if (shown) stderr.write('\r\x1b[K');
        },
      };
    },
  };
  return o;
}
