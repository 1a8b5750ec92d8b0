/**
 * Forms of published traces that the parsers once refused or mangled (issue 12): strace -r with -t/-tt and -T, -c/-C
 * summary tables, strace 4.x notices, strings cut by -s, an attached -T trace taken for dtruss, the dtruss SIP
 * banner, kdump's DragonFly `pid:lwp` column and FreeBSD's bare calls. Each line here is the shape printed by the
 * real tool (see traces/wild/ for the published samples they come from).
 */
import { describe, expect, test } from 'vitest';
import { CLOSE, detectDialect } from '../../parsers/detect.js';
import { preview } from '../../parsers/call.js';
import { dtruss } from '../../parsers/dtruss.js';
import { parseText } from '../../parsers/feed.js';
import { kdump, splitRecord } from '../../parsers/kdump.js';
import { strace } from '../../parsers/strace.js';
import { summaryOnly } from '../../parsers/strace-summary.js';
import { truncatedArgs, truncatedWords } from '../../parsers/strings.js';
import type { Dialect, SyscallEvent, TraceEvent } from '../../parsers/types.js';

const calls = (evs: TraceEvent[]) => evs.filter((e): e is SyscallEvent => e.kind === 'syscall').map((e) => ({ line: e.line, name: e.name, ret: e.ret }));
const warnings = (evs: TraceEvent[]) => evs.filter((e) => e.kind === 'warning');

const TABLE = [
  '% time     seconds  usecs/call     calls    errors syscall',
  '------ ----------- ----------- --------- --------- ----------------',
  ' 99.18    0.003989          18       222           poll',
  '  0.00    0.000000           0         1           restart_syscall',
  '------ ----------- ----------- --------- --------- ----------------',
  '100.00    0.004022                   224         3 total',
];

describe('strace timestamps', () => {
  test.each([
    ['-tt -r', '20:37:49.050065 (+     0.000012) semop(98304, [{0, -1, SEM_UNDO}], 1) = 0', 'semop'],
    ['-ttt -r', '1700000000.050065 (+     0.000012) close(3) = 0', 'close'],
    ['-r -T', '     0.000046 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3 <0.000013>', 'openat'],
    ['-f -tt -r', '2925  20:37:49.050065 (+     0.000012) close(3) = 0', 'close'],
  ])('%s', (_n, line, name) => {
    const evs = parseText(strace, line + '\n');
    expect(warnings(evs)).toEqual([]);
    expect(calls(evs)).toMatchObject([{ line: 1, name }]);
    expect(detectDialect([line])?.dialect.name).toBe('strace');
  });

  test('a (+ delta) line after a normal line is a call of its own, not a tail of the one before', () => {
    const evs = parseText(strace, '20:37:49.050053 close(4) = 0\n20:37:49.050065 (+     0.000012) close(3) = 0\n');
    expect(calls(evs)).toEqual([
      { line: 1, name: 'close', ret: '0' },
      { line: 2, name: 'close', ret: '0' },
    ]);
  });
});

describe('strace -c / -C summary tables', () => {
  test('a table after the trace is skipped without a warning', () => {
    const evs = parseText(strace, ['open("/etc/x", O_RDONLY) = 3', '+++ exited with 0 +++', ...TABLE].join('\n') + '\n');
    expect(warnings(evs)).toEqual([]);
    expect(calls(evs)).toEqual([{ line: 1, name: 'open', ret: '3' }]);
  });
  test('a table alone is a summary and nothing else (its heading line)', () => {
    expect(summaryOnly(TABLE)).toBe(1);
    expect(summaryOnly(['strace: Process 8803 attached', '^Cstrace: Process 8803 detached', ...TABLE])).toBe(3);
  });
  test('a trace with a table is not a summary only', () => {
    expect(summaryOnly(['open("/etc/x", O_RDONLY) = 3', ...TABLE])).toBeUndefined();
    expect(summaryOnly(['open("/etc/x", O_RDONLY) = 3'])).toBeUndefined();
  });
});

describe('strace 4.x notices', () => {
  test.each([
    'Process 29579 attached - interrupt to quit',
    'Process 29579 detached',
    'Process 29580 attached (waiting for parent)',
    'Process 29580 resumed (parent 29579 ready)',
  ])('%s', (notice) => {
    const evs = parseText(strace, `${notice}\nclose(3) = 0\n`);
    expect(warnings(evs)).toEqual([]);
    expect(calls(evs)).toHaveLength(1);
  });
});

describe('strace -p, then ^C', () => {
  test.each([
    ['4.x', 'Process 29579 detached'],
    ['5.x and later', 'strace: Process 29579 detached'],
  ])('the call in progress when strace detaches (%s) is no warning', (_n, notice) => {
    const evs = parseText(strace, `read(9, "x", 1) = 1\nsemop(4653058, 0x2b1335692da0, 1 <unfinished ...>\n${notice}\n`);
    expect(warnings(evs)).toEqual([]);
  });
  test('a call left unfinished without a detach still warns', () => {
    expect(warnings(parseText(strace, 'semop(4653058, 0x2b1335692da0, 1 <unfinished ...>\n'))).toHaveLength(1);
  });
});

