/**
 * The only code that writes into a jail. It runs a Plan (see plan.ts) and returns a report; it never prints.
 *
 * Every action is:
 * - confined: its parent is reached by confine.ts (symlinks resolved inside the jail or refused), and the final
 *   component is never followed: it is lstat'ed and replaced by rename(2);
 * - atomic: new content goes to `.jailtrace-tmp-<random>` in the same directory (O_EXCL|O_NOFOLLOW), is fsync'ed,
 *   chown'ed, chmod'ed and given its mtime, then renamed over the target; on any error the temp file is removed.
 *   So a symlink, a hard link (its other links keep their content) or a FIFO (never opened) at the target is replaced,
 *   never written through; a directory where a file should go is refused, never deleted;
 * - idempotent: an action whose target already matches is reported `up-to-date` and not touched. For copies "matches"
 *   means regular file, one link, same size, mtime (to the millisecond), mode and owner (rsync's quick check, not a
 *   content hash); for generated files the content is compared; for symlinks the target; for device nodes type, rdev,
 *   mode and owner; for directories mode and owner (a mismatch is fixed in place and reported as `done`).
 * - setuid/setgid bits are stripped from files and device nodes unless the jail path is in `keepSetuid`.
 *
 * Failures: ENOSPC, EDQUOT and EROFS stop the run (every later write would fail the same way; the remaining actions
 * are reported `failed` with "not attempted"); any other error, and every refusal, is reported and the run goes on.
 */
import { createHash } from 'node:crypto';
import { constants as FS, unlinkSync, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { hashHandle } from '../check/hash.js';
import { swappableBy } from '../host-chain.js';
import { onInterrupt } from '../interrupt.js';
import { makedev, TEMP_PREFIX, tempName } from './on-disk.js';
import { ConfineError, isCode, openJail, resolveParent, type ConfineMode, type JailRoot, type Resolved } from './confine.js';
import { effectiveMode, octal, planSymlinks, validatePlan, type Action, type Plan } from '../plan/plan.js';

export type ActionOutcome = 'done' | 'up-to-date' | 'refused' | 'failed';

export interface ActionResult {
  action: Action;
  result: ActionOutcome;
  /** What was done or why not, with the host path. */
  detail?: string;
  /** errno code (`ENOSPC`) or ConfineError reason (`symlink-absolute`) when there is one. */
  code?: string;
  /**
   * A copy whose source was replaced on the host since planning (a package upgrade: ldconfig renaming a new
   * /etc/ld.so.cache into place) by a root-owned regular file that no user could have swapped in: copied with these
   * fresh facts instead of the plan's. The caller records them (the plan's are stale).
   */
  replanned?: SourceFacts;
}

/** What a copy's source was when it was copied. */
export interface SourceFacts {
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  dev: number;
  ino: number;
  sha256: string;
  /** Why the plan's facts were not used (for the report). */
  why: string;
}

export interface ApplyReport {
  jail: string;
  dryRun: boolean;
  /** How resolution was anchored (see confine.ts). */
  confineMode?: ConfineMode;
  results: ActionResult[];
  counts: Record<ActionOutcome, number>;
  /** Set when a failure stopped the run (ENOSPC, EDQUOT, EROFS). */
  stopped?: { code: string; path: string; message: string };
  /** Stale `.jailtrace-tmp-*` files (left by a killed run) removed from the directories this run wrote in. */
  removedTemps?: string[];
}

export interface ApplyOptions {
  /** Decide and report, change nothing ('done' then means "would be done"). */
  dryRun?: boolean;
  /** Called after each action (awaited, so tests can change the jail between actions). */
  onProgress?: (done: number, total: number, action: Action) => void | Promise<void>;
  /** Jail paths that keep their setuid/setgid bits. */
  keepSetuid?: ReadonlySet<string>;
  /** Force the confinement mode (tests). */
  confineMode?: ConfineMode;
}

/** Errors after which every further write would fail too. */
const STOPPING = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
};

