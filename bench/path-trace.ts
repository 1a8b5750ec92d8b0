/**
 * A crafted strace trace with N distinct failed paths (issue 20, reproduction 6): `openat(AT_FDCWD, "/x/NNNNNNN",
 * O_RDONLY) = -1 ENOENT`, with a successful open/close of a real file every 1000 lines. Used by `npm run bench` (memory
 * per path) and by test/security/trace-cap.test.ts.
 */
import { createWriteStream } from 'node:fs';

/** The path of the i-th distinct failed access. */
export const failedPath = (i: number): string => `/x/${String(i).padStart(7, '0')}`;

/** Write the trace; resolves with its line count. */
export async function writePathTrace(file: string, n: number): Promise<number> {
  const out = createWriteStream(file);
  let lines = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    if (!out.write(batch.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
    batch = [];
  };
  for (let i = 0; i < n; i++) {
    batch.push(`openat(AT_FDCWD, "${failedPath(i)}", O_RDONLY) = -1 ENOENT (No such file or directory)\n`);
    lines++;
    if (i % 1000 === 0) {
      batch.push('openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3\n', 'close(3) = 0\n');
      lines += 2;
    }
    if (batch.length >= 4096) await flush();
  }
  await flush();
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return lines;
}