describe('strings cut by the tracer', () => {
  test('execve argv: the argument holding a cut word is marked, with the word', () => {
    const line = 'execve("/usr/bin/cargo", ["/home/user/.rustup/toolchains"..., "build"], 0x7ffd /* 40 vars */) = 0';
    const [ev] = parseText(strace, line + '\n') as SyscallEvent[];
    expect(ev.truncated).toEqual([1]);
    expect(truncatedWords(ev.args[1])).toEqual([0]);
  });
  test.each([
    ['strace', ['"/usr/lib/x86_64-linux-gnu/libc"...', '832'], [0]],
    ['truss', ['3', '"\\177ELF\\001\\001".., 512'], [1]],
    ['a path that starts with ..', ['AT_FDCWD', '"../lib/x"', 'O_RDONLY'], undefined],
    ['whole strings', ['"a"', '["b", "c"]'], undefined],
  ])('%s', (_n, args, want) => {
    expect(truncatedArgs(args)).toEqual(want);
  });
});

describe('detection', () => {
  // strace -T -p PID: no execve, no pid column, buffers with \0 (old detection gave dtruss: every call lost)
  const attached = [
    'read(3, "\\0\\0\\0\\1\\0\\0\\0\\0"..., 4096) = 4096 <0.000012>',
    'read(3, "\\0\\0\\0\\2\\0\\0\\0\\0"..., 4096) = 4096 <0.000009>',
    'write(4, "\\0\\0\\0\\0", 4) = 4 <0.000020>',
    'poll([{fd=3, events=POLLIN}], 1, 1000) = 1 ([{fd=3, revents=POLLIN}]) <0.000101>',
  ];
  test('an attached strace -T trace is strace', () => {
    expect(detectDialect(attached)?.dialect.name).toBe('strace');
  });
  test('two dialects that score alike are both named', () => {
    const fake = (name: string, score: number): Dialect => ({ ...strace, name: name as Dialect['name'], sniff: () => score });
    expect(detectDialect([''], [fake('strace', 10), fake('dtruss', 10 * CLOSE)])?.close?.dialect.name).toBe('dtruss');
    expect(detectDialect([''], [fake('strace', 10), fake('dtruss', 10 * CLOSE - 1)])?.close).toBeUndefined();
  });
});

describe('dtruss', () => {
  test('the System Integrity Protection banner is a notice, not a lost record', () => {
    const evs = parseText(
      dtruss,
      'dtrace: system integrity protection is on, some features will not be available\n\nSYSCALL(args) \t\t = return\nclose(0x3)\t\t = 0 0\n',
    );
    expect(warnings(evs)).toEqual([]);
    expect(calls(evs)).toHaveLength(1);
  });
  test('a cut warning excerpt ends in an ellipsis, not a stray &', () => {
    expect(preview('x'.repeat(61))).toBe(JSON.stringify('x'.repeat(60) + '…'));
  });
});

describe('kdump', () => {
  test("DragonFly's pid:lwp column", () => {
    expect(splitRecord('   877:1    ktrace   RET   ktrace 0')).toMatchObject({ pid: 877, key: '877:1', op: 'RET', data: 'ktrace 0' });
    const evs = parseText(kdump, '   877:1    ktrace   CALL  open(0x800,0)\n   877:1    ktrace   NAMI  "/etc/x"\n   877:1    ktrace   RET   open 3\n');
    expect(warnings(evs)).toEqual([]);
    expect(evs).toMatchObject([{ kind: 'syscall', pid: 877, name: 'open', nami: [Buffer.from('/etc/x')] }]);
  });
  test("OpenBSD's PLDG: the call broke the pledge and never returns", () => {
    const text =
      ' 71505 arp-scan CALL  ioctl(3,BIOCVERSION,0x7f7ffffc9740)\n 71505 arp-scan PLDG  ioctl, "tty", errno 1 Operation not permitted\n 71505 arp-scan PSIG  SIGABRT SIG_DFL\n';
    const evs = parseText(kdump, text);
    expect(warnings(evs)).toEqual([]);
    expect(evs).toMatchObject([{ kind: 'signal', signal: 'SIGABRT' }]);
  });
  test('NetBSD: a pid and an lwp column, EMUL records, execve returning JUSTRETURN with its two NAMI', () => {
    const text = [
      '  2642   2642 ktrace   EMUL  "netbsd"',
      '  2642   2642 ktrace   CALL  execve(0xffffffef9536,0xffffffef8fb0,0xffffffef8fc0)',
      '  2642   2642 ktrace   NAMI  "/usr/bin/prog"',
      '  2642   2642 ktrace   NAMI  "/usr/libexec/ld.elf_so"',
      '  2642   2642 prog     RET   execve JUSTRETURN',
      '  2642   2642 prog     CALL  open(0xfffff326c738,0,0xfffff3281590)',
      '  2642   2642 prog     NAMI  "/etc/ld.so.conf"',
      '  2642   2642 prog     RET   open -1 errno 2 No such file or directory',
    ].join('\n');
    const evs = parseText(kdump, text + '\n');
    expect(warnings(evs)).toEqual([]);
    expect(evs).toMatchObject([
      { kind: 'syscall', line: 5, pid: 2642, name: 'execve', ok: true, nami: [Buffer.from('/usr/bin/prog'), Buffer.from('/usr/libexec/ld.elf_so')] },
      { kind: 'syscall', line: 8, pid: 2642, name: 'open', ok: false, errno: 'ENOENT', nami: [Buffer.from('/etc/ld.so.conf')] },
    ]);
  });
  test('FreeBSD prints a call without arguments bare', () => {
    const evs = parseText(kdump, '   577 prog     CALL  issetugid\n   577 prog     RET   issetugid 0\n');
    expect(warnings(evs)).toEqual([]);
    expect(calls(evs)).toEqual([{ line: 2, name: 'issetugid', ret: '0' }]);
  });
});
