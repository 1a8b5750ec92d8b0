/**
 * Output conventions (issue 8, item 3): -v/-q on every command, colour and escape codes only on a TTY without
 * NO_COLOR, progress only on a TTY, errors in one shape on stderr, a closed pipe exits 0 quietly, and --version names
 * the tracers. The TTY cases run the built CLI under script(1) (util-linux), so `npx tsc -p .` first.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { walkCommands } from '../../src/cli/docgen/commands.js';
import { TracerError } from '../../src/errors.js';
import { makeOutput, silentOutput, type Output } from '../../src/cli/output.js';
import { findTracers, makeProgram, renderVersion, type TracerProbes } from '../../src/cli/program.js';
import { CLI, jailtrace, ROOT, VERSION } from './helpers.js';

/** A stream that keeps what is written; `isTTY`/`columns` as a terminal would have them. */
function sink(isTTY: boolean, columns?: number): Writable & { text: () => string; isTTY: boolean; columns?: number } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return Object.assign(w, { isTTY, columns, text: () => chunks.join('') });
}

/** Everything an Output writes for one small session: a result, a note, an error, a progress line shown and erased. */
function session(tty: boolean, env: NodeJS.ProcessEnv, opts: { quiet?: boolean } = {}): { out: Output; stdout: string; stderr: string } {
  const [so, se] = [sink(tty, 80), sink(tty, 80)];
  const out = makeOutput(so, se, env, opts);
  out.result('result\n');
  out.note('a note');
  const p = out.progress('parsing');
  p.update(1048576, 4194304);
  p.done();
  out.error('x: failed (do y)');
  return { out, stdout: so.text(), stderr: se.text() };
}

describe('makeOutput: colour and escape codes', () => {
  test.each([
    ['a pipe', false, {}],
    ['a TTY with NO_COLOR=1', true, { NO_COLOR: '1' }],
    ['a TTY with TERM=dumb', true, { TERM: 'dumb' }],
  ])('%s: no escape code at all', (_name, tty, env) => {
    const s = session(tty, env);
    expect(s.out.color).toBe(false);
    expect(s.stdout + s.stderr).not.toContain('\x1b');
    expect(s.stderr).toContain('jailtrace: x: failed (do y)\n');
  });

  test('a pipe: no progress at all', () => {
    expect(session(false, {}).stderr).toBe('jailtrace: a note\njailtrace: x: failed (do y)\n');
  });

  test('a TTY with NO_COLOR: the progress line is shown and erased with spaces', () => {
    const { stderr } = session(true, { NO_COLOR: '1' });
    const line = 'parsing: 25% (1.0 of 4.0 MiB)';
    expect(stderr).toBe(`jailtrace: a note\n\r${line}\r${' '.repeat(line.length)}\rjailtrace: x: failed (do y)\n`);
  });

  test('a TTY: red prefix on errors, the progress line erased with \\x1b[K', () => {
    const s = session(true, { TERM: 'xterm' });
    expect(s.out.color).toBe(true);
    expect(s.stderr).toContain('\r\x1b[K');
    expect(s.stderr).toContain('\x1b[31mjailtrace:\x1b[0m x: failed (do y)\n');
  });

  test('NO_COLOR set but empty does not disable colour (no-color.org)', () => {
    expect(session(true, { NO_COLOR: '' }).out.color).toBe(true);
  });

  test('-q: no notes and no progress; results and errors stay', () => {
    const s = session(true, {}, { quiet: true });
    expect(s.stdout).toBe('result\n');
    expect(s.stderr).not.toContain('a note');
    expect(s.stderr).not.toContain('parsing');
    expect(s.stderr).toContain('x: failed (do y)');
  });

  test('the progress line never wraps (a wrapped line cannot be rewritten)', () => {
    const se = sink(true, 12);
    const p = makeOutput(sink(true), se, {}).progress('parsing');
    p.update(1, 2);
    expect(se.text().split('\x1b[K')[0]).toBe('\rparsing: 50');
  });
});

