/**
 * Every command teaches: a one-line summary and an Examples block with real command lines. A command added without
 * examples fails here, on purpose. Output is clean for scripts (no escape codes off a TTY), and errors keep one shape.
 */
import { describe, expect, test } from 'vitest';
import { examples, walkCommands } from '../../src/cli/docgen/commands.js';
import { silentOutput } from '../../src/cli/output.js';
import { makeProgram } from '../../src/cli/program.js';
import { jailtrace } from './helpers.js';

const commands = walkCommands(makeProgram(silentOutput()));

test('the docs see the same program as the CLI (root --help is identical)', async () => {
  const r = await jailtrace(['--help']);
  expect(r.exitCode).toBe(0);
  expect(r.stdout + '\n').toBe(makeProgram(silentOutput()).helpInformation());
});

test('there are commands to check', () => {
  expect(commands.map((c) => c.words)).toEqual(expect.arrayContaining(['parse', 'tree', 'build', 'completion']));
});

describe.each(commands)('jailtrace $words --help', ({ words, cmd, group }) => {
  test('has a one-line summary', () => {
    const summary = cmd.summary() || cmd.description();
    expect(summary.trim()).not.toBe('');
    expect(summary).not.toContain('\n');
  });

  test.skipIf(group)('has an Examples: block with at least two jailtrace lines, printed by --help', async () => {
    const r = await jailtrace([...words.split(' '), '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Usage: jailtrace ${words}`);
    expect(r.stdout).toMatch(/\nExamples:\n/);
    const lines = examples(cmd);
    expect(lines.filter((l) => l.startsWith('jailtrace ') || l.includes('$(jailtrace ') || l.includes('<(jailtrace ')).length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(r.stdout).toContain(l);
  });
});

describe('no escape codes off a TTY', () => {
  const cases: Array<[string, string[]]> = [
    ['parse', ['parse', '--cwd', '/', 'traces/linux/probe/f.strace']],
    ['tree', ['tree', '--cwd', '/', 'traces/freebsd/rssh-chroot-fd.truss']],
    ['tree --all', ['tree', '--all', '--cwd', '/', 'traces/aix/rssh-chroot-fl.truss']],
    ['a failing command', ['tree', 'no-such-trace.strace']],
    ['a usage error', ['parse', '--format', 'bogus', 'x']],
  ];
  test.each(cases)('%s, with and without NO_COLOR', async (_name, args) => {
    for (const env of [{ NO_COLOR: '1' }, {}]) {
      const r = await jailtrace(args, { env: { ...env, TERM: 'xterm-256color', FORCE_COLOR: undefined } });
      expect(r.stdout + r.stderr).not.toContain('\x1b');
      expect(r.stdout + r.stderr).not.toBe('');
    }
  });
});

describe('errors: `jailtrace: <what>: <why> (<what to do>)`', () => {
  test('a missing trace file exits 2', async () => {
    const r = await jailtrace(['tree', 'no-such-trace.strace']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('jailtrace: no-such-trace.strace: no such file or directory (check the path)');
  });

  test.each([[['parse', 'no-such-trace.strace']], [['tree', 'traces/solaris/rssh-chroot-f.expected.json']], [['tree', 'test/fixtures/probe.c']]])(
    '%j exits 2 in the same shape',
    async (args) => {
      const r = await jailtrace(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^jailtrace: [^:\n]+: [^\n]+ \([^\n]+\)$/);
    },
  );
});
