/** A jail a config names (rssh.conf, sshd_config): where, for whom, what to trace. Specs for one jail merge. */
export interface JailSpec {
  jail: string;
  /** Users chrooted there; empty: every user the config covers without naming them (rssh's global chrootpath). */
  users: string[];
  /** Profiles to trace: rssh service names (`sftp`, `scp`, `rsync`, `cvs`, `rdist`, `svnserve`). */
  profiles: string[];
  /** What the config says that the jail does not need a program for, or that jailtrace could not resolve. */
  notes?: string[];
  /** Nothing to trace and nothing needed (internal-sftp): build only the layout and the users' homes. */
  layoutOnly?: boolean;
}

/** Add `s` to `specs`, merged into the spec of the same jail if there is one (users, profiles and notes joined). */
export function mergeSpec(specs: JailSpec[], s: JailSpec): void {
  const old = specs.find((x) => x.jail === s.jail);
  if (!old) {
    specs.push({ ...s, users: [...s.users], profiles: [...s.profiles], ...(s.notes ? { notes: [...s.notes] } : {}) });
    return;
  }
  for (const u of s.users) if (!old.users.includes(u)) old.users.push(u);
  for (const p of s.profiles) if (!old.profiles.includes(p)) old.profiles.push(p);
  for (const n of s.notes ?? []) if (!(old.notes ??= []).includes(n)) old.notes.push(n);
  // a jail is layout-only when every block that names it is
  old.layoutOnly = Boolean(old.layoutOnly && s.layoutOnly) || undefined;
}
