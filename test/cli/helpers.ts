/** Run the built CLI (dist/: `npx tsc -p .` first) the way a user or a script would: no TTY. */
import { execa, type Options } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT } from '../support/cli.js';

export { CLI, ROOT } from '../support/cli.js';

/** Never rejects; stdout and stderr as strings (execa types them as any of its output shapes). */
export async function jailtrace(args: string[], opts: Options = {}) {
  const r = await execa(process.execPath, [CLI, ...args], { cwd: ROOT, reject: false, stdin: 'ignore', ...opts });
  return { ...r, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

export const VERSION: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