interface Ctx {
  jail: JailRoot;
  /** This run created the jail root (so `mkdir /` reports done). */
  createdRoot: boolean;
  dryRun: boolean;
  keepSetuid: ReadonlySet<string>;
  /** Directories (dev:ino) already swept for stale temp files. */
  swept: Set<string>;
  removedTemps: string[];
}

type Outcome = Omit<ActionResult, 'action'>;

/** Runs `plan.actions` in order (sort them with sortPlan first). Throws only for a malformed plan (JailPathError). */
export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ApplyReport> {
  validatePlan(plan);
  const dryRun = opts.dryRun ?? false;
  const host = path.resolve(plan.jail);
  const actions = plan.actions;
  const results: ActionResult[] = [];
  let stopped: ApplyReport['stopped'];
  let jail: JailRoot | undefined;
  const removedTemps: string[] = [];
  const report = (): ApplyReport => ({
    jail: host,
    dryRun,
    confineMode: jail?.mode,
    results,
    counts: countResults(results),
    stopped,
    ...(removedTemps.length ? { removedTemps } : {}),
  });

  // The jail root: created if missing (its parent must exist), refused if it is a symlink.
  const rootSt = await fs.lstat(host).catch((e: unknown) => (isCode(e, 'ENOENT') ? undefined : Promise.reject(e)));
  if (!rootSt && dryRun) {
    for (const [i, a] of actions.entries()) {
      results.push({ action: a, result: 'done', detail: `would create ${hostOf(host, a.path)} (jail root ${host} does not exist yet)` });
      await opts.onProgress?.(i + 1, actions.length, a);
    }
    return report();
  }
  try {
    if (!rootSt) await fs.mkdir(host, { mode: 0o755 });
    jail = await openJail(host, { trusted: planSymlinks(plan), mode: opts.confineMode });
  } catch (e) {
    const r = classify(e, host, 'open the jail root');
    for (const [i, a] of actions.entries()) {
      results.push({ action: a, ...r });
      await opts.onProgress?.(i + 1, actions.length, a);
    }
    return report();
  }

  const ctx: Ctx = { jail, createdRoot: !rootSt, dryRun, keepSetuid: opts.keepSetuid ?? new Set(), swept: new Set(), removedTemps };
  try {
    for (const [i, a] of actions.entries()) {
      if (stopped) {
        results.push({ action: a, result: 'failed', code: stopped.code, detail: `not attempted: stopped after ${stopped.code} at ${stopped.path}` });
      } else {
        let out: Outcome;
        try {
          out = await applyOne(ctx, a);
        } catch (e) {
          out = classify(e, hostOf(host, a.path), VERB[a.kind]);
          if (out.code && STOPPING.has(out.code)) stopped = { code: out.code, path: a.path, message: out.detail ?? out.code };
        }
        results.push({ action: a, ...out });
      }
      await opts.onProgress?.(i + 1, actions.length, a);
    }
  } finally {
    await jail.close();
  }
  return report();
}

const VERB: Record<Action['kind'], string> = {
  mkdir: 'create directory',
  copy: 'copy to',
  symlink: 'create symlink',
  mknod: 'create device node',
  write: 'write',
};

function classify(e: unknown, hostPath: string, verb: string): Outcome {
  if (e instanceof ConfineError) return { result: e.reason === 'missing' ? 'failed' : 'refused', code: e.reason, detail: e.message };
  if (e instanceof ActionRefused) return { result: 'refused', code: e.code, detail: e.message };
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  const text = code ? (ERRNO_TEXT[code] ?? (e as Error).message) : e instanceof Error ? e.message : String(e);
  const kept = code && STOPPING.has(code) ? '; the temp file was removed and any existing file left as it was' : '';
  return { result: 'failed', code, detail: `cannot ${verb} ${hostPath}: ${text}${code ? ` (${code})` : ''}${kept}` };
}

