/**
 * The files an sshd_config `Include` names, read the way sshd reads them: patterns globbed as glob(3) does (`*`, `?`,
 * `[...]` in any component, dot files only by a dot pattern, results sorted in byte order). The one glob of
 * jailtrace. Relative patterns are made absolute by the caller (src/config/sshd-config.ts: under /etc/ssh).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

const GLOB = /[*?[]/;

/** One glob(3) component → RegExp: `*`, `?`, `[abc]`, `[!abc]`; the rest literal. */
export function globComponent(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && pattern.indexOf(']', i + 2) > i) {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** The files an absolute Include pattern names, as glob(3) lists them (sorted, byte order). */
export function globFiles(pattern: string, fs = { readdir: (d: string) => readdirSync(d), exists: (p: string) => statSync(p, { throwIfNoEntry: false }) !== undefined }): string[] {
  let found = ['/'];
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const dir of found) {
      if (!GLOB.test(part)) {
        const p = path.posix.join(dir, part);
        if (fs.exists(p)) next.push(p);
        continue;
      }
      const re = globComponent(part);
      let names: string[] = [];
      try {
        names = fs.readdir(dir);
      } catch {
        continue;
      }
      for (const n of names) if ((part.startsWith('.') || !n.startsWith('.')) && re.test(n)) next.push(path.posix.join(dir, n));
    }
    found = next;
  }
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * Read an Include's files. sshd stops on a file it cannot read; so does this, unless `unreadable: 'skip'` (a best-effort
 * look, such as finding the sftp-server sshd would run).
 */
export function readIncludes(pattern: string, opts: { unreadable?: 'throw' | 'skip' } = {}): Array<{ file: string; text: string }> {
  return globFiles(pattern)
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
    .flatMap((f) => {
      try {
        return [{ file: f, text: readFileSync(f, 'utf8') }];
      } catch (e) {
        if (opts.unreadable === 'skip') return [];
        throw new UsageError(`${f} (Include ${pattern}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'sshd cannot read it either: fix the Include or the file');
      }
    });
}
