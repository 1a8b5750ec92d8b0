/** What the config parsers report about a bad line, and the error a command throws from them. */
import { JailtraceError, EXIT } from '../errors.js';

export interface ConfigDiagnostic {
  /** 1-based line number (in `file` when the line came from an Include). */
  line: number;
  file?: string;
  message: string;
}

/** A config file jailtrace will not act on: `file:line: message` for every bad line. */
export class ConfigError extends JailtraceError {
  constructor(
    readonly file: string,
    readonly diagnostics: readonly ConfigDiagnostic[],
    hint?: string,
  ) {
    super(file, diagnostics.map((d) => `${d.file ?? file}:${d.line}: ${d.message}`).join('; '), hint, EXIT.USAGE);
  }
}

/**
 * Splits a line into words the way rssh.conf and sshd_config read them: `'...'` and `"..."` quote (spaces and `#`
 * included), quotes may sit anywhere in a word, an unquoted `#` starts a comment. `sep` also splits (rssh's `=`).
 */
export function words(line: string, sep = ''): { words: string[]; error?: string } {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      continue;
    }
    if (ch === '#') break;
    if (ch === ' ' || ch === '\t' || ch === '\r' || sep.includes(ch)) {
      if (inWord) out.push(cur);
      if (sep.includes(ch) && ch !== ' ') out.push(ch);
      cur = '';
      inWord = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (quote) return { words: out, error: `unterminated ${quote} quote` };
  if (inWord) out.push(cur);
  return { words: out };
}