/** A policy refusal decided by apply itself (as opposed to confine.ts). */
class ActionRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

async function applyOne(ctx: Ctx, a: Action): Promise<Outcome> {
  if (a.kind === 'mkdir' && a.path === '/') return fixRoot(ctx, a);
  const r = await resolveParent(ctx.jail, a.path, { allowMissing: ctx.dryRun });
  try {
    if (r.status === 'missing') return { result: 'done', detail: `would create ${hostOf(ctx.jail.host, a.path)} (${r.missing} not there yet)` };
    if (!ctx.dryRun) await sweepTemps(ctx, r);
    const cur = await lstatOrUndefined(r.opPath);
    switch (a.kind) {
      case 'mkdir':
        return await mkdir(ctx, a, r, cur);
      case 'copy':
        return await copy(ctx, a, r, cur);
      case 'write':
        return await write(ctx, a, r, cur);
      case 'symlink':
        return await symlink(ctx, a, r, cur);
      case 'mknod':
        return await mknod(ctx, a, r, cur);
    }
  } finally {
    await r.release();
  }
}

// ---------------------------------------------------------------- directories

type Mkdir = Extract<Action, { kind: 'mkdir' }>;

async function fixRoot(ctx: Ctx, a: Mkdir): Promise<Outcome> {
  const root = ctx.jail.root;
  const fh = root.fd ?? (await openDirNoFollow(root.hostPath, root));
  try {
    return await fixDir(ctx, a, fh, await fh.stat(), root.hostPath, ctx.createdRoot);
  } finally {
    if (fh !== root.fd) await fh.close();
  }
}

async function mkdir(ctx: Ctx, a: Mkdir, r: Resolved, cur: Stats | undefined): Promise<Outcome> {
  if (cur && !cur.isDirectory()) {
    const what = await describe(r.opPath, cur);
    throw new ActionRefused('not-a-directory', `${r.hostPath} is ${what} where a directory should be; not following or deleting it`);
  }
  if (!cur) {
    if (ctx.dryRun) return { result: 'done', detail: `would create ${r.hostPath} (${modeOwner(a.mode, a.uid, a.gid)})` };
    await r.verify();
    await fs.mkdir(r.opPath, { mode: 0o700 }); // private until chown/chmod below
  }
  const fh = await openDirNoFollow(r.opPath);
  try {
    return await fixDir(ctx, a, fh, await fh.stat(), r.hostPath, !cur);
  } finally {
    await fh.close();
  }
}

async function fixDir(ctx: Ctx, a: Mkdir, fh: FileHandle, st: Stats, hostPath: string, created: boolean): Promise<Outcome> {
  const want = effectiveMode(a, true);
  const changes = diffModeOwner(st, want, a.uid, a.gid);
  if (!created && changes.length === 0) return { result: 'up-to-date' };
  if (ctx.dryRun) return { result: 'done', detail: `would fix ${hostPath}: ${changes.join(', ')}` };
  await fh.chown(a.uid, a.gid);
  await fh.chmod(want);
  return { result: 'done', detail: created ? `created ${hostPath} (${modeOwner(want, a.uid, a.gid)})` : `fixed ${hostPath}: ${changes.join(', ')}` };
}

