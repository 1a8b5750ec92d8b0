/**
 * parsers/strace.ts at its edges, each case next to its near miss: prefixes that are and are not a pid or a
 * timestamp, results, the byte prefilter (accept) against push, unfinished calls that are and are not wanted, warnings
 * with their exact text and line, the -z tail, carried lines, and sniff's score.
 */
import { describe, expect, test } from 'vitest';
import { callName, parseResult, splitPrefix, strace } from '../../parsers/strace.js';
import type { SyscallEvent, TraceEvent } from '../../parsers/types.js';
import { feed, syscalls, warnings } from '../helpers.js';

const calls = (evs: TraceEvent[]) => (syscalls(evs) as SyscallEvent[]).map((e) => `${e.pid} ${e.name}=${e.ret}`);
const warns = (evs: TraceEvent[]) => warnings(evs).map((w) => `${w.line}: ${(w as { message: string }).message}`);

describe('splitPrefix', () => {
  test.each<[string, number, string]>([
    ['[pid 7] x()', 7, 'x()'],
    ['[pid  7]   x()', 7, 'x()'],
    ['[pid x] y()', 0, '[pid x] y()'],
    ['[pid ]y()', 0, '[pid ]y()'],
    ['12 x()', 12, 'x()'],
    ['12    x()', 12, 'x()'],
    ['12x()', 0, '12x()'],
    ['12', 0, '12'],
    ['x()', 0, 'x()'],
    ['12 16:40:01 x()', 12, 'x()'],
    ['12 16:40:01.5 x()', 12, 'x()'],
    ['12 1764340801.5 x()', 12, 'x()'],
    ['12 345 x()', 12, '345 x()'], // digits without '.' or ':' after the pid are not a timestamp
    ['16:40:01 x()', 0, 'x()'],
    ['16:40:01', 0, '16:40:01'],
    ['12 16:40:01x()', 12, '16:40:01x()'],
    ['  0.000123 x()', 0, 'x()'],
    ['12 1.5: x()', 12, 'x()'],
  ])('%j → pid %d, body %j', (line, pid, body) => {
    expect(splitPrefix(line, 0)).toEqual({ pid, body });
  });

  test('the default pid is kept when there is no prefix, replaced when there is one', () => {
    expect(splitPrefix('x()', 9).pid).toBe(9);
    expect(splitPrefix('3 x()', 9).pid).toBe(3);
    expect(splitPrefix('[pid 4] x()', 9).pid).toBe(4);
  });
});

describe('callName', () => {
  test.each<[string, string | undefined]>([
    ['openat(', 'openat'],
    ['_llseek(', '_llseek'],
    ['Open9(', 'Open9'],
    ['x(', 'x'],
    ['(', undefined],
    ['open at(', undefined],
    ['openat', undefined],
    ['open-at(', undefined],
    ['', undefined],
  ])('%j → %j', (body, name) => {
    expect(callName(body)).toBe(name);
  });
});

describe('parseResult', () => {
  test.each<[string, object | undefined]>([
    ['no equals sign', undefined],
    ['= ', { ret: '', retval: NaN, ok: false }],
    ['= -1', { ret: '-1', retval: -1, ok: true }], // no errno: a plain -1 (lseek can return it... as text only)
    ['= -1 (x)', { ret: '-1', retval: -1, ok: true }],
    ['= -1 ENOENT', { ret: '-1', retval: -1, ok: false, errno: 'ENOENT' }],
    ['= -1 E2BIG (Argument list too long)', { ret: '-1', retval: -1, ok: false, errno: 'E2BIG' }],
    ['= ? <unavailable>', { ret: '?', retval: NaN, ok: false, errno: undefined }],
    ['= 3 <0.000012>', { ret: '3', retval: 3, ok: true }],
    ['= 3<0.000012>', { ret: '3<0.000012>', retval: 3, ok: true, retPath: undefined }],
    ['= 12 (flags FD_CLOEXEC)', { ret: '12', retval: 12, ok: true }],
    ['= 0x7f (x)', { ret: '0x7f', retval: 0x7f, ok: true }],
  ])('%j', (text, want) => {
    expect(parseResult(text)).toEqual(want);
  });

  test('a result with "<" that is not a decoration (no digit first, or no ">" at the end) is not one', () => {
    expect(parseResult('= 3 <x')).toEqual({ ret: '3', retval: 3, ok: true });
    expect(parseResult('= x<y>')).toMatchObject({ ret: 'x<y>', ok: true });
    expect(parseResult('= x<y>')?.retPath).toBeUndefined();
  });
});

