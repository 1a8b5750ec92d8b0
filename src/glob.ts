/**
 * The one glob of jailtrace, as glob(3) does it: `*`, `?`, `[abc]`, `[!abc]` in any component, dot files only by a
 * dot pattern, results sorted in byte order. Used for sshd_config `Include` (src/config/sshd-include.ts) and
 * ld.so.conf `include` (src/elf/ldconf.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Does a component need globbing? */
export const GLOB = /[*?[]/;

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

/** The files an absolute pattern names, as glob(3) lists them (sorted, byte order). */
export function globFiles(
  pattern: string,
  fs = { readdir: (d: string) => readdirSync(d), exists: (p: string) => statSync(p, { throwIfNoEntry: false }) !== undefined },
): string[] {
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
