/** Per-process state (ReproZip's ThreadGroup, with an fd table): cwd and root shared by CLONE_FS, fds by CLONE_FILES. */
import { FdTable } from './fds.js';
import type { BPath } from './path.js';

/** cwd and root: shared between threads and CLONE_FS children, copied on fork. Both are host paths. */
export interface FsState {
  cwd: BPath;
  root: BPath;
}

export interface Proc {
  pid: number;
  parent?: number;
  fs: FsState;
  fds: FdTable;
  /** Set on a successful exec. */
  exe?: BPath;
  argv?: string[];
  /** Line of the exec or of the first event of this pid. */
  line: number;
  exit?: { code?: number; signal?: string; line: number };
  /** The parent is a guess (more than one fork in flight, or none seen). */
  provisional?: boolean;
  /** Its lines came before the parent's fork/clone returned: that result adopts it rather than replacing it. */
  early?: boolean;
}

export interface CloneShare {
  fs: boolean;
  files: boolean;
}

/** What a clone/fork shares, from its flags text (`CLONE_VM|CLONE_FS|CLONE_FILES|...`, clone3's `{flags=...}`). */
export function cloneShare(argsText: string): CloneShare {
  const thread = argsText.includes('CLONE_THREAD');
  return { fs: thread || argsText.includes('CLONE_FS'), files: thread || argsText.includes('CLONE_FILES') };
}

export function forkProc(parent: Proc, pid: number, share: CloneShare, line: number): Proc {
  return {
    pid,
    parent: parent.pid,
    fs: share.fs ? parent.fs : { ...parent.fs },
    fds: share.files ? parent.fds.share() : parent.fds.clone(),
    exe: parent.exe,
    argv: parent.argv,
    line,
  };
}