describe('events', () => {
  test('a call gives one syscall event with every field', () => {
    expect(feed(strace, '5 openat(AT_FDCWD, "/a", O_RDONLY) = -1 ENOENT (No such file or directory)\n')).toEqual([
      {
        kind: 'syscall',
        line: 1,
        pid: 5,
        name: 'openat',
        args: ['AT_FDCWD', '"/a"', 'O_RDONLY'],
        enc: 'c',
        ret: '-1',
        retval: -1,
        ok: false,
        errno: 'ENOENT',
        retPath: undefined,
      },
    ]);
  });

  test('signals: a name, or a bare word; anything else is ignored', () => {
    expect(feed(strace, '3 --- SIGCHLD {si_signo=SIGCHLD} ---\n3 --- stopped by SIGSTOP ---\n3 --- 123 ---\n')).toEqual([
      { kind: 'signal', line: 1, pid: 3, signal: 'SIGCHLD' },
    ]);
    expect(feed(strace, '3 --- STOP ---\n')).toEqual([{ kind: 'signal', line: 1, pid: 3, signal: 'STOP' }]);
  });

  test('exits: a negative code, a signal; an unknown +++ line is ignored', () => {
    expect(feed(strace, '3 +++ exited with -1 +++\n4 +++ killed by SIGTERM +++\n5 +++ something else +++\n')).toEqual([
      { kind: 'exit', line: 1, pid: 3, code: -1 },
      { kind: 'exit', line: 2, pid: 4, signal: 'SIGTERM' },
    ]);
  });

  test('a line that is not strace is a warning with a preview; an empty one is not', () => {
    const long = 'x'.repeat(70);
    const evs = feed(strace, `hello world\n\n   \n${long}\n`);
    const w = warns(evs);
    expect(w[0]).toBe('1: not a strace line: "hello world"');
    expect(w.slice(1).map((x) => x.slice(0, 83))).toEqual([`4: not a strace line: "${'x'.repeat(60)}`]); // then an ellipsis
    expect(w).toHaveLength(2);
    expect(w[1].length).toBeLessThan(90);
  });

  test('an unfinished call emits a pending event with its arguments so far', () => {
    expect(feed(strace, '7 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n')[0]).toEqual({
      kind: 'pending',
      line: 1,
      pid: 7,
      name: 'clone',
      args: ['child_stack=NULL', 'flags=SIGCHLD'],
    });
  });
});

describe('unfinished and resumed', () => {
  test('a second unfinished call for the same pid: the first is reported never resumed, the second completes', () => {
    const evs = feed(strace, '1 read(3, <unfinished ...>\n1 write(1, "x", 1 <unfinished ...>\n1 <... write resumed>) = 1\n');
    expect(calls(evs)).toEqual(['1 write=1']);
    expect(warns(evs)).toEqual(['1: read for pid 1 never resumed']);
  });

  test('a resumption of another call than the pending one is a warning; the pending one stays', () => {
    const evs = feed(strace, '1 read(3, <unfinished ...>\n1 <... write resumed>) = 1\n1 <... read resumed>"x", 1) = 1\n');
    expect(calls(evs)).toEqual(['1 read=1']);
    expect(warns(evs)).toEqual(['2: write resumed for pid 1 without its start']);
  });

  test('a malformed resumption is a warning', () => {
    expect(warns(feed(strace, '1 <... read resumd>) = 1\n'))).toEqual(['1: malformed resumed line: "<... read resumd>) = 1"']);
  });

  test('a resumption that cannot be joined is a warning naming the call', () => {
    const evs = feed(strace, '1 read(3, <unfinished ...>\n1 <... read resumed>"x", 1\n');
    expect(warns(evs)).toEqual(['2: could not join read with its resumption']);
  });

  test('joined calls: split after a comma, after the paren, or mid-argument', () => {
    const evs = feed(
      strace,
      '1 read(3, <unfinished ...>\n1 <... read resumed>"ab", 2) = 2\n2 getpid( <unfinished ...>\n2 <... getpid resumed>) = 2\n3 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>\n3 <... openat resumed>) = 4\n',
    );
    expect((syscalls(evs) as SyscallEvent[]).map((e) => [e.name, e.args, e.line])).toEqual([
      ['read', ['3', '"ab"', '2'], 2],
      ['getpid', [], 4],
      ['openat', ['AT_FDCWD', '"/a"', 'O_RDONLY'], 6],
    ]);
    expect(warns(evs)).toEqual([]);
  });

  test("unwanted: an unfinished call clears the pid's pending call; its resumption is dropped quietly", () => {
    const want = (n: string) => n !== 'read';
    const evs = feed(
      strace,
      '1 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>\n1 read(3, <unfinished ...>\n1 <... read resumed>"x", 1) = 1\n1 <... openat resumed>) = 3\n',
      { want },
    );
    expect(calls(evs)).toEqual([]);
    expect(warns(evs)).toEqual(['4: openat resumed for pid 1 without its start']);
  });

  test('unwanted resumption of another call leaves the wanted pending one alone', () => {
    const want = (n: string) => n !== 'read';
    const evs = feed(strace, '1 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>\n1 <... read resumed>"x", 1) = 1\n1 <... openat resumed>) = 3\n', { want });
    expect(calls(evs)).toEqual(['1 openat=3']);
    expect(warns(evs)).toEqual([]);
  });

  test('at the end, every call still pending is reported with the last line', () => {
    const evs = feed(strace, '1 read(3, <unfinished ...>\n2 wait4(-1, <unfinished ...>\nclose(3) = 0\n');
    expect(warns(evs)).toEqual(['1: read for pid 1 never finished (trace ended at line 3)', '2: wait4 for pid 2 never finished (trace ended at line 3)']);
  });

  test('superseded: the thread exits; with nothing pending there is nothing to move', () => {
    expect(feed(strace, '1234 +++ superseded by execve in pid 1235 +++\n')).toEqual([{ kind: 'exit', line: 1, pid: 1235 }]);
  });

  test('<pid changed to N>: when N is the same pid no exit is reported', () => {
    const evs = feed(strace, '1234 execve("/x", ["x"], 0x0 /* 0 vars */ <pid changed to 1234 ...>\n1234 <... execve resumed>) = 0\n');
    expect(evs.map((e) => e.kind)).toEqual(['syscall']);
  });
});

