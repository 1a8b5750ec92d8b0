/**
 * The package an admin installs. From a copy of the working tree as a fresh clone has it (tracked and untracked
 * files, nothing ignored: no dist/, no node_modules/): `npm ci` (its `prepare` builds dist/ and the man page) leaves a
 * runnable CLI; `npm pack` (prepare again) makes the tarball; `npm install -g --prefix` installs it; the installed
 * `jailtrace` runs --version and parse from outside the repository, and its man page is where man looks.
 * Slow (two builds, two installs): kept in its own file. npm may use the registry; the cache is warm after .ci/run.
 */
import { execa, type Options } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../support/cli.js';

const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  man: string[];
};
const TRACE = path.join(ROOT, 'traces/linux/sftp-server/f.strace');

/** The environment without what an enclosing `npm test` exports (npm_config_local_prefix would point npm at ROOT). */
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));

let tmp = '';
let clone = ''; // the working-tree copy: npm ci and npm pack run here
let prefix = ''; // npm install -g --prefix
let tarball = '';
let tarFiles: string[] = [];

const npm = (args: string[], cwd: string) =>
  execa('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, env: cleanEnv(), extendEnv: false, all: true });

/** The installed CLI, run by name from outside the repository, as a user would. */
const installed = (args: string[], opts: Options = {}) =>
  execa('jailtrace', args, {
    cwd: tmp,
    env: { ...cleanEnv(), PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    ...opts,
  });

/** Files a fresh clone has: tracked plus untracked-but-not-ignored (`git ls-files`); without git, the build inputs. */
async function cloneFiles(): Promise<string[]> {
  const git = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, reject: false });
  if (git.exitCode === 0 && git.stdout) return git.stdout.split('\0').filter(Boolean);
  return ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'parsers', 'bench', 'docs'];
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'jt-pack-')));
  clone = path.join(tmp, 'clone');
  prefix = path.join(tmp, 'prefix');
  // tests and traces are not build inputs: leave them out (the copy is about the build, not the suite)
  for (const f of await cloneFiles()) {
    if (/^(test|traces)(\/|$)/.test(f) || !existsSync(path.join(ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(clone, f), { recursive: true, preserveTimestamps: true });
  }
  expect(existsSync(path.join(clone, 'dist'))).toBe(false);

  const ci = await npm(['ci'], clone);
  expect(ci.exitCode, ci.all).toBe(0);
  const pack = await npm(['pack', '--pack-destination', tmp], clone);
  expect(pack.exitCode, pack.all).toBe(0);
  tarball = path.join(tmp, `${PKG.name}-${PKG.version}.tgz`);
  tarFiles = (await execa('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
  const install = await npm(['install', '-g', '--prefix', prefix, tarball], tmp);
  expect(install.exitCode, install.all).toBe(0);
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  test('npm ci builds a runnable CLI (prepare: tsc and the man page)', async () => {
    const r = await execa(process.execPath, [path.join(clone, 'dist/src/cli.js'), '--version'], { cwd: clone, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^jailtrace ${PKG.version}\n`));
    expect(readFileSync(path.join(clone, 'docs/jailtrace.1'), 'utf8')).toMatch(/^\.TH JAILTRACE 1 /m);
  });
});

describe('the tarball', () => {
  test('holds what the CLI needs at run time', () => {
    for (const f of [...Object.values(PKG.bin), ...PKG.man, 'package.json', 'dist/src/cli.js', 'dist/src/version.js', 'dist/parsers/strace.js']) {
      expect(tarFiles).toContain(`package/${path.normalize(f)}`);
    }
  });

  test('holds no tests, traces, sources, benchmarks or build leftovers', () => {
    const bad = tarFiles.filter(
      (f) => /^package\/(test|traces|src|parsers|bench|scripts|dist\/bench|node_modules)\//.test(f) || /\.(ts|tgz|strace|truss)$/.test(f),
    );
    expect(bad).toEqual([]);
  });
});

describe('npm install -g --prefix', () => {
  test('installs runtime dependencies only', () => {
    const deps = readdirSync(path.join(prefix, 'lib/node_modules', PKG.name, 'node_modules'));
    for (const d of Object.keys(PKG.dependencies)) expect(deps).toContain(d);
    for (const d of Object.keys(PKG.devDependencies)) expect(deps).not.toContain(d);
  });

  test('jailtrace --version names the package and strace', async () => {
    const r = await installed(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^jailtrace ${PKG.version.replace(/\./g, '\\.')}\n`));
    expect(r.stdout).toMatch(/^strace\b/m);
  });

  test('jailtrace parse reads a committed trace, like the build it came from', async () => {
    const r = await installed(['parse', '--cwd', '/', TRACE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/f\.strace: strace \(detected\), \d+ lines, \d+ process(es)?, \d+ paths/);
    const json = await installed(['parse', '--json', '--cwd', '/', TRACE]);
    const built = await execa(process.execPath, [path.join(clone, 'dist/src/cli.js'), 'parse', '--json', '--cwd', '/', TRACE], { cwd: tmp });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(String(json.stdout))).toEqual(JSON.parse(built.stdout));
  });

  test('installs the man page into share/man/man1', async () => {
    const page = path.join(prefix, 'share/man/man1/jailtrace.1');
    expect(existsSync(page)).toBe(true);
    expect(readFileSync(page, 'utf8')).toBe(readFileSync(path.join(clone, 'docs/jailtrace.1'), 'utf8'));
  });

  const man = ['/usr/bin/man', '/bin/man'].find(existsSync);
  test.skipIf(!man)('man finds it on the prefix (MANPATH)', async () => {
    const r = await execa(man!, ['-w', 'jailtrace'], { env: { MANPATH: path.join(prefix, 'share/man') }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(realpathSync(r.stdout.trim())).toBe(realpathSync(path.join(prefix, 'share/man/man1/jailtrace.1')));
  });
});

describe('dependencies', () => {
  /** Bare specifiers imported by the shipped code (src/, parsers/). */
  function imports(dir: string): Set<string> {
    const found = new Set<string>();
    for (const e of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith('.ts')) continue;
      const text = readFileSync(path.join(e.parentPath, e.name), 'utf8');
      // TypeScript's own scanner: static, dynamic and type-only imports and re-exports, never string contents
      for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    return found;
  }
  const used = new Set([...imports('src'), ...imports('parsers')]);

  test('every package the shipped code imports is a runtime dependency', () => {
    expect([...used].filter((p) => !(p in PKG.dependencies))).toEqual([]);
  });

  test('every runtime dependency is imported by the shipped code', () => {
    expect(Object.keys(PKG.dependencies).filter((p) => !used.has(p))).toEqual([]);
  });
});
