/**
 * Issue 15, item 6: zsh and fish completion, generated from the same commander definitions as bash, so they list
 * every command and option `--help` has; option values complete too (`--profile <TAB>`: sftp, scp, rssh, declared once
 * in src/cli/profile-option.ts). The scripts parse (`zsh -n`, `fish -n`: skipped visibly without the shell).
 */
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { optionNames, visibleOptions, walkCommands } from '../../src/cli/docgen/commands.js';
import { silentOutput } from '../../src/cli/output.js';
import { makeProgram } from '../../src/cli/program.js';
import { PROFILE_NAMES } from '../../src/profiles/index.js';
import { jailtrace } from './helpers.js';

const has = async (cmd: string) =>
  execa(cmd, ['--version'], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
const [hasZsh, hasFish] = await Promise.all([has('zsh'), has('fish')]);
const program = makeProgram(silentOutput());
const commands = walkCommands(program);
const dir = mkdtempSync(path.join(tmpdir(), 'jt-compl-shells-'));
const scripts: Record<string, string> = {};
const files: Record<string, string> = {};

beforeAll(async () => {
  for (const shell of ['zsh', 'fish', 'bash']) {
    const r = await jailtrace(['completion', shell]);
    expect(r.exitCode).toBe(0);
    scripts[shell] = r.stdout;
    files[shell] = path.join(dir, `jailtrace.${shell}`);
    writeFileSync(files[shell], r.stdout);
  }
});

test('completion --help lists bash, zsh and fish', async () => {
  expect((await jailtrace(['completion', '--help'])).stdout).toMatch(/choices: "bash", "zsh", "fish"/);
});

test('zsh: one function per command, with every option the definitions have', () => {
  expect(scripts.zsh.startsWith('#compdef jailtrace\n')).toBe(true);
  for (const { words, cmd } of commands) {
    const fn = `_jailtrace_${words.replace(/[^A-Za-z0-9]+/g, '_')}() {`;
    const at = scripts.zsh.indexOf(fn);
    expect(at, words).toBeGreaterThan(0);
    const body = scripts.zsh.slice(at, scripts.zsh.indexOf('\n}', at));
    for (const name of visibleOptions(cmd).flatMap(optionNames)) expect(body, `${words} ${name}`).toMatch(new RegExp(`'\\*?${name}\\[`));
  }
  expect(scripts.zsh).toContain(`'*--profile[built-in workload (repeatable)]:name:(${PROFILE_NAMES.join(' ')})'`);
});

test('fish: every command offered, and every option under its command', () => {
  for (const { words, cmd } of commands) {
    const cond = words
      .split(' ')
      .map((w) => `__fish_seen_subcommand_from ${w}`)
      .join('; and ');
    for (const o of visibleOptions(cmd)) {
      const flags = [o.short ? `-s ${o.short.slice(1)}` : '', o.long ? `-l ${o.long.slice(2)}` : ''].filter(Boolean).join(' ');
      expect(scripts.fish, `${words} ${flags}`).toContain(`-n '${cond}' ${flags}`);
    }
  }
  for (const c of program.commands) expect(scripts.fish).toMatch(new RegExp(`-a '${c.name()}' -d `));
});

describe.skipIf(!hasZsh)('zsh (skips when zsh is missing: apt-get install zsh)', () => {
  test('zsh -n parses the script; sourced after compinit, it completes jailtrace', async () => {
    expect((await execa('zsh', ['-n', files.zsh], { reject: false })).exitCode).toBe(0);
    const r = await execa('zsh', ['-fc', `autoload -U compinit; compinit -u -D; source ${files.zsh}; print -r -- $_comps[jailtrace]`], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_jailtrace');
  });
});

describe.skipIf(!hasFish)('fish (skips when fish is missing: apt-get install fish)', () => {
  const complete = async (line: string) => {
    const r = await execa('fish', ['--no-config', '-c', `source ${files.fish}; complete -C ${JSON.stringify(line)}`], { reject: false });
    expect(r.stderr).toBe('');
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0])
      .sort();
  };
  test('fish -n parses the script', async () => {
    expect((await execa('fish', ['-n', files.fish], { reject: false })).exitCode).toBe(0);
  });
  test.each([
    ['jailtrace build --profile ', [...PROFILE_NAMES].sort()],
    ['jailtrace verify /srv/jail --profile ', [...PROFILE_NAMES].sort()],
    ['jailtrace completion ', ['bash', 'fish', 'zsh']],
    ['jailtrace tree --format truss-', ['truss-aix', 'truss-freebsd', 'truss-solaris']],
    ['jailtrace bui', ['build']],
    ['jailtrace build --dry', ['--dry-run']],
  ])('%j completes to %j', async (line, want) => {
    expect(await complete(line)).toEqual(want);
  });
});

test('bash: --profile <TAB> offers the same names, from the same declaration', async () => {
  const r = await execa('bash', [
    '-c',
    'source "$1"; COMP_WORDS=(jailtrace build --profile ""); COMP_CWORD=3; _jailtrace; printf "%s\\n" "${COMPREPLY[@]}"',
    '_',
    files.bash,
  ]);
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([...PROFILE_NAMES]);
});