async function openDirNoFollow(p: string, expect?: { dev: number; ino: number }): Promise<FileHandle> {
  const fh = await fs.open(p, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
  if (expect) {
    const st = await fh.stat();
    if (st.dev !== expect.dev || st.ino !== expect.ino) {
      await fh.close();
      throw new ActionRefused('changed', `${p} changed while applying (swapped for another directory?)`);
    }
  }
  return fh;
}

// ---------------------------------------------------------------- files

type Copy = Extract<Action, { kind: 'copy' }>;
type Write = Extract<Action, { kind: 'write' }>;

async function copy(ctx: Ctx, a: Copy, r: Resolved, cur: Stats | undefined): Promise<Outcome> {
  const want = effectiveMode(a, ctx.keepSetuid.has(a.path));
  refuseDirectory(r, cur);
  // O_NONBLOCK: a FIFO in place of the source must not block us; it is refused below. O_NOFOLLOW: the plan names the
  // real file (symlinks on the way were resolved when planning), so a symlink here was swapped in since: refused.
  const src = await fs.open(a.source, FS.O_RDONLY | FS.O_NONBLOCK | FS.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ELOOP') throw new ActionRefused('source-changed', `source ${a.source} is now a symlink (it was a file when the plan was made); re-plan`);
    throw e;
  });
  try {
    const sst = await src.stat();
    if (!sst.isFile()) throw new ActionRefused('source-not-file', `source ${a.source} is not a regular file`);
    const other = (a.dev !== undefined && sst.dev !== a.dev) || (a.ino !== undefined && sst.ino !== a.ino);
    const changed = sst.size !== a.size || !sameMtime(sst.mtimeMs, a.mtimeMs);
    // The plan's file, or a file root put there since (an upgrade): then the plan's facts give way to the new file's.
    const upgrade = other || changed ? await upgradedSource(a, sst, other) : undefined;
    const plan = upgrade ? { ...a, size: sst.size, mtimeMs: sst.mtimeMs, mode: sst.mode & 0o7777, uid: sst.uid, gid: sst.gid } : a;
    const wantNow = upgrade ? effectiveMode(plan, ctx.keepSetuid.has(a.path)) : want;
    if (
      cur?.isFile() &&
      cur.nlink === 1 &&
      cur.size === plan.size &&
      sameMtime(cur.mtimeMs, plan.mtimeMs) &&
      diffModeOwner(cur, wantNow, plan.uid, plan.gid).length === 0
    ) {
      return upgrade
        ? { result: 'up-to-date', detail: upgrade, replanned: { ...factsOf(sst), sha256: await hashHandle(src), why: upgrade } }
        : { result: 'up-to-date' };
    }
    const replaced = await replacing(r, cur);
    if (ctx.dryRun) return { result: 'done', detail: `would copy ${a.source} to ${r.hostPath}${replaced}${upgrade ? ` (${upgrade})` : ''}` };
    const hash = createHash('sha256');
    await replaceFile(r, wantNow, plan.uid, plan.gid, plan.mtimeMs, async (out) => {
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        await writeAll(out, buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      if (pos !== plan.size)
        throw new ActionRefused('source-changed', `source ${a.source} changed while copying (${pos} bytes read, ${plan.size} expected); re-plan`);
    });
    if (!upgrade) return { result: 'done', detail: `copied ${a.source} to ${r.hostPath}${replaced}` };
    return {
      result: 'done',
      detail: `copied ${a.source} to ${r.hostPath}${replaced}: ${upgrade}`,
      replanned: { ...factsOf(sst), sha256: hash.digest('hex'), why: upgrade },
    };
  } finally {
    await src.close();
  }
}

const factsOf = (st: Stats): Omit<SourceFacts, 'sha256' | 'why'> => ({
  size: st.size,
  mtimeMs: st.mtimeMs,
  mode: st.mode & 0o7777,
  uid: st.uid,
  gid: st.gid,
  dev: st.dev,
  ino: st.ino,
});

/**
 * The source is not the file the plan saw (another inode, or other size/mtime). docs/security.md's rule decides
 * whether that is an upgrade or an attack: when the file now open (O_NOFOLLOW, a regular file) is root's, and no user
 * could change where `a.source` leads (src/host-chain.ts swappableBy: every directory on the way, and every symlink
 * followed, is root's alone), only root can have put it there: a package upgrade (ldconfig renaming a new
 * /etc/ld.so.cache into place). It is copied with its own facts, and the reason is returned. Anything else is refused
 * as before: a directory on the way a user could swap, a file of a user's.
 */
async function upgradedSource(a: Copy, sst: Stats, other: boolean): Promise<string> {
  const was = other
    ? 'another file than the one planned (device/inode changed'
    : `changed since the plan was made (size ${a.size} → ${sst.size}, mtime ${a.mtimeMs} → ${sst.mtimeMs}`;
  const swappable = await swappableBy(a.source).catch((e: unknown) => `cannot check the way to it: ${(e as Error).message}`);
  if (swappable)
    throw new ActionRefused(
      'source-changed',
      `source ${a.source} is ${was}) and ${swappable}: a directory on the way may have been swapped; not copied, re-plan`,
    );
  if (sst.uid !== 0)
    throw new ActionRefused('source-changed', `source ${a.source} is ${was}) and now belongs to uid ${sst.uid}, not root: not copied, re-plan`);
  // the way is root's now, so nobody but root changed it since: the open file is the one at that name
  return `${a.source} was replaced on the host since planning (${other ? 'a new inode' : 'new size/mtime'}: an upgrade, a root-owned file reached only through root's directories): copied the new file`;
}

async function write(ctx: Ctx, a: Write, r: Resolved, cur: Stats | undefined): Promise<Outcome> {
  const want = effectiveMode(a, ctx.keepSetuid.has(a.path));
  const data = Buffer.from(a.content, 'utf8');
  refuseDirectory(r, cur);
  if (cur?.isFile() && cur.nlink === 1 && cur.size === data.length && diffModeOwner(cur, want, a.uid, a.gid).length === 0) {
    if (await sameContent(r.opPath, cur, data)) return { result: 'up-to-date' };
  }
  const replaced = await replacing(r, cur);
  if (ctx.dryRun) return { result: 'done', detail: `would write ${data.length} bytes to ${r.hostPath}${replaced}` };
  await replaceFile(r, want, a.uid, a.gid, undefined, (out) => writeAll(out, data));
  return { result: 'done', detail: `wrote ${data.length} bytes to ${r.hostPath}${replaced}` };
}

/** Reads an existing regular file without following a symlink or opening a swapped-in FIFO. */
async function sameContent(p: string, st: Stats, data: Buffer): Promise<boolean> {
  const fh = await fs.open(p, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  try {
    const fst = await fh.stat();
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) return false;
    return (await fh.readFile()).equals(data);
  } finally {
    await fh.close();
  }
}

/** Writes a temp file next to the target and renames it over the target; removes the temp file on any error. */
async function replaceFile(
  r: Resolved,
  mode: number,
  uid: number,
  gid: number,
  mtimeMs: number | undefined,
  fill: (out: FileHandle) => Promise<void>,
): Promise<void> {
  await r.verify();
  const tmp = r.sibling(tempName());
  liveTemps.add(tmp);
  const out = await fs.open(tmp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600).catch((e: unknown) => {
    liveTemps.delete(tmp);
    throw e;
  });
  let closed = false;
  try {
    await fill(out);
    await out.sync();
    await out.chown(uid, gid); // before chmod: chown clears setuid/setgid
    await out.chmod(mode);
    if (mtimeMs !== undefined) await out.utimes(new Date(), mtimeMs / 1000);
    await out.close();
    closed = true;
    await r.verify();
    await fs.rename(tmp, r.opPath);
    liveTemps.delete(tmp);
    await syncDir(r);
  } catch (e) {
    if (!closed) await out.close().catch(() => undefined); // the original error is the one worth reporting
    await removeTemp(tmp);
    throw e;
  }
}

async function writeAll(out: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await out.write(data, off, data.length - off)).bytesWritten;
}

