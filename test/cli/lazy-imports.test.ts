/**
 * `jailtrace --help` (and any command's parse) loads only the CLI's own modules: a command's implementation, execa and
 * the tracers are imported when that command runs (src/cli/register-*.ts). `capture -- COMMAND` loads neither execa
 * nor the profiles' workloads: they are most of its start. Counted with a module resolve hook, the way
 * the bench's startup figures (bench/startup-bench.ts) are explained.
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jt-lazy-'));
  await writeFile(
    path.join(dir, 'hook.mjs'),
    "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('MOD ' + r.url + '\\n'); return r; }\n",
  );
  await writeFile(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hook.mjs', import.meta.url);\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const r = await execa(process.execPath, ['--import', path.join(dir, 'register.mjs'), CLI, ...args], { cwd: ROOT, reject: false, stdin: 'ignore' });
  expect(r.exitCode).toBe(0);
  return [
    ...new Set(
      String(r.stderr)
        .split('\n')
        .filter((l) => l.startsWith('MOD '))
        .map((l) => l.slice(4)),
    ),
  ];
}

describe('the modules --help loads', () => {
  test('jailtrace --help loads no execa, no tracer and no profile workload', async () => {
    const mods = await modulesLoadedBy(['--help']);
    expect(mods.some((m) => m.endsWith('/dist/src/cli.js'))).toBe(true); // the hook saw the CLI itself
    expect(mods.filter((m) => /node_modules\/execa\/|\/src\/capture\/|\/src\/profiles\/(index|sftp|scp)\.js$/.test(m))).toEqual([]);
  });

  test('capture -- /bin/true loads no execa and no profile workload (strace runs through node:child_process)', async () => {
    const mods = await modulesLoadedBy(['capture', '-q', '-o', path.join(dir, 't.strace'), '--report', path.join(dir, 'report.txt'), '--', '/bin/true']);
    expect(mods.some((m) => m.endsWith('/dist/src/capture/strace.js'))).toBe(true); // it did trace
    expect(mods.filter((m) => /node_modules\/execa\/|\/src\/profiles\/(index|sftp|scp|workspace)\.js$/.test(m))).toEqual([]);
  });

  test('capture --help loads no execa either (the command is imported only when it runs)', async () => {
    const mods = await modulesLoadedBy(['capture', '--help']);
    expect(mods.filter((m) => /node_modules\/execa\//.test(m))).toEqual([]);
  });
});
