/**
 * The one rule for a JAIL argument, in every command that takes one (build, build --dry-run, verify, check, sync,
 * explain --jail, export --jail), checked once, up front, before any lock, trace or write:
 *
 * - a jail root that is a symlink is refused (exit 2), said once. jailtrace never writes through a symlinked jail root
 *   (docs/security.md, confinement rule 1); reading through one would judge a different tree from the one a later
 *   build writes, so no command does. sshd itself follows the symlink: the fix is to name the real directory.
 * - a jail that must exist and does not is "does not exist" (not "has no record");
 * - a path that is not a directory is "is not a directory".
 *
 * Ancestors of the jail are the administrator's and are followed as usual (the chroot rule checks their modes).
 * And the commands that act as root say so up front when run by a normal user (`needsRootProblem`).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, JailtraceError } from '../errors.js';
import { shWord } from '../profiles/login-shell.js';

export class JailArgError extends JailtraceError {
  constructor(jail: string, why: string, hint: string) {
    super(jail, why, hint, EXIT.USAGE);
  }
}

/** What a JAIL argument may be: `existing` for commands that read a built jail, `new` for build (made if missing). */
export type JailNeed = 'existing' | 'new';

/** Throws a JailArgError (exit 2) when `jail` may not be used as a jail root by `command`. */
export async function requireJailArg(jail: string, need: JailNeed, command: string): Promise<void> {
  const abs = path.resolve(jail);
  const st = await lstat(abs).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw new JailArgError(abs, `cannot be looked at (${e.code})`, e.code === 'EACCES' ? 'run the command as root' : 'check the path');
  });
  if (st === undefined) {
    if (need === 'new') return;
    throw new JailArgError(abs, 'does not exist', 'check the path; jailtrace build makes a jail: see jailtrace build --help');
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(abs).catch(() => '?');
    const real = await realpath(abs).catch(() => undefined);
    throw new JailArgError(
      abs,
      `the jail root is a symlink (-> ${target}); jailtrace reads and writes no jail through a symlinked root (docs/security.md)`,
      real
        ? `name the real directory: ${commandLine(process.argv.slice(2), (a) => (a === jail ? real : a))}; sshd follows the symlink, so ChrootDirectory may keep either name`
        : `the symlink leads nowhere: name the real jail directory (${command})`,
    );
  }
  if (!st.isDirectory()) throw new JailArgError(abs, 'is not a directory', 'name the jail directory');
}

/** This run's command line, ready to paste (each word quoted for sh), with `map` applied to each argument. */
export function commandLine(args: readonly string[], map: (a: string) => string = (a) => a): string {
  return ['jailtrace', ...args.map(map)].map(shWord).join(' ');
}

/** Why the current user may not run `command` (it acts as root: chroot, chown, mknod, root-only records), or undefined. */
export function needsRootProblem(command: string, why: string, uid = process.getuid?.()): JailtraceError | undefined {
  if (uid === undefined || uid === 0) return undefined;
  return new JailtraceError(command, `needs root (${why})`, `run it as root: sudo ${commandLine(process.argv.slice(2))}`, EXIT.USAGE);
}

export function requireRoot(command: string, why: string): void {
  const e = needsRootProblem(command, why);
  if (e) throw e;
}
