/**
 * `build --from-sshd-config`: the config read the way sshd reads it — Include patterns globbed (glob(3): `*`, `?`,
 * `[...]` in any component, dot files only by a dot pattern, results sorted), relative ones under /etc/ssh — and the
 * accounts Match User/Group are resolved against. The internal-sftp jails' workload: none, only the layout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { parseAccounts } from '../config/sshd-match.js';
import type { Workload } from '../workload.js';
import type { JailSpec } from './jail-spec.js';
import { jailsFromSshdConfig } from './sshd-jails.js';

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

/** Read an Include's files (sshd stops on a file it cannot read; so does this). */
export function readIncludes(pattern: string): Array<{ file: string; text: string }> {
  return globFiles(pattern)
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
    .map((f) => {
      try {
        return { file: f, text: readFileSync(f, 'utf8') };
      } catch (e) {
        throw new UsageError(`${f} (Include ${pattern}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'sshd cannot read it either: fix the Include or the file');
      }
    });
}

export function sshdSpecs(file: string, text: string, passwd: string, group: string): JailSpec[] {
  return jailsFromSshdConfig(text, { file, include: readIncludes, accounts: parseAccounts(passwd, group) });
}

/** The workload of a layout-only jail: no trace, nothing to copy; the plan still makes the root, the homes and the record. */
export function layoutWorkload(why: string): Workload {
  return { kind: 'trace', name: 'layout', traces: [], cwd: '/', excludes: [], steps: [{ description: `no program to trace: ${why}`, ok: true }] };
}
