import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { walkCommands } from '../../src/cli/docgen/commands.js';
import { exitRows } from '../../src/cli/docgen/exit-codes.js';
import { roff } from '../../src/cli/docgen/man.js';
import { silentOutput } from '../../src/cli/output.js';
import { makeProgram } from '../../src/cli/program.js';
import { EXIT } from '../../src/errors.js';
import { ROOT } from './helpers.js';

const committed = (name: string) => readFileSync(path.join(ROOT, 'docs', name), 'utf8');
let out = '';

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'jt-man-'));
  await execa(process.execPath, [path.join(ROOT, 'dist/src/cli/docgen/gen-man.js'), out], { cwd: ROOT });
});

describe.each(['jailtrace.1', 'exit-codes.md'])('docs/%s', (name) => {
  test('is what the build generates from the commands (regenerate: node dist/src/cli/docgen/gen-man.js)', () => {
    expect(readFileSync(path.join(out, name), 'utf8')).toBe(committed(name));
  });
});

test('the man page has every command, its examples, and every exit code', () => {
  const man = readFileSync(path.join(out, 'jailtrace.1'), 'utf8');
  for (const { words } of walkCommands(makeProgram(silentOutput()))) expect(man).toContain(`.SS "jailtrace ${roff(words)} `);
  expect(man).toContain(roff('jailtrace build /srv/jail --profile sftp --user alice --dry-run'));
  for (const code of Object.values(EXIT)) expect(man).toMatch(new RegExp(`^\\\\fB${code}\\\\fR \\(`, 'm'));
  for (const s of ['.SH NAME', '.SH SYNOPSIS', '.SH DESCRIPTION', '.SH COMMANDS', '.SH EXIT STATUS', '.SH FILES', '.SH SEE ALSO']) expect(man).toContain(s);
  for (const s of ['strace (1)', 'truss (1)', 'chroot (8)', 'sshd_config (5)', 'rssh (1)']) expect(man).toContain(`.BR ${s}`);
});

test('exit-codes.md lists every code of the EXIT table', () => {
  const md = readFileSync(path.join(out, 'exit-codes.md'), 'utf8');
  for (const r of exitRows()) expect(md).toContain(`| ${r.code} | \`${r.name}\` |`);
  expect(exitRows().map((r) => r.code)).toEqual(expect.arrayContaining(Object.values(EXIT)));
});

test.each([
  ['--dry-run', '\\-\\-dry\\-run'],
  ['a\\b', 'a\\eb'],
  ['.start', '\\&.start'],
  ['✗ — ×', '\\[u2717] \\[u2014] \\[u00D7]'],
])('roff(%j)', (text, expected) => expect(roff(text)).toBe(expected));

const man = ['/usr/bin/man', '/bin/man'].find(existsSync);
test.skipIf(!man)('man -l renders it without warnings', async () => {
  const r = await execa('sh', ['-c', `MANWIDTH=80 man -l "$1" 2>&1 >/dev/null`, '_', path.join(out, 'jailtrace.1')], {
    env: { LC_ALL: 'C.UTF-8', MANROFFSEQ: '' },
  });
  expect(r.stdout).toBe('');
  const page = await execa(man!, ['-l', path.join(out, 'jailtrace.1')], { env: { MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' } });
  expect(page.stdout).toContain('jailtrace tree [options] <trace...>');
  expect(page.stdout).toContain('EXIT STATUS');
});
