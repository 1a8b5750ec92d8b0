import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectDialect } from '../../parsers/detect.js';
import { headLines } from '../../parsers/feed.js';
import { DIALECTS, dialectByName } from '../../parsers/index.js';

const TRACES = path.resolve(import.meta.dirname, '../../traces');
const FOLDERS: Record<string, string> = {
  solaris: 'truss-solaris',
  aix: 'truss-aix',
  freebsd: 'truss-freebsd',
  macos: 'dtruss',
  kdump: 'kdump',
  linux: 'strace',
  'dtrace-freebsd': 'dtrace-freebsd',
  'dtrace-macos': 'dtrace-macos',
};
const EXT = /\.(truss|dtruss|kdump|strace|dtrace)$/;

function fixtures(): { name: string; file: string; want: string }[] {
  const out: { name: string; file: string; want: string }[] = [];
  for (const [folder, want] of Object.entries(FOLDERS)) {
    const dir = path.join(TRACES, folder);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
      if (EXT.test(f)) out.push({ name: `${folder}/${f}`, file: path.join(dir, f), want });
    }
  }
  return out;
}

describe('the project fixtures are detected as their folder', () => {
  test.each(fixtures())('$name', ({ file, want }) => {
    expect(detectDialect(headLines(fs.readFileSync(file), 100))?.dialect.name).toBe(want);
  });
});

describe('short excerpts', () => {
  test.each([
    [
      'strace -f',
      '1234 execve("/bin/true", ["true"], 0x7ffd0 /* 5 vars */) = 0\n1234 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3\n1234 +++ exited with 0 +++',
      'strace',
    ],
    ['strace failure', 'openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)', 'strace'],
    ['solaris', 'execve("/usr/bin/ls", 0x08047558, 0x08047568)  argc = 3\nopen("/var/ld/ld.config", O_RDONLY)\t\tErr#2 ENOENT', 'truss-solaris'],
    ['solaris -f', '2430:\topen("/lib/libc.so.1", O_RDONLY)\t\t= 3', 'truss-solaris'],
    ['aix', 'execve("./hello.bin", 0x2FF22B84, 0x20016D28)    argc: 1\nkopen("/etc/x", O_RDONLY) Err#2  ENOENT', 'truss-aix'],
    ['aix empty result', 'thread_init(0x09000000006A28E0, 0x09001000A01EBF98) =', 'truss-aix'],
    ['freebsd no -f', 'open("/etc/x",O_RDONLY,0666) = 3 (0x3)\naccess("/lib/y",0) ERR#2 \'No such file or directory\'', 'truss-freebsd'],
    ['dtruss header only', 'SYSCALL(args) \t\t = return', 'dtruss'],
    ['dtruss lines', 'open("/x\\0", 0x0, 0x0)\t\t = 3 0\nclose(0x3)\t\t = 0 0', 'dtruss'],
    ['kdump', ' 85045 echo     CALL  writev(0x1,0x804b030,0x2)\n 85045 echo     RET   writev 7', 'kdump'],
  ])('%s', (_n, text, want) => {
    expect(detectDialect(text.split('\n'))?.dialect.name).toBe(want);
  });

  test('unrelated text is not a trace', () => {
    expect(detectDialect(['hello world', '# a heading', ''])).toBeUndefined();
  });
});

describe('the dialect list', () => {
  test('has every dialect once', () => {
    expect(DIALECTS.map((d) => d.name).sort()).toEqual([
      'dtrace-freebsd',
      'dtrace-macos',
      'dtruss',
      'kdump',
      'strace',
      'truss-aix',
      'truss-freebsd',
      'truss-solaris',
    ]);
  });
  test.each(DIALECTS.map((d) => d.name))('dialectByName(%s)', (name) => {
    expect(dialectByName(name)?.name).toBe(name);
  });
  test('unknown name', () => expect(dialectByName('ltrace')).toBeUndefined());
});
