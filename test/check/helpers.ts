/** Real jails for the check/sync/link tests: a tiny trace of `cat` reading a file under a test prefix, built by the CLI. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CLI } from '../support/cli.js';

export { isRoot } from '../support/root.js';
export const ROOT_SKIP = 'needs root (chown, mknod) and strace';

export const jailtrace = (...args: string[]) => execa('node', [CLI, ...args], { reject: false });

export interface Fixture {
  /** Host file the jail copies. */
  file: string;
  trace: string;
  /** Root-owned, not group/other-writable parent for jails (OpenSSH's rule holds, so check can be clean). */
  base: string;
  cleanup(): Promise<void>;
}

export async function fixture(tag: string): Promise<Fixture> {
  const prefix = await fs.mkdtemp(path.join('/tmp', `jt-test-prefix-${tag}-`));
  const file = path.join(prefix, 'file');
  await fs.writeFile(file, 'original content\n');
  const trace = path.join(prefix, '..', `${path.basename(prefix)}.strace`);
  await execa('strace', ['-f', '-o', trace, 'cat', file], { cwd: '/' });
  await fs.mkdir('/srv', { recursive: true, mode: 0o755 });
  const base = await fs.mkdtemp(path.join('/srv', `jailtrace-test-${tag}-`));
  return {
    file,
    trace,
    base,
    cleanup: async () => {
      await fs.rm(prefix, { recursive: true, force: true });
      await fs.rm(trace, { force: true });
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

export async function build(f: Fixture, name: string): Promise<string> {
  const jail = path.join(f.base, name);
  const r = await jailtrace('build', jail, '--trace', f.trace, '--cwd', '/');
  if (r.exitCode !== 0) throw new Error(`build failed: ${r.stderr}`);
  return jail;
}

export async function checkJson(jail: string): Promise<{
  exitCode: number;
  findings: Array<{
    kind: string;
    path: string;
    severity: string;
    detail: string;
    host?: { sha256?: string; mtimeMs?: number };
    jail?: { sha256?: string; mtimeMs?: number };
  }>;
}> {
  const r = await jailtrace('check', '--json', jail);
  if (r.exitCode === 2) throw new Error(r.stderr);
  return { exitCode: r.exitCode ?? -1, findings: JSON.parse(r.stdout).findings };
}

/** Changes a file's content and its mtime (a second later, so size+mtime checks see it too). */
export async function rewrite(file: string, content: string): Promise<void> {
  const st = await fs.stat(file);
  await fs.writeFile(file, content);
  const t = new Date(st.mtimeMs + 2000);
  await fs.utimes(file, t, t);
}
