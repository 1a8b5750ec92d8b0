/**
 * A process's fd table: fd → the path it was opened with and its close-on-exec bit. Shared by CLONE_FILES (counted in
 * `refs`). Every live entry is counted in a budget shared by the whole model, so a crafted trace (a million fds, then
 * a thousand forks that copy them) is stopped by the model's cap instead of exhausting memory.
 */
import { flat, type BPath } from './path.js';

/** Live fd entries across all tables of one model. */
export interface FdBudget {
  live: number;
}

export interface FdEntry {
  path: BPath;
  cloexec: boolean;
}

export class FdTable {
  private readonly map: Map<number, FdEntry>;
  /** Processes using this table (CLONE_FILES shares it). */
  private refs = 1;

  constructor(
    private readonly budget: FdBudget = { live: 0 },
    entries?: Iterable<[number, FdEntry]>,
  ) {
    this.map = new Map(entries);
    budget.live += this.map.size;
  }

  get(fd: number): FdEntry | undefined {
    return this.map.get(fd);
  }

  set(fd: number, e: FdEntry): void {
    if (!this.map.has(fd)) this.budget.live++;
    this.map.set(fd, { path: flat(e.path), cloexec: e.cloexec });
  }

  close(fd: number): void {
    if (this.map.delete(fd)) this.budget.live--;
  }

  /** Another process uses this table (CLONE_FILES). */
  share(): FdTable {
    this.refs++;
    return this;
  }

  /** A process stopped using it (exit, exec, pid reused): the last one frees its entries. */
  release(): void {
    if (--this.refs > 0) return;
    this.budget.live -= this.map.size;
    this.map.clear();
  }

  /** dup/dup2/F_DUPFD: the new fd refers to the same file; close-on-exec is not inherited. */
  dup(from: number, to: number, cloexec = false): void {
    const e = this.map.get(from);
    if (e) this.set(to, { path: e.path, cloexec });
    else this.close(to);
  }

  setCloexec(fd: number, on: boolean): void {
    const e = this.map.get(fd);
    if (e) this.map.set(fd, { path: e.path, cloexec: on });
  }

  /** close_range(lo, hi): close them, or with CLOSE_RANGE_CLOEXEC mark them close-on-exec. */
  closeRange(lo: number, hi: number, cloexecOnly: boolean): void {
    for (const fd of [...this.map.keys()]) {
      if (fd < lo || fd > hi) continue;
      if (cloexecOnly) this.setCloexec(fd, true);
      else this.close(fd);
    }
  }

  /** fork without CLONE_FILES copies the table. */
  clone(): FdTable {
    return new FdTable(this.budget, this.map);
  }

  /** After a successful exec: a private copy without the close-on-exec fds. */
  afterExec(): FdTable {
    const t = new FdTable(this.budget);
    for (const [fd, e] of this.map) if (!e.cloexec) t.set(fd, e);
    this.release();
    return t;
  }

  get size(): number {
    return this.map.size;
  }
}