describe('-v and -q work for every command', () => {
  const leaves = walkCommands(makeProgram(silentOutput())).filter((c) => !c.group);

  test('no command redefines -V, -v or -q', () => {
    for (const { cmd } of leaves) {
      const names = cmd.options.flatMap((o) => [o.short, o.long]);
      for (const n of ['-V', '--version', '-v', '--verbose', '-q', '--quiet']) expect(names, cmd.name()).not.toContain(n);
    }
  });

  /** Parse `words` with the flag before or after the command, the action replaced: what did the Output get? */
  async function parsed(words: string, flag?: string, where: 'before' | 'after' = 'after'): Promise<Output> {
    const out = silentOutput();
    out.quiet = false;
    const program = makeProgram(out);
    const cmd = walkCommands(program).find((c) => c.words === words)!.cmd;
    cmd.action(() => {});
    const args = cmd.registeredArguments.filter((a) => a.required).map((a) => a.argChoices?.[0] ?? 'x');
    const mandatory = cmd.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, o.argChoices?.[0] ?? 'x']);
    const rest = [...mandatory, ...args];
    const flags = flag ? [flag] : [];
    const argv = where === 'before' ? [...flags, ...words.split(' '), ...rest] : [...words.split(' '), ...flags, ...rest];
    await program.parseAsync(argv, { from: 'user' });
    return out;
  }

  test.each(leaves.map((c) => c.words))('jailtrace %s', async (words) => {
    expect((await parsed(words, '-q', 'before')).quiet).toBe(true);
    expect((await parsed(words, '--quiet', 'after')).quiet).toBe(true);
    expect((await parsed(words, '-v', 'after')).verbose).toBe(true);
    expect((await parsed(words, '--verbose', 'before')).verbose).toBe(true);
    const plain = await parsed(words);
    expect([plain.quiet, plain.verbose]).toEqual([false, false]);
  });

  test('-q with -v is a usage error', async () => {
    const r = await jailtrace(['-q', 'parse', '-v', 'traces/linux/probe/f.strace']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("option '-q, --quiet' cannot be used with option '-v, --verbose'");
  });

  test('the built CLI takes them before and after the command', async () => {
    for (const args of [
      ['-q', 'parse'],
      ['parse', '-q'],
      ['-v', 'parse'],
      ['parse', '--verbose'],
    ]) {
      const r = await jailtrace([...args, '--cwd', '/', 'traces/linux/probe/f.strace']);
      expect(r.exitCode, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^traces\/linux\/probe\/f\.strace: strace/);
    }
  });
});

describe('--version', () => {
  const strace = ['/usr/bin/strace', '/bin/strace'].find(existsSync);

  test.each([['--version'], ['-V']])('%s prints jailtrace and the tracers found', async (flag) => {
    const r = await jailtrace([flag]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(`jailtrace ${VERSION}\n`)).toBe(true);
    expect(r.stdout).toMatch(/^strace[ :]/m);
  });

  test.skipIf(!strace)('names strace with its version and path', async () => {
    const v = /version\s+(\S+)/.exec((await execa(strace!, ['-V'])).stdout)![1];
    const r = await jailtrace(['--version']);
    expect(r.stdout).toMatch(new RegExp(`^strace ${v.replace(/\./g, '\\.')} \\(/\\S*strace[,)]`, 'm'));
  });

  test('after --, --version belongs to the operands', async () => {
    const r = await jailtrace(['parse', '--', '--version']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^jailtrace: --version: /);
  });

  const probes = (over: Partial<TracerProbes>): TracerProbes => ({
    platform: 'linux',
    which: async () => undefined,
    findStrace: async () => ({ path: '/usr/bin/strace', version: '6.1', seccompBpf: true }),
    straceVersion: async () => '6.1',
    ...over,
  });

  test.each<[string, Partial<TracerProbes>, string]>([
    ['strace with --seccomp-bpf', { which: async (n) => (n === 'strace' ? '/usr/bin/strace' : undefined) }, 'strace 6.1 (/usr/bin/strace, --seccomp-bpf)'],
    [
      'strace without --seccomp-bpf',
      {
        which: async (n) => (n === 'strace' ? '/usr/bin/strace' : undefined),
        findStrace: async () => ({ path: '/usr/bin/strace', version: '5.5', seccompBpf: false }),
      },
      'strace 5.5 (/usr/bin/strace)',
    ],
    ['no strace on Linux', {}, 'strace: not found (apt-get install strace, or dnf install strace)'],
    ['nothing on macOS but dtruss', { platform: 'darwin', which: async (n) => (n === 'dtruss' ? '/usr/bin/dtruss' : undefined) }, 'dtruss (/usr/bin/dtruss)'],
    ['truss on FreeBSD', { platform: 'freebsd', which: async (n) => (n === 'truss' ? '/usr/bin/truss' : undefined) }, 'truss (/usr/bin/truss)'],
    [
      'strace that may not trace',
      {
        which: async (n) => (n === 'strace' ? '/usr/bin/strace' : undefined),
        findStrace: async () => {
          throw new TracerError('ptrace not permitted: PTRACE_TRACEME: Operation not permitted', 'run as root');
        },
      },
      'strace 6.1 (/usr/bin/strace): ptrace not permitted: PTRACE_TRACEME: Operation not permitted (run as root)',
    ],
  ])('%s', async (_name, over, line) => {
    expect(renderVersion('0.1.0', await findTracers(probes(over)))).toBe(`jailtrace 0.1.0\n${line}\n`);
  });
});

