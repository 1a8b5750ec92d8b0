/**
 * A workload's scratch tree, made safe for root to build next to an untrusted user (docs/security.md, "Root never
 * follows a path a user controls"):
 * - it is made private (root, 0700) and filled by path while nobody else can reach it;
 * - it is handed to the user last: every entry is opened O_NOFOLLOW, checked to be the very inode made here (fstat),
 *   and fchown'ed — deepest first, the top directory last;
 * - from then on root touches it only through ./read-user.ts (O_NOFOLLOW walks, regular files only, a size cap), and
 *   removes it with the user's own rights (setpriv), then rmdir's the emptied top (rmdir never follows a symlink);
 * - an interrupted run (SIGINT/SIGTERM) removes it the same way, synchronously (src/interrupt.ts), so no
 *   `jailtrace-sftp-*` or `jailtrace-scp-*` directory is left in /tmp.
 */
import { spawnSync } from 'node:child_process';
import { constants as FS, rmdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { onInterrupt } from '../interrupt.js';
import type { PasswdEntry } from './workspace.js';

interface Made {
  rel: string;
  dir: boolean;
  dev: number;
  ino: number;
}

export class PrivateTree {
  private readonly made: Made[] = [];
  /** Set once handed over: from then on the tree is the user's. */
  owner?: PasswdEntry;
  /** Unregisters the interrupt cleanup once the tree is removed. */
  private readonly forget: () => void;

  private constructor(
    /** The tree's top directory (host path). */
    readonly top: string,
    /** Its identity, to notice a top directory swapped for another. */
    readonly dev: number,
    readonly ino: number,
  ) {
    this.forget = onInterrupt(() => this.removeNow());
  }

  /** A fresh private directory `parent/prefixXXXXXX` (mkdtemp: O_EXCL semantics, mode 0700). */
  static async temp(parent: string, prefix: string): Promise<PrivateTree> {
    return PrivateTree.opened(await mkdtemp(path.join(parent, prefix)));
  }

  /**
   * A new private directory with a fixed name. Its parent must be one no user can write (a root-owned scratch dir in the
   * jail root): mkdir fails on any existing name, symlinks included.
   */
  static async named(dir: string): Promise<PrivateTree> {
    await mkdir(dir, { mode: 0o700 });
    return PrivateTree.opened(dir);
  }

  private static async opened(top: string): Promise<PrivateTree> {
    const fh = await open(top, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      await fh.chmod(0o700); // whatever the umask said
      return new PrivateTree(top, st.dev, st.ino);
    } finally {
      await fh.close();
    }
  }

  path(rel: string): string {
    return rel === '' ? this.top : path.join(this.top, rel);
  }

  private assertPrivate(): void {
    if (this.owner) throw new Error(`${this.top}: already handed over; root no longer writes there by path`);
  }

  async dir(rel: string, mode = 0o755): Promise<void> {
    this.assertPrivate();
    await mkdir(this.path(rel), { mode });
    await this.remember(rel, true, mode);
  }

  async file(rel: string, data: Buffer, mode = 0o644): Promise<void> {
    this.assertPrivate();
    await writeFile(this.path(rel), data, { mode, flag: FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW });
    await this.remember(rel, false, mode);
  }

  private async remember(rel: string, dir: boolean, mode: number): Promise<void> {
    const fh = await open(this.path(rel), FS.O_RDONLY | FS.O_NOFOLLOW | (dir ? FS.O_DIRECTORY : 0));
    try {
      await fh.chmod(mode); // the umask is not ours to apply
      const st = await fh.stat();
      this.made.push({ rel, dir, dev: st.dev, ino: st.ino });
    } finally {
      await fh.close();
    }
  }

  /**
   * Give the tree to `owner` (no-op without one: it stays root's). Deepest entries first, the top last, each by fchown
   * on an O_NOFOLLOW fd whose inode is checked to be the one made here. Until the top changes hands nobody else can
   * enter it, so the paths used to open these fds cannot have been tampered with.
   */
  async handOver(owner: PasswdEntry | undefined): Promise<void> {
    if (!owner || owner.uid === 0) return;
    this.assertPrivate();
    for (const m of [...this.made].reverse()) await fchownChecked(this.path(m.rel), m, owner);
    await fchownChecked(this.top, { rel: '', dir: true, dev: this.dev, ino: this.ino }, owner);
    this.owner = owner;
  }

  /**
   * Remove the tree. A handed-over tree is emptied with the owner's own rights (uid, gid and groups, via setpriv), so a
   * symlink or rename planted in it reaches only what the user could delete anyway; root then removes the empty top
   * directory with rmdir, which never follows a symlink. A tree never handed over is root's alone: plain rm.
   */
  async remove(): Promise<void> {
    if (!this.owner) await rm(this.top, { recursive: true, force: true });
    else await removeAsUser(this.top, this.owner);
    this.forget();
  }

  /** remove(), synchronously: for the interrupt handler, which runs right before the process exits. */
  removeNow(): void {
    this.forget();
    if (!this.owner) rmSync(this.top, { recursive: true, force: true });
    else removeAsUserSync(this.top, this.owner);
  }
}

async function fchownChecked(p: string, m: Made, owner: PasswdEntry): Promise<void> {
  const fh = await open(p, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK | (m.dir ? FS.O_DIRECTORY : 0));
  try {
    const st = await fh.stat();
    if (st.dev !== m.dev || st.ino !== m.ino) throw new Error(`${p}: not the entry jailtrace made (swapped?): not handing it over`);
    await fh.chown(owner.uid, owner.gid);
  } finally {
    await fh.close();
  }
}

/**
 * Empty `dir` as `user` (setpriv: uid, gid and supplementary groups), then rmdir it as root. The user's own
 * read-only directories are made writable first, by the user, so nothing the user can delete is left behind.
 */
export async function removeAsUser(dir: string, user: { uid: number; gid: number }): Promise<void> {
  // Run from the parent (a directory root controls: /tmp, verify's scratch dir), by a relative name: the user may
  // have no way through the jail's ancestors. find -P (the default) never follows a symlink, the starting point
  // included.
  const run = { reject: false, stdin: 'ignore', cwd: path.dirname(dir) } as const;
  for (const argv of asUserRemoval(dir, user)) await execa('setpriv', argv, run);
  await rmdir(dir).catch(() => undefined);
}

/** removeAsUser, synchronously (an interrupt handler cannot wait). */
export function removeAsUserSync(dir: string, user: { uid: number; gid: number }): void {
  for (const argv of asUserRemoval(dir, user)) spawnSync('setpriv', argv, { stdio: 'ignore', cwd: path.dirname(dir), timeout: 10_000 });
  try {
    rmdirSync(dir);
  } catch {
    // not empty (the user keeps something there) or gone already
  }
}

/** The setpriv argvs that empty `dir` as `user`, run from its parent: make the user's directories writable, delete. */
function asUserRemoval(dir: string, user: { uid: number; gid: number }): string[][] {
  const as = ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--'];
  const name = `./${path.basename(dir)}`;
  return [
    [...as, 'find', name, '-mindepth', '1', '-type', 'd', '-exec', 'chmod', 'u+rwx', '{}', '+'],
    [...as, 'find', name, '-mindepth', '1', '-delete'],
  ];
}