// ---------------------------------------------------------------- symlinks and device nodes

type Symlink = Extract<Action, { kind: 'symlink' }>;
type Mknod = Extract<Action, { kind: 'mknod' }>;

async function symlink(ctx: Ctx, a: Symlink, r: Resolved, cur: Stats | undefined): Promise<Outcome> {
  refuseDirectory(r, cur);
  if (cur?.isSymbolicLink() && (await fs.readlink(r.opPath)) === a.target) return { result: 'up-to-date' };
  const replaced = await replacing(r, cur);
  if (ctx.dryRun) return { result: 'done', detail: `would link ${r.hostPath} -> ${a.target}${replaced}` };
  await replaceNode(r, async (tmp) => fs.symlink(a.target, tmp));
  return { result: 'done', detail: `linked ${r.hostPath} -> ${a.target}${replaced}` };
}

async function mknod(ctx: Ctx, a: Mknod, r: Resolved, cur: Stats | undefined): Promise<Outcome> {
  const want = effectiveMode(a, ctx.keepSetuid.has(a.path));
  const rdev = makedev(a.major, a.minor);
  refuseDirectory(r, cur);
  const sameType = a.type === 'c' ? cur?.isCharacterDevice() : cur?.isBlockDevice();
  if (cur && sameType && cur.rdev === rdev && diffModeOwner(cur, want, a.uid, a.gid).length === 0) return { result: 'up-to-date' };
  const replaced = await replacing(r, cur);
  const desc = `${a.type} ${a.major},${a.minor} ${modeOwner(want, a.uid, a.gid)}`;
  if (ctx.dryRun) return { result: 'done', detail: `would make ${r.hostPath} (${desc})${replaced}` };
  await replaceNode(r, async (tmp) => {
    // Node has no mknod(2). `tmp` is /proc/<our pid>/fd/<dir fd>/<name> in procfd mode, which the child can use too.
    await execa('mknod', ['-m', octal(want), tmp, a.type, String(a.major), String(a.minor)]);
    await fs.lchown(tmp, a.uid, a.gid);
    const st = await fs.lstat(tmp);
    if ((st.mode & 0o7777) !== want || st.rdev !== rdev) {
      throw new ActionRefused('mknod-mismatch', `mknod made ${tmp} with mode ${octal(st.mode)} rdev ${st.rdev}, wanted ${octal(want)} rdev ${rdev}`);
    }
  });
  return { result: 'done', detail: `made ${r.hostPath} (${desc})${replaced}` };
}

