/**
 * jailtrace's own DTrace output (parsers/dtrace.ts) against the script that prints it (src/capture/dtrace-script.ts):
 * every printf of the script, for every probe it is attached to, is rendered the way libdtrace would print it and must
 * parse to exactly one record; plus the grammar's cases and the hand-checked fixtures.
 */
import { describe, expect, test } from 'vitest';
import { detectDialect } from '../../parsers/detect.js';
import { dtraceFreebsd, dtraceMacos } from '../../parsers/dtrace.js';
import { parseText } from '../../parsers/feed.js';
import type { Dialect } from '../../parsers/types.js';
import { DTRACE_PROBES, dtraceScript, type DtracePlatform } from '../../src/capture/dtrace-script.js';
import { UNTRACEABLE } from '../../src/untraceable/rows.js';
import { fixtureCases, projectAll, tableFor } from './helpers.js';

/**
 * libdtrace's `%S` (dt_printf.c pfprint_estr → strchr2esc, read in FreeBSD's and illumos's libdtrace): `\0 \a \b \f \n
 * \r \t \v \" \\` as two characters, a space as itself, any other byte outside `!`..`~` (char is signed: bytes >= 0x80
 * too) as `\` and three octal digits. The string's terminating NUL is in the record, so it ends in `\0`, as dtruss shows.
 */
function strchr2esc(b: Buffer): string {
  const named: Record<number, string> = { 0: '0', 7: 'a', 8: 'b', 12: 'f', 10: 'n', 13: 'r', 9: 't', 11: 'v', 34: '"', 92: '\\' };
  let out = '';
  for (const c of b) {
    if (named[c] !== undefined) out += `\\${named[c]}`;
    else if (c === 32 || (c >= 33 && c <= 126)) out += String.fromCharCode(c);
    else out += `\\${c.toString(8).padStart(3, '0')}`;
  }
  return out;
}

const NASTY = Buffer.concat([Buffer.from('/tmp/we ird "q"\n\\'), Buffer.from([0xc3, 0xa9, 0xff]), Buffer.from([0])]);

interface Clause {
  probes: string[];
  predicate: string;
  body: string;
}

/** The clauses of a D script: probe descriptions, predicate, body (the generated script has one shape). */
function clauses(script: string): Clause[] {
  const out: Clause[] = [];
  const re = /((?:^[\w:]+:(?:entry|return),?\n)+)\/(.*)\/\n\{\n([\s\S]*?)\n\}/gm;
  for (const m of script.matchAll(re)) out.push({ probes: m[1].split(/,?\n/).filter(Boolean), predicate: m[2], body: m[3] });
  return out;
}

/** Split a printf's argument list at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inStr = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

const STRING_EXPR = /^(copyinstr\(|probefunc$|\(int\)self->a0 == -?\d+ \? "AT_FDCWD" : lltostr\()/;

/** Render one printf for one probe, as libdtrace would; `dirfd` picks the AT_FDCWD word or a number. */
function render(printf: string, probefunc: string, dirfd: string): string {
  const [fmtLit, ...args] = splitTop(printf);
  const fmt = JSON.parse(fmtLit) as string; // a D string literal here is a JSON-compatible C literal
  const convs = [...fmt.matchAll(/%([dsSX])/g)].map((m) => m[1]);
  expect(convs.length, `conversions vs arguments in ${printf}`).toBe(args.length);
  let k = 0;
  return fmt.replace(/%([dsSX])/g, (_all, c: string) => {
    const a = args[k++];
    if (c === 's' || c === 'S') expect(a, `%${c} takes a string: ${a}`).toMatch(STRING_EXPR);
    else expect(a, `%${c} takes an integer: ${a}`).not.toMatch(STRING_EXPR);
    if (a === 'timestamp') return '7000000001';
    if (a === 'pid') return '4242';
    if (a === 'tid') return '100001';
    if (a === 'probefunc') return probefunc;
    if (c === 's') return dirfd;
    if (c === 'S') return strchr2esc(NASTY);
    if (c === 'X') return 'DEADBEEF';
    if (a === 'errno') return '0';
    return a === '(int)arg0' ? '3' : '4';
  });
}

const DIALECT: Record<DtracePlatform, Dialect> = { freebsd: dtraceFreebsd, macos: dtraceMacos };