describe('-z tails and broken lines', () => {
  test('a bare tail joins the call left unfinished on the line just before, not an older one', () => {
    expect(calls(feed(strace, '1 read(3, <unfinished ...>\n) = 5\n'))).toEqual(['1 read=5']);
    const older = feed(strace, '1 read(3, <unfinished ...>\n2 close(4) = 0\n) = 5\n');
    expect(calls(older)).toEqual(['2 close=0']);
  });

  test('a tail with nothing pending is dropped quietly', () => {
    expect(feed(strace, ') = 5\n')).toEqual([]);
  });

  test.each(['"x", 1) = -1 EIO (x)', ') = ?', ') = 0x1f', ') = 12'])('%j is a tail', (tail) => {
    expect(calls(feed(strace, `1 read(3, <unfinished ...>\n${tail}\n`))).toHaveLength(1);
  });

  test('a line cut short, then a new record: the cut line is recovered when complete, else a warning', () => {
    const evs = feed(strace, '1 openat(AT_FDCWD, "/a", O_RDONLY\n2 close(3) = 0\n');
    expect(calls(evs)).toEqual(['2 close=0']);
    expect(warns(evs)).toEqual(['1: incomplete strace line (no result): skipped']);
  });

  test('a line cut short and its rest that does not fit: a warning naming both lines', () => {
    const evs = feed(strace, '1 openat(AT_FDCWD, "/a", O_RDONLY\nnonsense\n');
    expect(warns(evs)).toEqual(['1: strace line broken by program output (lines 1-2): could not be rejoined']);
  });

  test.each(['<... read resumed>) = 1', '--- SIGCHLD ---', '+++ exited with 0 +++', 'strace: Process 3 attached', 'close(3) = 0'])(
    '%j starts a record (a carried fragment does not continue onto it)',
    (next) => {
      const evs = feed(strace, `1 openat(AT_FDCWD, "/a", O_RDONLY\n${next}\n`);
      expect(warns(evs)).toContain('1: incomplete strace line (no result): skipped');
    },
  );

  test('a notice spliced mid-line with text after it: the line is rejoined at once', () => {
    const evs = feed(strace, '1 close(3strace: Process 9 attached) = 0\n');
    expect(calls(evs)).toEqual(['1 close=0']);
  });

  test('a notice that is not an attach notice is left in the line', () => {
    const evs = feed(strace, '1 write(1, "strace: hello", 13) = 13\n');
    expect((syscalls(evs) as SyscallEvent[])[0].args).toEqual(['1', '"strace: hello"', '13']);
  });

  test('a truncated last line at the end of the trace: a warning', () => {
    expect(warns(feed(strace, '1 openat(AT_FDCWD, "/a", O_RDONLY'))).toEqual(['1: truncated last line (no result)']);
  });
});

