/** Per-process state (ReproZip's ThreadGroup, with an fd table): cwd and root shared by CLONE_FS, fds by CLONE_FILES. */
import type { FdTable } from './fds.js';
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
  /** Line where the process first appears (its first event, or the fork/clone result that made it). */
  line: number;
  exit?: { code?: number; signal?: string; line: number };
  /**
   * The trace proves `parent`: its fork/clone result, a wait result or a SIGCHLD naming this process. Without proof
   * `parent` is the model's guess (a fork in flight when the pid first appeared), used for the state it inherits but
   * never shown: the manifest marks such a process "parent not traced".
   */
  parentProven?: boolean;
  /** Made by clone(CLONE_THREAD): a thread in its parent's thread group (a wait in it reaps for the group). */
  thread?: boolean;
  /** Its lines came before the parent's fork/clone returned: that result adopts it rather than replacing it. */
  early?: boolean;
}

export interface CloneShare {
  fs: boolean;
  files: boolean;
  thread?: boolean;
}

/** What a clone/fork shares, from its flags text (`CLONE_VM|CLONE_FS|CLONE_FILES|...`, clone3's `{flags=...}`). */
export function cloneShare(argsText: string): CloneShare {
  const thread = argsText.includes('CLONE_THREAD');
  return { fs: thread || argsText.includes('CLONE_FS'), files: thread || argsText.includes('CLONE_FILES'), thread };
}

export function forkProc(parent: Proc, pid: number, share: CloneShare, line: number): Proc {
  return {
    pid,
    parent: parent.pid,
    ...(share.thread && { thread: true }),
    fs: share.fs ? parent.fs : { ...parent.fs },
    fds: share.files ? parent.fds.share() : parent.fds.clone(),
    exe: parent.exe,
    argv: parent.argv,
    line,
  };
}
