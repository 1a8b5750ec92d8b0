/**
 * OpenSSH's rule for a ChrootDirectory (session.c, safely_chroot): every component of the path, from `/` down to the
 * jail itself, is stat'ed (symlinks followed) and must be a directory owned by root and writable by neither group nor
 * others; else sshd ends the session with "bad ownership or modes for chroot directory [component] DIR" and the user
 * sees only "Connection closed". Each problem names the directory and the command that fixes it.
 */
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { shWord } from '../profiles/login-shell.js';

export interface ChrootComponent {
  path: string;
  uid: number;
  mode: number;
  dir: boolean;
  /** The jail root itself is a symlink (sshd follows it; jailtrace writes through no symlinked jail root). */
  symlink?: boolean;
}

/** The problems, one line per directory: what is wrong, what sshd says, and the fix. Pure. */
export function chrootRuleProblems(components: readonly ChrootComponent[], jail: string): string[] {
  const out: string[] = [];
  for (const c of components) {
    const which = c.path === jail ? 'the jail root' : `a parent of ${jail}`;
    const q = shWord(c.path);
    if (c.symlink)
      out.push(`${c.path} (${which}) is a symlink: sshd follows it, jailtrace does not build through it; fix: use the real path, ${'`'}readlink -f ${q}${'`'}`);
    if (!c.dir) {
      out.push(`${c.path} (${which}) is not a directory: sshd refuses to chroot there ("chroot path ... is not a directory")`);
      continue;
    }
    const fixes: string[] = [];
    const wrong: string[] = [];
    if (c.uid !== 0) {
      wrong.push(`owned by uid ${c.uid}, not root`);
      fixes.push(`chown root:root ${q}`);
    }
    if (c.mode & 0o022) {
      const who = [c.mode & 0o020 ? 'group' : '', c.mode & 0o002 ? 'others' : ''].filter(Boolean).join(' and ');
      wrong.push(`writable by ${who} (mode ${(c.mode & 0o7777).toString(8).padStart(4, '0')})`);
      // a sticky parent (/tmp, /var/tmp) is shared on purpose: chmod would break it; the jail moves instead
      fixes.push(
        c.path !== jail && c.mode & 0o1000
          ? `move the jail under directories only root can write, e.g. /srv/jail/${shWord(path.basename(jail))} (${c.path} is shared on purpose: do not chmod it)`
          : `chmod go-w ${q}`,
      );
    }
    if (wrong.length === 0) continue;
    const says = `bad ownership or modes for chroot directory ${c.path === jail ? '' : 'component '}"${c.path}${c.path === jail || c.path === '/' ? '' : '/'}"`;
    out.push(`${c.path} (${which}) is ${wrong.join(' and ')}: sshd refuses every chrooted login below it (${says}); fix: ${fixes.join(' && ')}`);
  }
  return out;
}

/** Every component of the jail path, as sshd stats it. Missing ones are left out (build creates the jail). */
export async function chrootComponents(jail: string): Promise<ChrootComponent[]> {
  const abs = path.resolve(jail);
  const parts = abs.split('/').filter(Boolean);
  const out: ChrootComponent[] = [];
  for (let i = 0; i <= parts.length; i++) {
    const p = '/' + parts.slice(0, i).join('/');
    const st = await stat(p).catch(() => undefined);
    if (!st) break;
    const symlink =
      p === abs &&
      (await lstat(p).then(
        (l) => l.isSymbolicLink(),
        () => false,
      ));
    out.push({ path: p, uid: st.uid, mode: st.mode, dir: st.isDirectory(), ...(symlink ? { symlink } : {}) });
  }
  return out;
}

export async function chrootDirProblems(jail: string): Promise<string[]> {
  const abs = path.resolve(jail);
  return chrootRuleProblems(await chrootComponents(abs), abs);
}