describe('the byte prefilter agrees with push', () => {
  const run = (lines: string[], want: (n: string) => boolean) => {
    const p = strace.create({ want });
    const seen: string[] = [];
    lines.forEach((l, i) => {
      const b = Buffer.from(`##${l}##`, 'latin1');
      if (p.accept!(b, 2, b.length - 2)) seen.push(l);
      p.push(l, i + 1, () => undefined);
    });
    return seen;
  };
  const onlyOpen = (n: string) => n === 'openat';

  test.each<[string, boolean]>([
    ['1 openat(AT_FDCWD, "/a", O_RDONLY) = 3', true],
    ['1 close(3) = 0', false],
    ['close(3) = 0', false],
    ['1  16:40:01.5 close(3) = 0', false],
    ['1 16:40:01.5 openat(AT_FDCWD, "/a", O_RDONLY) = 3', true],
    ['1 1.5x close(3) = 0', true], // not a timestamp: push decides
    ['[pid 1] close(3) = 0', true],
    ['1 <... close resumed>) = 0', true],
    ['1 +++ exited with 0 +++', true],
    ['1 close (3) = 0', true],
    ['1 Close(3) = 0', true], // not a lower-case name: push decides
    ['1 close(3 <unfinished ...>', true],
    ['1 close(3 <unfinished ..>', false],
    ['1 close(3 unfinished ...>', false],
  ])('%j accepted: %s', (line, accepted) => {
    expect(run([line], onlyOpen)).toEqual(accepted ? [line] : []);
  });

  test('without a want filter every line is accepted', () => {
    const p = strace.create();
    const b = Buffer.from('1 close(3) = 0');
    expect(p.accept!(b, 0, b.length)).toBe(true);
  });

  test('while a broken line is carried every line is accepted', () => {
    const p = strace.create({ want: onlyOpen });
    p.push('1 openat(AT_FDCWD, "/a", O_RDONLY', 1, () => undefined);
    const b = Buffer.from('1 close(3) = 0');
    expect(p.accept!(b, 0, b.length)).toBe(true);
  });

  test('names are remembered: the same name answers the same, a name with the same hash but other bytes is asked', () => {
    const asked: string[] = [];
    const p = strace.create({ want: (n) => (asked.push(n), n === 'openat') });
    const acc = (l: string) => p.accept!(Buffer.from(l), 0, l.length);
    expect([acc('1 close(3) = 0'), acc('2 close(4) = 0'), acc('3 openat(x) = 1'), acc('4 openat(y) = 1')]).toEqual([false, false, true, true]);
    expect(asked).toEqual(['close', 'openat']);
    // "Aa" and "BB" have the same 31-hash; so do "clos"+... pairs: two names of one length and one hash
    expect([acc('5 ab(1) = 0'), acc('6 bC(1) = 0')]).toEqual([false, true]);
  });
});

describe('sniff', () => {
  const score = (lines: string[]) => strace.sniff(lines);
  test.each<[string, string[], number]>([
    ['a call', ['openat(AT_FDCWD, "/a", O_RDONLY) = 3'], 2],
    ['a failed call', ['openat(AT_FDCWD, "/a", O_RDONLY) = -1 ENOENT (No such file or directory)'], 5],
    ['an execve with argv', ['execve("/bin/ls", ["ls"], 0x0 /* 0 vars */) = 0'], 7],
    ['an exit', ['+++ exited with 0 +++'], 3],
    ['a signal', ['--- SIGCHLD {} ---'], 3],
    ['a resumption', ['<... read resumed>"x", 1) = 1'], 3],
    ['a truss error', ['open("/a", O_RDONLY)\t\tErr#2 ENOENT'], 0],
    ['dtruss', ['open("/a\\0", 0x0, 0x0)\t\t = -1 Err#2'], 0],
    ['nothing', ['hello'], 0],
    ['a decorated result', ['openat(AT_FDCWD, "/a", O_RDONLY) = 3</a>'], 2],
    ['a hex result', ['mmap(NULL, 8192) = 0x7f12'], 2],
    ['a result followed by junk', ['close(3) = 0junk'], 0],
  ])('%s scores %d', (_t, lines, want) => {
    expect(score(lines)).toBe(want);
  });

  test('scores add up over lines', () => {
    expect(score(['+++ exited with 0 +++', '--- SIGCHLD {} ---', 'close(3) = 0'])).toBe(8);
  });
});
