/**
 * build --json --dry-run gives `preview.counts` (what the jailtrace_build module reports in Ansible's check mode):
 * the same count of actions the real run then does (`apply.counts.done`), and 0 once the jail is built.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, ROOT_SKIP } from '../check/helpers.js';
import { jailtrace, ROOT } from '../cli/helpers.js';

interface Counts {
  done: number;
  'up-to-date': number;
}
interface BuildJson {
  dryRun: boolean;
  preview?: { counts: Counts };
  apply?: { counts: Counts };
}

describe.skipIf(!isRoot)(`build --json: a dry run's preview counts (${ROOT_SKIP})`, () => {
  const TRACE = path.join(ROOT, 'traces/linux/sftp-server/f.strace');
  let base: string;
  let jail: string;
  beforeAll(async () => {
    await fs.mkdir('/srv', { recursive: true });
    base = await fs.mkdtemp('/srv/jt-preview-');
    await fs.chmod(base, 0o755);
    jail = path.join(base, 'jail');
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));
  const build = async (...extra: string[]): Promise<BuildJson> => {
    const r = await jailtrace(['build', jail, '--trace', TRACE, '--cwd', '/', '--output-dir', base, '--json', ...extra]);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as BuildJson;
  };

  test("dry run: preview.counts.done = the real run's apply.counts.done; after it, 0 to do", async () => {
    const dry = await build('--dry-run');
    expect(dry.dryRun).toBe(true);
    expect(dry.apply).toBeUndefined();
    const todo = dry.preview!.counts.done;
    expect(todo).toBeGreaterThan(0);
    await expect(fs.stat(jail)).rejects.toThrow(); // nothing written
    const real = await build();
    expect(real.preview).toBeUndefined();
    expect(real.apply!.counts.done).toBe(todo);
    const again = await build('--dry-run');
    expect(again.preview!.counts).toMatchObject({ done: 0 });
  });
});
