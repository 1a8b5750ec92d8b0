/**
 * The jail side of an up-to-date rebuild (issue 14): a rebuild used to repair a jail (a file removed, replaced or
 * edited since), so it is skipped only when the jail still holds what its record says: every path the record puts
 * there is present with its type (a copy with its size and mtime, a symlink with its target) and every generated
 * file (passwd, group) with its recorded sha256. Confined reads (src/check/jail-read.ts), lstat only but for the
 * generated files. `check` remains the full comparison; this is the cheap one.
 */
import type { JailRecord } from '../plan/make-plan.js';
import { openRecordedJail, readJailPath, typeOf } from '../check/jail-read.js';

const IN_JAIL = new Set(['copy', 'create', 'generate']);

/** Why the jail no longer holds what the record says (undefined: it does). */
export async function jailDrift(jail: string, r: JailRecord): Promise<string | undefined> {
  const root = await openRecordedJail(jail, r);
  try {
    for (const e of r.entries) {
      if (!IN_JAIL.has(e.decision) || !e.host || e.path === '/' || e.decision === 'generate') continue;
      const f = await readJailPath(root, e.path, { hash: false }).catch(() => undefined);
      if (!f) return `${e.path} is missing from the jail`;
      if (typeOf(f) !== e.host.type) return `${e.path} in the jail is a ${typeOf(f)}, the record says ${e.host.type}`;
      if (e.host.type === 'symlink' && f.target !== e.host.target) return `${e.path} in the jail points elsewhere`;
      if (e.decision === 'copy' && e.host.type === 'file' && (f.st.size !== e.host.size || Math.abs(f.st.mtimeMs - e.host.mtimeMs) >= 1))
        return `${e.path} in the jail was changed`;
    }
    for (const g of Array.isArray(r.generated) ? r.generated : []) {
      const f = await readJailPath(root, g.path, { hash: true }).catch(() => undefined);
      if (!f || f.sha256 !== g.sha256) return `${g.path} in the jail is not what jailtrace generated`;
    }
    return undefined;
  } finally {
    await root.close();
  }
}
