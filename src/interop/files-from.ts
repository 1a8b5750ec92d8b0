/**
 * A jail's contents as a NUL-separated list of paths relative to `/`, parents before children, for
 * `cd / && tar --null --no-recursion -T - -cf jail.tar`, `cpio -0 -o`, `rsync --from0 --files-from=- / JAIL/`.
 * Only what a jail takes from the host as it is (copied files, directories, symlinks, device nodes): generated
 * account files are left out, since the host's copies hold every account. Pure.
 */
import type { JailEntry } from '../expand/expand.js';

/** Entries whose host copy is what the jail holds. */
export function hostCopies(entries: readonly JailEntry[]): JailEntry[] {
  return entries.filter((e) => e.path !== '/' && e.host !== undefined && (e.decision === 'copy' || e.decision === 'create') && e.host.type !== 'missing');
}

export function filesFrom(entries: readonly JailEntry[]): Buffer {
  const paths = [...new Set(hostCopies(entries).map((e) => e.path))].sort((a, b) => {
    const da = a.split('/').length;
    const db = b.split('/').length;
    return a < b ? -1 : a > b ? 1 : da - db;
  });
  return Buffer.concat(paths.map((p) => Buffer.from(`${p.slice(1)}\0`, 'utf8')));
}