/**
 * Hard-links `existing` (a path naming an inode already in a jail) over r's target the way every write here is made:
 * under a temp name beside it, checked by `check(tmp)`, then renamed over the target (src/jail/link.ts shares
 * identical files across jails with it). `check` false: the temp link is removed and nothing is replaced.
 */
export async function replaceWithLink(r: Resolved, existing: string, check: (tmp: string) => Promise<boolean>): Promise<boolean> {
  try {
    await replaceNode(r, async (tmp) => {
      await fs.link(existing, tmp);
      if (!(await check(tmp))) throw new NotReplaced();
    });
    return true;
  } catch (e) {
    if (e instanceof NotReplaced) return false;
    throw e;
  }
}

/** replaceWithLink's check said no: the temp link is gone, the target untouched. */
class NotReplaced extends Error {}

/** Creates a node under a temp name (via `make`) and renames it over the target; removes the temp node on error. */
async function replaceNode(r: Resolved, make: (tmp: string) => Promise<void>): Promise<void> {
  await r.verify();
  const tmp = r.sibling(tempName());
  liveTemps.add(tmp);
  try {
    await make(tmp);
    await r.verify();
    await fs.rename(tmp, r.opPath);
    liveTemps.delete(tmp);
    await syncDir(r);
  } catch (e) {
    await removeTemp(tmp);
    throw e;
  }
}

// ---------------------------------------------------------------- helpers

/**
 * Temp paths this process has created and not yet renamed or removed. A SIGINT/SIGTERM handler (src/cli.ts) calls
 * `removeLiveTemps()` before exiting, so an interrupted run leaves no temp file behind. In 'procfd' mode the paths
 * are `/proc/<pid>/fd/<n>/<name>`: still the jail directory the temp file was made in, while this process lives.
 */
