/**
 * Files jailtrace writes for the admin (raw traces, scripts) in a directory the admin named, or the current one: as
 * root, that may be /tmp, where any user can have planted a symlink, a hard link or a FIFO at the name we are about
 * to write (`sftp-server.strace -> /etc/passwd`). So the name is opened without following a symlink, without
 * truncating, without blocking, and only then checked: it must be a regular file of ours with a single link. Only
 * then is it truncated and written.
 */
import { constants as FS } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { swappableBy } from './host-chain.js';

export class OutputFileError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file}: ${why}`);
    this.name = 'OutputFileError';
  }
}

/**
 * Make the output directory (and its missing parents) once no user could swap a name on the way to it
 * (src/host-chain.ts): a `--output-dir /tmp/x` that a user made a symlink would have root write wherever it points.
 */
export async function prepareOutputDir(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const why = await swappableBy(abs);
  if (why) throw new OutputFileError(abs, `a user could swap a directory on the way to it (${why}): not writing there`);
  await mkdir(abs, { recursive: true, mode: 0o755 });
}

/** Open `file` for writing from the start, refusing anything but a regular file of ours with one link. */
export async function openOutputFile(file: string, mode = 0o600): Promise<FileHandle> {
  const dir = path.dirname(path.resolve(file));
  const why = await swappableBy(dir);
  if (why) throw new OutputFileError(file, `a user could swap a directory on the way to it (${why}): not writing there`);
  let fh: FileHandle;
  try {
    fh = await open(file, FS.O_WRONLY | FS.O_CREAT | FS.O_NOFOLLOW | FS.O_NONBLOCK, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new OutputFileError(file, 'is a symlink: not writing through it (someone may have planted it)');
    if (code === 'ENXIO') throw new OutputFileError(file, 'is a FIFO with no reader: not writing to it');
    throw new OutputFileError(file, `cannot open it for writing (${code ?? String(e)})`);
  }
  try {
    const st = await fh.stat();
    const me = process.geteuid?.() ?? st.uid;
    if (!st.isFile()) throw new OutputFileError(file, 'is not a regular file: not writing to it');
    if (st.uid !== me) throw new OutputFileError(file, `belongs to uid ${st.uid}, not to us: not writing to it (someone else's file, or one planted for us)`);
    if (st.nlink !== 1) throw new OutputFileError(file, `has ${st.nlink} hard links: not writing to it (it may be another file's second name)`);
    await fh.truncate(0);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}
