import { describe, expect, test } from 'vitest';
import { decodeString } from '../../parsers/strings.js';
import { callName, parseResult, splitPrefix, strace } from '../../parsers/strace.js';
import type { SyscallEvent } from '../../parsers/types.js';
import { feed, syscalls, warnings } from '../helpers.js';

const one = (line: string): SyscallEvent => {
  const evs = syscalls(feed(strace, line + '\n'));
  expect(evs).toHaveLength(1);
  return evs[0] as SyscallEvent;
};

describe('prefixes and timestamps', () => {
  test.each([
    ['no prefix', 'openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 0],
    ['-f -o pid, padded', '5491  openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 5491],
    ['-f -o long pid, one space', '123456 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 123456],
    ['[pid N] (stderr)', '[pid 12998] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 12998],
    ['-t', '5491  16:40:01 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 5491],
    ['-tt', '5491  16:40:01.123456 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 5491],
    ['-ttt', '5491  1764340801.123456 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 5491],
    ['-ttt without -f', '1764340801.123456 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 0],
    ['-r', '5491       0.000123 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 5491],
    ['-r without -f', '     0.000123 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3', 0],
    ['-T duration', '5491  openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3 <0.000082>', 5491],
  ])('%s', (_name, line, pid) => {
    const ev = one(line);
    expect(ev.pid).toBe(pid);
    expect(ev.name).toBe('openat');
    expect(ev.args).toEqual(['AT_FDCWD', '"/etc/passwd"', 'O_RDONLY']);
    expect(ev.retval).toBe(3);
    expect(ev.ok).toBe(true);
  });

  test('the -ff default pid applies to unprefixed lines', () => {
    const evs = syscalls(feed(strace, 'close(3) = 0\n', { defaultPid: 777 }));
    expect(evs[0].pid).toBe(777);
  });

  test('splitPrefix leaves digits that are not a prefix alone', () => {
    expect(splitPrefix('42apples', 0)).toEqual({ pid: 0, body: '42apples' });
  });
});

describe('results', () => {
  test.each([
    ['= 3', { ret: '3', retval: 3, ok: true }],
    ['= 0x55d0a000', { ret: '0x55d0a000', retval: 0x55d0a000, ok: true }],
    ['= -1 ENOENT (No such file or directory)', { ret: '-1', retval: -1, ok: false, errno: 'ENOENT' }],
    ['= ? ERESTARTSYS (To be restarted if SA_RESTART is set)', { ret: '?', retval: NaN, ok: false, errno: 'ERESTARTSYS' }],
    ['= ? ERESTART_RESTARTBLOCK (Interrupted by signal)', { ret: '?', retval: NaN, ok: false, errno: 'ERESTART_RESTARTBLOCK' }],
    ['= ?', { ret: '?', retval: NaN, ok: false }],
    ['= 0 <0.000012>', { ret: '0', retval: 0, ok: true }],
    ['= 1 (in [3])', { ret: '1', retval: 1, ok: true }],
  ])('%s', (text, expected) => {
    expect(parseResult(text)).toEqual(expected);
  });

  test('-y decorated result keeps the path bytes, spaces included', () => {
    const r = parseResult('= 3</tmp/we ird \\303\\251>')!;
    expect(r.retval).toBe(3);
    expect(r.retPath).toEqual(Buffer.from('/tmp/we ird é'));
  });

  test('-yy device decoration', () => {
    const r = parseResult('= 0</dev/null<char 1:3>>')!;
    expect(r.retPath?.toString()).toBe('/dev/null');
  });

  test('-yy socket decoration is not a path', () => {
    expect(parseResult('= 3<UNIX-STREAM:[23538]>')!.retPath).toBeUndefined();
  });
});

describe('arguments', () => {
  test('structs, arrays and comments do not split', () => {
    const ev = one('execve("/bin/true", ["true", "a,b"], 0x7ffd1234 /* 5 vars */) = 0');
    expect(ev.args).toEqual(['"/bin/true"', '["true", "a,b"]', '0x7ffd1234 /* 5 vars */']);
  });

  test('a ) and , inside a string do not end the arguments', () => {
    const ev = one('openat(AT_FDCWD, "/tmp/a),b\\"c", O_RDONLY) = -1 ENOENT (No such file or directory)');
    expect(decodeString(ev.args[1])).toEqual(Buffer.from('/tmp/a),b"c'));
    expect(ev.errno).toBe('ENOENT');
  });

  test('-v struct with nested braces', () => {
    const ev = one('newfstatat(AT_FDCWD, "/etc/nsswitch.conf", {st_dev=makedev(0xfe, 0x1), st_mode=S_IFREG|0644, st_size=526}, 0) = 0');
    expect(ev.args).toHaveLength(4);
    expect(ev.args[3]).toBe('0');
  });

  test.each([
    ['C escapes', '"a\\"b\\\\c\\n\\t"', Buffer.from('a"b\\c\n\t')],
    ['octal bytes', '"\\303\\251\\377"', Buffer.from([0xc3, 0xa9, 0xff])],
    ['-xx hex', '"\\x2f\\x65\\x74\\x63"', Buffer.from('/etc')],
    ['-x mixed', '"/tmp/\\xc3\\xa9"', Buffer.from('/tmp/é')],
    ['truncated string', '"abc"...', Buffer.from('abc')],
    ['octal then digit', '"\\0012"', Buffer.from([1, 0x32])],
  ])('decode %s', (_n, raw, bytes) => {
    expect(decodeString(raw)).toEqual(bytes);
  });

  test('not a string', () => {
    expect(decodeString('AT_FDCWD')).toBeUndefined();
  });
});

describe('unfinished / resumed', () => {
  test('joined by pid, not by adjacency', () => {
    const evs = syscalls(
      feed(
        strace,
        [
          '100 openat(AT_FDCWD, "/tmp/fifo", O_RDONLY <unfinished ...>',
          '101 openat(AT_FDCWD, "/etc/passwd", O_RDONLY <unfinished ...>',
          '100 <... openat resumed>) = 3',
          '101 <... openat resumed>) = 4',
        ].join('\n'),
      ),
    ) as SyscallEvent[];
    expect(evs.map((e) => [e.pid, decodeString(e.args[1])!.toString(), e.retval, e.line])).toEqual([
      [100, '/tmp/fifo', 3, 3],
      [101, '/etc/passwd', 4, 4],
    ]);
  });

  test('arguments split across the two pieces', () => {
    const evs = syscalls(feed(strace, '7 read(3,  <unfinished ...>\n8 close(4) = 0\n7 <... read resumed>"data", 832) = 832\n')) as SyscallEvent[];
    const read = evs.find((e) => e.name === 'read')!;
    expect(read.args).toEqual(['3', '"data"', '832']);
  });

  test('a resume without its start is a warning, not a crash', () => {
    const evs = feed(strace, '7 <... openat resumed>) = 3\n');
    expect(syscalls(evs)).toHaveLength(0);
    expect(warnings(evs)[0]).toMatchObject({ line: 1 });
  });

  test('an unfinished call at the end of the trace is reported', () => {
    const evs = feed(strace, '7 openat(AT_FDCWD, "/x", O_RDONLY <unfinished ...>\n');
    expect(warnings(evs).map((w) => w.line)).toEqual([1]);
  });

  test('pending event for fork-family calls lets the model attach children early', () => {
    const evs = feed(strace, '7 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88 <unfinished ...>\n');
    expect(evs[0]).toMatchObject({ kind: 'pending', pid: 7, name: 'clone3' });
  });
});

describe('strace quirks seen in real captures', () => {
  test('-y decoration with escaped quotes in an fd argument does not open a string', () => {
    const ev = one('5551  close(3</tmp/we ird \\"q\\" it\'s \\303\\251\\377\\nline2.txt>) = 0');
    expect(ev.args).toHaveLength(1);
    expect(ev.retval).toBe(0);
  });

  test('-z prints the rest of an unfinished call on a bare line: joined with it', () => {
    const evs = syscalls(feed(strace, '5611  openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>\n0x0) = 3\n')) as SyscallEvent[];
    expect(evs.map((e) => [e.name, e.pid, e.retval])).toEqual([['openat', 5611, 3]]);
  });

  test('attach notice inside a struct: rejoined', () => {
    const evs = syscalls(
      feed(
        strace,
        'clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f6ffff6c0}strace: Process 5683 attached\n => {parent_tid=[5683]}, 88) = 5683\n',
      ),
    ) as SyscallEvent[];
    expect(evs.map((e) => [e.name, e.retval])).toEqual([['clone3', 5683]]);
  });
});

describe('signals, exits, notices', () => {
  test.each([
    ['--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12} ---', { kind: 'signal', signal: 'SIGCHLD' }],
    ['+++ exited with 3 +++', { kind: 'exit', code: 3 }],
    ['+++ killed by SIGKILL +++', { kind: 'exit', signal: 'SIGKILL' }],
    ['+++ killed by SIGSEGV (core dumped) +++', { kind: 'exit', signal: 'SIGSEGV' }],
  ])('%s', (line, expected) => {
    expect(feed(strace, `42 ${line}\n`)[0]).toMatchObject({ ...expected, pid: 42 });
  });

  test('strace notice on its own line is ignored', () => {
    expect(feed(strace, 'strace: Process 12998 attached\n')).toEqual([]);
  });

  test('a notice spliced into a line: the line is rejoined with its continuation', () => {
    const evs = feed(
      strace,
      'clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88strace: Process 12998 attached\n <unfinished ...>\n[pid 12998] execve("/bin/sh", ["sh"], 0x7ffc /* 5 vars */) = 0\n<... clone3 resumed>) = 12998\n',
    );
    const sc = syscalls(evs) as SyscallEvent[];
    expect(sc.map((e) => [e.pid, e.name, e.retval])).toEqual([
      [12998, 'execve', 0],
      [0, 'clone3', 12998],
    ]);
    expect(warnings(evs)).toEqual([]);
  });

  test('program stderr inside a line: the call is rejoined, the stray line is a warning', () => {
    const evs = feed(strace, 'write(2, "probe: oops\\n", 11probe: oops\n) = 11\nFile "/x" not found.\nclose(3) = 0\n');
    expect((syscalls(evs) as SyscallEvent[]).map((e) => e.name)).toEqual(['write', 'close']);
    expect(warnings(evs).map((w) => w.line)).toEqual([3]);
  });

  test('a truncated last line is recovered if complete enough, else a warning', () => {
    const evs = feed(strace, 'close(3) = 0\nopenat(AT_FDCWD, "/etc/pas');
    expect(syscalls(evs)).toHaveLength(1);
    expect(warnings(evs).map((w) => w.line)).toEqual([2]);
  });
});

describe('filtering by name', () => {
  test('unwanted calls are skipped, wanted ones still paired across them', () => {
    const evs = syscalls(
      feed(
        strace,
        '1 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>\n2 read(3, <unfinished ...>\n1 <... openat resumed>) = 3\n2 <... read resumed>"x", 1) = 1\n',
        {
          want: (n) => n === 'openat',
        },
      ),
    );
    expect(evs.map((e) => (e as SyscallEvent).name)).toEqual(['openat']);
  });

  test('callName', () => {
    expect(callName('openat(AT_FDCWD')).toBe('openat');
    expect(callName('File "x" not found.')).toBeUndefined();
  });
});

describe('never throws', () => {
  test.each(['', ')', '(((', '"', '<... ', '+++', '---', '[pid ', '1 2 3', '\u0000\u00ff', 'x('.repeat(1000)])('%j', (line) => {
    expect(() => feed(strace, line)).not.toThrow();
  });
});

describe('found in review', () => {
  test("program output after another pid's unfinished call does not complete it", () => {
    const evs = feed(
      strace,
      ['100 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>', '101 write(2, "hi\\n", 3hi', ') = 3', '100 <... clone resumed>) = 101'].join('\n'),
    );
    const sc = syscalls(evs) as SyscallEvent[];
    expect(sc.filter((e) => e.name === 'clone').map((e) => [e.pid, e.retval])).toEqual([[100, 101]]);
  });

  test('a decoration with an unbalanced bracket does not swallow the line', () => {
    const ev = one('5 openat(3</home/u/My Docs (old>, "a.txt", O_RDONLY) = 4</home/u/My Docs (old/a.txt>');
    expect(ev.args).toEqual(['3</home/u/My Docs (old>', '"a.txt"', 'O_RDONLY']);
    expect(ev.retval).toBe(4);
  });

  test('execve in a non-leader thread, old format: superseded, resumed as the leader', () => {
    const evs = feed(
      strace,
      [
        '1235 execve("/usr/bin/other", ["other"], 0x0 /* 0 vars */ <unfinished ...>',
        '1234 +++ superseded by execve in pid 1235 +++',
        '1234 <... execve resumed>) = 0',
      ].join('\n'),
    );
    expect(
      evs.filter((e) => e.kind !== 'pending').map((e) => (e.kind === 'syscall' ? [e.kind, e.pid, e.name, e.retval] : [e.kind, 'pid' in e ? e.pid : undefined])),
    ).toEqual([
      ['exit', 1235],
      ['syscall', 1234, 'execve', 0],
    ]);
  });

  test('execve in a non-leader thread, new format: <pid changed to N ...>', () => {
    const evs = feed(
      strace,
      ['1235 execve("/usr/bin/other", ["other"], 0x0 /* 0 vars */ <pid changed to 1234 ...>', '1234 <... execve resumed>) = 0'].join('\n'),
    );
    const sc = syscalls(evs) as SyscallEvent[];
    expect(sc.map((e) => [e.pid, e.name, decodeString(e.args[0])!.toString()])).toEqual([[1234, 'execve', '/usr/bin/other']]);
  });
});

test('with the byte prefilter (as the pipeline runs it), a skipped line breaks the tail joining', () => {
  const lines = ['100 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>', '101 write(2, "hi\\n", 3hi', ') = 3', '100 <... clone resumed>) = 101'];
  const p = strace.create({ want: (n) => n === 'clone' });
  const out: SyscallEvent[] = [];
  lines.forEach((l, i) => {
    const b = Buffer.from(l, 'latin1');
    if (p.accept!(b, 0, b.length)) p.push(l, i + 1, (e) => e.kind === 'syscall' && out.push(e));
  });
  expect(out.map((e) => [e.pid, e.name, e.retval])).toEqual([[100, 'clone', 101]]);
});
