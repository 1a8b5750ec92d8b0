/**
 * The one reader of passwd(5) and group(5) lines: `name:password:uid:gid:gecos:home:shell` and
 * `name:password:gid:member,member`. Comment lines (`#`), NIS compat lines (`+`, `-`), empty names and non-numeric
 * ids (an empty id too: not 0) are skipped, as getpwent(3) would not return them; a missing trailing field is empty (home: `/`). Pure.
 */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
  /** The line as it was, for filtering without rewriting it. */
  line: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
  line: string;
}

/** A numeric id field; an empty one is not 0 (Number('') is). */
const id = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
const skipped = (l: string): boolean => l.trim() === '' || l.startsWith('#') || l.startsWith('+') || l.startsWith('-');

/** One passwd line (from /etc/passwd or `getent passwd NAME`); undefined when it is not an account. */
export function parsePasswdLine(line: string): PasswdEntry | undefined {
  if (skipped(line)) return undefined;
  const f = line.split(':');
  const e = { name: f[0], uid: id(f[2]), gid: id(f[3]), gecos: f[4] ?? '', home: f[5] ?? '/', shell: f[6] ?? '', line };
  return e.name !== '' && Number.isInteger(e.uid) && Number.isInteger(e.gid) ? e : undefined;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((l) => parsePasswdLine(l) ?? []);
}

export function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .filter((l) => !skipped(l))
    .map((line) => {
      const f = line.split(':');
      return { name: f[0], gid: id(f[2]), members: (f[3] ?? '').split(',').filter(Boolean), line };
    })
    .filter((e) => e.name !== '' && Number.isInteger(e.gid));
}