/** Run the built CLI on a terminal: script(1) gives it a pty. */
const script = ['/usr/bin/script', '/bin/script'].find(existsSync);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/**
 * `script -qec CMD /dev/null`: CMD on a terminal. script's own `-e` status is not trusted (util-linux 2.38 sometimes
 * returns 0 or 130 for a child that exited otherwise, when the child's end races stdin's EOF): the shell inside
 * prints jailtrace's status last, and `exitCode` is read from there.
 */
const onTty = async (args: string[], env: Record<string, string | undefined>) => {
  const line = `${[process.execPath, CLI, ...args].map(q).join(' ')}; echo "[jailtrace exit $?]"`;
  const r = await execa(script!, ['-qec', line, '/dev/null'], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
    env: { SHELL: '/bin/sh', TERM: 'xterm-256color', COLUMNS: '100', LINES: '40', NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
  const out = String(r.stdout);
  const status = /\[jailtrace exit (\d+)\]\r?\n?$/.exec(out);
  if (!status) throw new Error(`no exit status on the terminal (script exited ${r.exitCode}):\n${out}`);
  return { exitCode: Number(status[1]), stdout: out.slice(0, status.index) };
};

describe.skipIf(!script)('on a terminal (script -qc)', () => {
  const FAILING_TREE = ['tree', '--cwd', '/', 'traces/freebsd/rssh-chroot-fd.truss'];
  const PARSE = ['parse', '--cwd', '/', 'traces/linux/probe/f.strace'];

  test('colour on a TTY: failures red in tree, the progress line erased with \\x1b[K, red error prefix', async () => {
    expect((await onTty(FAILING_TREE, {})).stdout).toMatch(/\x1b\[3\d?m/);
    expect((await onTty(PARSE, {})).stdout).toContain('\r\x1b[K');
    const err = await onTty(['tree', 'no-such-trace.strace'], {});
    expect(err.exitCode).toBe(2);
    expect(err.stdout).toContain('\x1b[31mjailtrace:\x1b[0m no-such-trace.strace: ');
  });

  test.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('%s: no escape code on a TTY, progress included', async (_name, env) => {
    for (const args of [FAILING_TREE, PARSE, ['tree', 'no-such-trace.strace']]) {
      const r = await onTty(args, env);
      expect(r.stdout, args.join(' ')).not.toContain('\x1b');
      expect(r.stdout).not.toBe('');
    }
  });

  test('-q on a TTY: no progress line', async () => {
    const r = await onTty(['-q', ...PARSE], {});
    expect(r.stdout).not.toContain('parsing:');
    expect(r.stdout).toContain('f.strace: strace');
  });
});

describe('off a terminal', () => {
  test('no progress line on a pipe', async () => {
    const r = await jailtrace(['parse', '--cwd', '/', 'traces/linux/probe/f.strace']);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('parsing:');
  });

  test.each([
    ['| head -1', 'head -1'],
    ['| true (closed before the first write)', 'true'],
  ])('a closed pipe (%s) exits 0, with nothing on stderr', async (_name, reader) => {
    const r = await execa(
      'bash',
      ['-c', `set -o pipefail; "$1" "$2" parse --json --cwd / traces/linux/probe/f.strace | ${reader}`, '_', process.execPath, CLI],
      {
        cwd: ROOT,
        reject: false,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
  });

  test.skipIf(!existsSync('/dev/full'))('a full disk on stdout is an error in the usual shape', async () => {
    const r = await execa('sh', ['-c', `"$1" "$2" parse --cwd / traces/linux/probe/f.strace > /dev/full`, '_', process.execPath, CLI], {
      cwd: ROOT,
      reject: false,
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('jailtrace: stdout: no space left on device (check where the output goes)');
  });
});
