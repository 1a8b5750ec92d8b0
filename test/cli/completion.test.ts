import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { jailtrace } from './helpers.js';

let script = '';

beforeAll(async () => {
  const r = await jailtrace(['completion', 'bash']);
  expect(r.exitCode).toBe(0);
  script = path.join(mkdtempSync(path.join(tmpdir(), 'jt-compl-')), 'jailtrace.bash');
  writeFileSync(script, r.stdout);
});

/** Source the script and complete `line` (a trailing space means a new, empty word) as bash would. */
async function complete(line: string): Promise<string[]> {
  const r = await execa(
    'bash',
    [
      '-c',
      'source "$1"; read -ra COMP_WORDS <<< "$2"; [[ "$2" == *" " ]] && COMP_WORDS+=(""); ' +
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$2"; _jailtrace; printf "%s\\n" "${COMPREPLY[@]}"',
      '_',
      script,
      line,
    ],
    { reject: false },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

test('the script is valid bash and registers the completion', async () => {
  expect((await execa('bash', ['-n', script], { reject: false })).exitCode).toBe(0);
  const r = await execa('bash', ['-c', 'source "$1"; complete -p jailtrace', '_', script]);
  expect(r.stdout).toContain('-F _jailtrace jailtrace');
});

test.each([
  ['jailtrace bu', ['build']],
  ['jailtrace build --pro', ['--profile']],
  ['jailtrace -v tr', ['tree']],
  ['jailtrace tree --format truss-', ['truss-solaris', 'truss-aix', 'truss-freebsd']],
  ['jailtrace tree --a', ['--all']],
  ['jailtrace build /srv/jail --dr', ['--dry-run']],
  ['jailtrace completion ', ['bash', 'zsh', 'fish']],
  ['jailtrace help tr', ['tree']],
  ['jailtrace build /srv/jail -- /usr/bin/rsync --ver', []],
])('%j completes to %j', async (line, expected) => {
  expect(await complete(line)).toEqual(expected);
});

test('every command is offered at the first word', async () => {
  const words = await complete('jailtrace ');
  expect(words).toEqual(expect.arrayContaining(['parse', 'tree', 'build', 'completion', 'help', '--version', '--help']));
});

test('unknown shell: a usage error', async () => {
  const r = await jailtrace(['completion', 'tcsh']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain("'tcsh' is invalid");
});
