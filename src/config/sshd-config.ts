/**
 * The parts of sshd_config(5) that say where users are chrooted and what runs there: `ChrootDirectory`,
 * `ForceCommand`, `Subsystem` and `Match` blocks (a Match block runs to the next Match or the end of the file), and
 * `Include` (its lines count where the Include is, inside a Match block too; a Match block opened in an included
 * file ends with that file, as in sshd's servconf.c). `Keyword args` or `Keyword=args`,
 * keywords case-insensitive, `"..."` quotes, `#` comments. sshd takes the first value it obtains for a keyword.
 * Pure: included files come from the caller's `include` callback (relative patterns are under /etc/ssh).
 */
import { words, type ConfigDiagnostic } from './diagnostics.js';

export interface MatchCriterion {
  /** `user`, `group`, `host`, `address`, `localaddress`, `localport`, `rdomain`, `all`... (lower case). */
  kind: string;
  /** Comma-separated patterns, split. */
  values: string[];
}

export interface SshdSettings {
  chrootDirectory?: string;
  forceCommand?: string;
  /** Subsystem name → command (`internal-sftp` or a path with arguments). */
  subsystems: Record<string, string>;
}

export interface SshdBlock extends SshdSettings {
  criteria: MatchCriterion[];
  line: number;
  file?: string;
}

export interface SshdConfig {
  global: SshdSettings;
  matches: SshdBlock[];
}

export interface SshdParseOptions {
  /** Name of the file, for diagnostics. */
  file?: string;
  /** Returns the files an `Include` pattern names (already glob-expanded, in lexical order). */
  include?: (pattern: string) => Array<{ file: string; text: string }>;
  /** Where relative Include patterns are (sshd: /etc/ssh, its SSHDIR). */
  includeBase?: string;
}

export interface SshdParseResult {
  config: SshdConfig;
  errors: ConfigDiagnostic[];
  /** The file each global Subsystem came from (name → file), when the files are named: for messages. */
  globalSubsystemFiles: Record<string, string>;
}

const CRITERIA = new Set([
  'all',
  'user',
  'group',
  'host',
  'localaddress',
  'localport',
  'rdomain',
  'address',
  'invalid-user',
  'version',
  'sessiontype',
  'command',
]);
const MAX_INCLUDE_DEPTH = 16;

export function parseSshdConfig(text: string, opts: SshdParseOptions = {}): SshdParseResult {
  const config: SshdConfig = { global: { subsystems: {} }, matches: [] };
  const globalSubsystemFiles: Record<string, string> = {};
  const errors: ConfigDiagnostic[] = [];
  let block: SshdBlock | undefined;

  const readText = (body: string, file: string | undefined, depth: number, outer: MatchCriterion[]): void => {
    body.split('\n').forEach((raw, i) => {
      const line = i + 1;
      const err = (message: string): void => {
        errors.push(file === undefined ? { line, message } : { line, file, message });
      };
      // Keyword=args: the first `=` (with optional spaces) separates, like sshd's strdelim.
      const m = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(raw);
      const w = words(m ? `${m[1]} ${m[2]}` : raw);
      if (w.error) return err(w.error);
      if (w.words.length === 0) return;
      const key = w.words[0].toLowerCase();
      const args = w.words.slice(1);
      const target: SshdSettings = block ?? config.global;
      switch (key) {
        case 'match': {
          if (args.length === 0) return err('Match needs criteria (Match User alice, Match Group sftp, Match All)');
          const criteria: MatchCriterion[] = [];
          for (let k = 0; k < args.length; ) {
            const kind = args[k].toLowerCase();
            if (!CRITERIA.has(kind)) return err(`Match: unknown criterion ${JSON.stringify(args[k])}`);
            if (kind === 'all' || kind === 'invalid-user') {
              criteria.push({ kind, values: [] });
              k++;
              continue;
            }
            if (k + 1 >= args.length) return err(`Match ${args[k]}: missing its patterns`);
            criteria.push({ kind, values: args[k + 1].split(',').filter(Boolean) });
            k += 2;
          }
          // A Match in a file included from inside a Match block only ever applies within that block (servconf.c:
          // the included file's Match lines never match when the outer block does not): both must hold.
          block = { criteria: [...outer, ...criteria], subsystems: {}, line, ...(file !== undefined ? { file } : {}) };
          config.matches.push(block);
          return;
        }
        case 'chrootdirectory':
          if (args.length !== 1) return err('ChrootDirectory takes one path (or none)');
          if (args[0] !== 'none' && !args[0].startsWith('/') && !args[0].startsWith('%h'))
            return err(`ChrootDirectory ${JSON.stringify(args[0])} is not absolute`);
          target.chrootDirectory ??= args[0];
          return;
        case 'forcecommand':
          if (args.length === 0) return err('ForceCommand needs a command (or none)');
          // sshd keeps the rest of the line verbatim (quotes, and a `# comment` the shell then ignores): servconf.c
          target.forceCommand ??= restOfLine(raw);
          return;
        case 'subsystem':
          if (args.length < 2) return err('Subsystem needs a name and a command');
          if (target.subsystems[args[0]] !== undefined) return;
          target.subsystems[args[0]] = args.slice(1).join(' ');
          if (target === config.global && file !== undefined) globalSubsystemFiles[args[0]] = file;
          return;
        case 'include': {
          if (args.length === 0) return err('Include needs a file or pattern');
          if (depth >= MAX_INCLUDE_DEPTH) return err(`Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
          for (const pattern of args) {
            const full = pattern.startsWith('/') || pattern.startsWith('~') ? pattern : `${opts.includeBase ?? '/etc/ssh'}/${pattern}`;
            // As in sshd (servconf.c): a Match block opened in an included file ends with that file.
            for (const inc of opts.include?.(full) ?? []) {
              const around = block;
              readText(inc.text, inc.file, depth + 1, around?.criteria ?? outer);
              block = around;
            }
          }
          return;
        }
        default:
          return; // every other keyword: not about jails
      }
    });
  };
  readText(text, opts.file, 0, []);
  return { config, errors, globalSubsystemFiles };
}

/** The text after the keyword (`Keyword args` or `Keyword = args`), as sshd hands it to ForceCommand. */
export function restOfLine(raw: string): string {
  return raw.replace(/^\s*[A-Za-z][A-Za-z0-9-]*(\s*=\s*|\s+)/, '').replace(/[\s\f]+$/, '');
}

/**
 * ChrootDirectory tokens for one user: `%%` → `%`, `%h` → home, `%u` → user name, `%U` → uid. Undefined when a
 * token needs something unknown.
 */
export function expandChroot(dir: string, user: { name: string; home?: string; uid?: number }): string | undefined {
  let bad = false;
  const out = dir.replace(/%(.)/g, (_, t: string) => {
    const v = t === '%' ? '%' : t === 'u' ? user.name : t === 'h' ? user.home : t === 'U' ? (user.uid === undefined ? undefined : String(user.uid)) : undefined;
    if (v === undefined) bad = true;
    return v ?? '';
  });
  return bad ? undefined : out;
}
