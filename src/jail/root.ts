/** The jail root itself: build makes it (0755, root's) before applying, when the jail is new. */
import { mkdir } from 'node:fs/promises';
import { ApplyError } from '../errors.js';

/** Make the jail directory and its missing parents; a jail this run's traces already made is fine. */
export async function makeJailRoot(jail: string): Promise<void> {
  await mkdir(jail, { recursive: true, mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') return; // this run's traces made it
    throw new ApplyError(jail, `cannot create the jail directory: ${e.code ?? e.message}`, 'check the parent directory and the disk');
  });
}
