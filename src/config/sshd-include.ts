/**
 * The files an sshd_config `Include` names, read the way sshd reads them: patterns globbed as glob(3) does
 * (src/glob.ts). Relative patterns are made absolute by the caller (src/config/sshd-config.ts: under /etc/ssh).
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { globFiles } from '../glob.js';

/**
 * Read an Include's files. sshd stops on a file it cannot read; so does this, unless `unreadable: 'skip'` (a best-effort
 * look, such as finding the sftp-server sshd would run).
 */
export function readIncludes(pattern: string, opts: { unreadable?: 'throw' | 'skip' } = {}): Array<{ file: string; text: string }> {
  return globFiles(pattern)
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
    .flatMap((f) => {
      try {
        return [{ file: f, text: readFileSync(f, 'utf8') }];
      } catch (e) {
        if (opts.unreadable === 'skip') return [];
        throw new UsageError(
          `${f} (Include ${pattern}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          'sshd cannot read it either: fix the Include or the file',
        );
      }
    });
}
