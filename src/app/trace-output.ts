/** Small facts the commands need before choosing where a run's traces go (src/jail/trace-dir.ts). */
import { stat } from 'node:fs/promises';

export const isDirectory = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