describe.each(['freebsd', 'macos'] as const)('every line the %s script can print', (p) => {
  const script = dtraceScript(p);
  const all = clauses(script);
  const printing = all.flatMap((c) => [...c.body.matchAll(/printf\((.*)\);/g)].map((m) => ({ c, printf: m[1] })));
  const rows = printing.flatMap(({ c, printf }) => c.probes.map((probe) => ({ probe, printf, name: probe.split(':')[2] })));

  test('the script is made of clauses this reader understands', () => {
    expect(all.length).toBeGreaterThan(10);
    // BEGIN is not a syscall clause: its one printf is the header
    expect(script).toContain(`printf("0 jailtrace-dtrace 1 ${p}\\n");`);
    expect(rows.length).toBeGreaterThan(20);
  });

  test('each probed syscall is known to the syscall table or to the untraceable rows', () => {
    const table = tableFor(DIALECT[p].name);
    const watched = new Set(UNTRACEABLE.filter((r) => r.platform === p).map((r) => r.call));
    for (const row of DTRACE_PROBES) for (const n of row.names[p] ?? []) expect(table.has(n) || watched.has(n), n).toBe(true);
  });

  test.each(rows.map((r) => ({ ...r, title: `${r.probe}: ${r.printf.slice(0, 40)}` })))('$title', ({ probe, printf, name }) => {
    const header = `0 jailtrace-dtrace 1 ${p}`;
    for (const dirfd of ['AT_FDCWD', '5']) {
      const line = render(printf, name, dirfd);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n'); // one record, one line, whatever the path holds
      const resumed = line.includes(' resumed = ');
      const entry = resumed ? `7000000000 4242/100001: ${name}("x\\0") ...\n` : '';
      const evs = parseText(DIALECT[p], header + '\n' + entry + line);
      const isEntry = line.endsWith(' ...\n') && probe !== 'syscall::exit:entry';
      // an entry record alone is never resumed in this text: that one warning, at its line, and no other
      expect(
        evs.filter((e) => e.kind === 'warning'),
        line,
      ).toEqual(isEntry ? [expect.objectContaining({ line: 2, message: expect.stringContaining('never returned') })] : []);
      const last = evs.filter((e) => e.kind !== 'warning').pop()!;
      if (probe === 'syscall::exit:entry') expect(last).toMatchObject({ kind: 'exit', pid: 4242, code: 3 });
      else if (isEntry) expect(last).toMatchObject({ kind: 'pending', pid: 4242, name });
      else expect(last).toMatchObject({ kind: 'syscall', pid: 4242, name, ok: true });
      if (last.kind === 'syscall' && printf.includes('%S') && !resumed) {
        // the string comes back as libdtrace printed it, at the argument the syscall row reads the path from
        const i = name === 'connect' || name === 'connect_nocancel' ? 1 : tableFor(DIALECT[p].name).get(name)?.path;
        expect(i, `${name}: which argument is the path`).toBeDefined();
        expect(last.args[i!]).toBe(`"${strchr2esc(NASTY)}"`);
      }
    }
  });
});

describe('records', () => {
  const parse = (text: string) => projectAll(parseText(dtraceFreebsd, text), 'dtrace-freebsd');
  test.each([
    ['header and the empty last line are nothing', '0 jailtrace-dtrace 1 freebsd\n\n', []],
    [
      'a failed call names the FreeBSD errno',
      '9 7/1: open("/x\\0", 0x0, 0x0) = -1 2',
      [{ line: 1, pid: 7, name: 'open', args: ['"/x\\0"', '0x0', '0x0'], ret: '-1', ok: false, errno: 'ENOENT', path: '/x' }],
    ],
    ['resumed without an entry warns', '9 7/1: execve resumed = 0 0', [{ kind: 'warning', line: 1 }]],
    [
      'an entry never resumed warns at its line',
      '9 7/1: execve("/x\\0") ...\n10 8/2: close(3) = 0 0',
      [
        { kind: 'pending', line: 1, pid: 7, name: 'execve', args: ['"/x\\0"'] },
        { line: 2, pid: 8, name: 'close', args: ['3'], ret: '0', ok: true },
        { kind: 'warning', line: 1 },
      ],
    ],
    ['exit', '9 7/1: exit(255) ...', [{ kind: 'exit', line: 1, pid: 7, code: 255 }]],
    [
      "dtrace's own complaint is a warning",
      'dtrace: error on enabled probe ID 4 (ID 80: syscall::open:return): invalid address (0x0) in action #2',
      [{ kind: 'warning', line: 1 }],
    ],
  ])('%s', (_n, text, want) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('detection keys on the header line only', () => {
  test.each([
    ['0 jailtrace-dtrace 1 freebsd', 'dtrace-freebsd'],
    ['0 jailtrace-dtrace 1 macos', 'dtrace-macos'],
  ])('%s', (header, want) => {
    expect(detectDialect([header, '9 7/1: close(3) = 0 0'])?.dialect.name).toBe(want);
  });
  test('records without the header are not taken for this dialect', () => {
    expect(dtraceFreebsd.sniff(['9 7/1: close(3) = 0 0'])).toBe(0);
    expect(dtraceMacos.sniff(['0 jailtrace-dtrace 1 freebsd'])).toBe(0);
  });
});

describe.each([
  ['dtrace-freebsd', dtraceFreebsd],
  ['dtrace-macos', dtraceMacos],
] as const)('fixtures (traces/%s)', (folder, dialect) => {
  const cases = fixtureCases(folder, '.dtrace');
  test('there are fixtures', () => expect(cases.length).toBeGreaterThan(0));
  test.each(cases)('$name', ({ input, expected }) => {
    expect(projectAll(parseText(dialect, input), dialect.name)).toEqual(expected);
  });
});
