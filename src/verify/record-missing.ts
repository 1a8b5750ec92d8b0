/**
 * What the jail's record says should be there but is not. A workload stops at its first missing file (no loader: no
 * program ever opens /dev/null), so the trace alone tells the story one file per round; the record tells all of it at
 * once. Reads only: the record's in-jail entries, judged again by the current rules (never the record's own
 * decisions: a record cannot make verify ask for a secret), are looked up through the confined reader (symlinks inside
 * the jail only, the final component never followed; see src/check/jail-read.ts).
 */
import { realpath } from 'node:fs/promises';
import type { JailEntry } from '../expand/expand.js';
import type { JailRecord } from '../plan/make-plan.js';
import { openRecordedJail, readJailPath } from '../check/jail-read.js';
import { IN_JAIL, judgeRecord } from '../check/judge.js';
import { ConfineError } from '../jail/confine.js';
import type { MissingFile } from './analyze.js';

/** Node types a recorded entry stands for in the jail (sockets and FIFOs are made by their programs). */
const NODE_TYPES: ReadonlySet<string> = new Set(['file', 'dir', 'symlink', 'char', 'block']);

const expected = (e: JailEntry): boolean => IN_JAIL.has(e.decision) && e.path !== '/' && (e.decision === 'generate' || NODE_TYPES.has(e.host?.type ?? ''));

/**
 * Recorded paths not in the jail, as `record` missing files, except those the trace already named (the same path, or
 * the same host file by another spelling: /lib64/ld-linux-x86-64.so.2 and /usr/lib/x86_64-linux-gnu/...).
 */
export async function recordMissing(
  jail: string,
  record: JailRecord,
  traced: readonly MissingFile[],
  opts: { allowSecrets: ReadonlySet<string>; allowDevices?: ReadonlySet<string> },
): Promise<MissingFile[]> {
  const wanted = record.entries.filter(expected);
  if (wanted.length === 0) return [];
  const judged = await judgeRecord(jail, record, { allowSecrets: opts.allowSecrets, allowDevices: opts.allowDevices });
  const root = await openRecordedJail(jail, record);
  const absent: JailEntry[] = [];
  try {
    for (const e of wanted) {
      const now = judged.now.get(e.path);
      if (judged.suspiciousPaths.has(e.path) || !now || !IN_JAIL.has(now.decision)) continue;
      const f = await readJailPath(root, e.path, { hash: false }).catch((err: unknown) => {
        if (err instanceof ConfineError) return null; // unreachable inside the jail: tampering, which check reports
        throw err;
      });
      if (f === undefined) absent.push(e);
    }
  } finally {
    await root.close();
  }
  const tracedReal = new Set(await Promise.all(traced.map((m) => realpath(m.path).catch(() => m.path))));
  const tracedPaths = new Set(traced.map((m) => m.path));
  const out: MissingFile[] = [];
  for (const e of absent) {
    if (tracedPaths.has(e.path)) continue;
    const plain = e.decision === 'generate' || (e.host?.type !== 'symlink' && e.host?.type !== 'dir');
    if (plain && tracedReal.has(await realpath(e.path).catch(() => e.path))) continue;
    const what =
      e.decision === 'generate'
        ? 'generated file'
        : e.host?.type === 'dir'
          ? 'directory'
          : e.host?.type === 'symlink'
            ? 'symlink'
            : e.host?.type === 'file'
              ? 'file'
              : 'device';
    out.push({
      path: e.path,
      kind: 'record',
      errno: 'ENOENT',
      syscall: 'record',
      pid: 0,
      line: 0,
      detail: `the record lists this ${what} (${e.reason}), the jail does not have it`,
    });
  }
  return out;
}
