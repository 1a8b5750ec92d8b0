/** A process's fd table: fd → the path it was opened with and its close-on-exec bit. Shared by CLONE_FILES. */
import type { BPath } from './path.js';

export interface FdEntry {
  path: BPath;
  cloexec: boolean;
}

export class FdTable {
  private readonly map: Map<number, FdEntry>;

  constructor(entries?: Iterable<[number, FdEntry]>) {
    this.map = new Map(entries);
  }

  get(fd: number): FdEntry | undefined {
    return this.map.get(fd);
  }

  set(fd: number, e: FdEntry): void {
    this.map.set(fd, e);
  }

  close(fd: number): void {
    this.map.delete(fd);
  }

  /** dup/dup2/F_DUPFD: the new fd refers to the same file; close-on-exec is not inherited. */
  dup(from: number, to: number, cloexec = false): void {
    const e = this.map.get(from);
    if (e) this.map.set(to, { path: e.path, cloexec });
    else this.map.delete(to);
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
      else this.map.delete(fd);
    }
  }

  /** fork without CLONE_FILES copies the table. */
  clone(): FdTable {
    return new FdTable(this.map);
  }

  /** After a successful exec: a private copy without the close-on-exec fds. */
  afterExec(): FdTable {
    const t = new FdTable();
    for (const [fd, e] of this.map) if (!e.cloexec) t.set(fd, e);
    return t;
  }

  get size(): number {
    return this.map.size;
  }
}
