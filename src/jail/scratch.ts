/**
 * verify's scratch dir in the jail root (`JAIL/.jailtrace-verify-XXXXXX`): where each profile makes its private tree
 * for the workload run inside the jail. Made and removed here, with the jail's other writes (docs/design.md: only
 * src/jail/ writes into a jail).
 */
import { constants as FS, rmdirSync } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { shWord } from '../profiles/login-shell.js';
import { removeAsUser } from '../profiles/private-tree.js';

/**
 * The workload's scratch dir. It is made in the jail root, which OpenSSH requires to be root-owned and not writable by
 * others (checked here), and it stays root's (0755): each profile makes its own private tree in it and hands only
 * that tree to the user (src/profiles/private-tree.ts). The user can never rename, replace or add a name here.
 */
export async function makeScratch(jail: string, uid: number): Promise<{ host: string; inJail: string }> {
  const st = await lstat(jail).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${jail} is not a directory`, 'name the jail directory');
  if (uid !== 0 && (st.uid !== 0 || st.mode & 0o022)) {
    throw new UsageError(
      `${jail} is not root-owned, or others can write to it: verify will not make files for the workload there`,
      `chown root ${shWord(jail)} && chmod go-w ${shWord(jail)} (OpenSSH requires it too)`,
    );
  }
  const host = await mkdtemp(path.join(jail, '.jailtrace-verify-'));
  // an interrupted run: the profiles' trees in it go first (registered later, removed first), then this, if empty
  const forget = onInterrupt(() => {
    try {
      rmdirSync(host);
    } catch {
      // not empty: a user's leftovers stay for the next verify's removeScratch
    }
  });
  scratchForgets.set(host, forget);
  const fh = await open(host, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
  try {
    await fh.chmod(0o755); // the user must pass through it, not write in it
  } finally {
    await fh.close();
  }
  return { host, inJail: '/' + path.basename(host) };
}

/**
 * Remove the scratch dir. The profiles remove their own trees; whatever is left (a tree the user made undeletable to
 * them, say) is emptied with the user's own rights (setpriv), never walked by root; a tree still root's and private
 * (a profile that failed before handing it over) is root's alone. Root then rmdir's the scratch dir itself.
 */
export async function removeScratch(host: string, uid: number, gid: number): Promise<void> {
  for (const name of await readdir(host).catch(() => [] as string[])) {
    const child = path.join(host, name);
    const st = await lstat(child).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory() && st.uid === 0 && (st.mode & 0o077) === 0) await rm(child, { recursive: true, force: true });
    else if (st.isDirectory() && uid !== 0) await removeAsUser(child, { uid, gid });
    else if (!st.isDirectory()) await unlink(child).catch(() => undefined); // unlink never follows a symlink
  }
  await rmdir(host).catch(() => undefined);
  scratchForgets.get(host)?.();
  scratchForgets.delete(host);
}

/** Unregisters each live scratch dir's interrupt cleanup (src/interrupt.ts) once removeScratch has run. */
const scratchForgets = new Map<string, () => void>();