const liveTemps = new Set<string>();
onInterrupt(removeLiveTemps);

/** Synchronous on purpose: called from a signal handler right before process.exit(). Returns how many it removed. */
export function removeLiveTemps(): number {
  let n = 0;
  for (const t of liveTemps) {
    try {
      unlinkSync(t);
      n++;
    } catch {
      // ENOENT: already renamed into place or never created; the next run sweeps anything that slipped through
    }
  }
  liveTemps.clear();
  return n;
}

async function removeTemp(tmp: string): Promise<void> {
  try {
    await fs.unlink(tmp);
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
  } finally {
    liveTemps.delete(tmp);
  }
}

/**
 * A run killed with SIGKILL (or a power cut) leaves its `.jailtrace-tmp-*` file where it was writing. The first time
 * this run reaches a directory it removes such names there (non-directories only, through the confined directory
 * handle, so nothing outside the jail is touched; removing a name never changes another link's content).
 */
async function sweepTemps(ctx: Ctx, r: Resolved): Promise<void> {
  const key = `${r.dir.dev}:${r.dir.ino}`;
  if (ctx.swept.has(key)) return;
  ctx.swept.add(key);
  const names = await fs.readdir(r.dir.opPath).catch(() => [] as string[]);
  for (const n of names) {
    if (!n.startsWith(TEMP_PREFIX)) continue;
    const p = r.sibling(n);
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st || st.isDirectory() || liveTemps.has(p)) continue;
    await r.verify();
    await fs.unlink(p).catch((e: unknown) => (isCode(e, 'ENOENT') ? undefined : Promise.reject(e)));
    ctx.removedTemps.push(r.dir.jailPath === '/' ? `/${n}` : `${r.dir.jailPath}/${n}`);
  }
}

async function syncDir(r: Resolved): Promise<void> {
  if (r.dir.fd) await r.dir.fd.sync();
}

function refuseDirectory(r: Resolved, cur: Stats | undefined): void {
  if (cur?.isDirectory()) throw new ActionRefused('is-a-directory', `${r.hostPath} is a directory where a file should be; not deleting directories`);
}

/** " (replaced symlink -> /x)" etc.: what was at the target, for the report. */
async function replacing(r: Resolved, cur: Stats | undefined): Promise<string> {
  if (!cur) return '';
  if (cur.isFile() && cur.nlink > 1) return ` (replaced a file with ${cur.nlink} hard links; the other links keep their content)`;
  return ` (replaced ${await describe(r.opPath, cur)})`;
}

async function describe(p: string, st: Stats): Promise<string> {
  if (st.isSymbolicLink()) return `a symlink -> ${await fs.readlink(p).catch(() => '?')}`;
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'a regular file';
}

function diffModeOwner(st: Stats, mode: number, uid: number, gid: number): string[] {
  const out: string[] = [];
  if ((st.mode & 0o7777) !== mode) out.push(`mode ${octal(st.mode)} → ${octal(mode)}`);
  if (st.uid !== uid || st.gid !== gid) out.push(`owner ${st.uid}:${st.gid} → ${uid}:${gid}`);
  return out;
}

const modeOwner = (mode: number, uid: number, gid: number): string => `${octal(mode)} ${uid}:${gid}`;
const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;
const hostOf = (host: string, jailPath: string): string => (jailPath === '/' ? host : path.join(host, jailPath));

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if (isCode(e, 'ENOENT')) return undefined;
    throw e;
  }
}

export function countResults(results: readonly ActionResult[]): Record<ActionOutcome, number> {
  const counts: Record<ActionOutcome, number> = { done: 0, 'up-to-date': 0, refused: 0, failed: 0 };
  for (const r of results) counts[r.result]++;
  return counts;
}
