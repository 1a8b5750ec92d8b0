import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ElfError } from '../../src/elf/errors.js';
import { envCommand, parseShebang, readShebang, resolveOnPath } from '../../src/elf/shebang.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseShebang (Linux binfmt_script rules)', () => {
  test.each([
    ['#!/bin/sh\necho', { interpreter: '/bin/sh' }],
    ['#! /bin/sh\n', { interpreter: '/bin/sh' }],
    ['#!\t /bin/bash  \t\n', { interpreter: '/bin/bash' }],
    ['#!/usr/bin/env python3\n', { interpreter: '/usr/bin/env', arg: 'python3' }],
    ['#!/usr/bin/env -S perl -w -T\n', { interpreter: '/usr/bin/env', arg: '-S perl -w -T' }],
    ['#!/usr/bin/awk -f  \nBEGIN{}', { interpreter: '/usr/bin/awk', arg: '-f' }],
    ['#!/bin/sh', { interpreter: '/bin/sh' }],
    ['#!/bin/sh\r\n', { interpreter: '/bin/sh\r' }], // the kernel keeps the CR, and so fails
    ['#!relative/interp arg\n', { interpreter: 'relative/interp', arg: 'arg' }],
  ])('%j', (text, expected) => {
    expect(parseShebang(Buffer.from(text))).toEqual(expected);
  });

  test.each([
    ['no #!', 'echo hi\n'],
    ['only #!', '#!\n'],
    ['only spaces', '#!    \n'],
    ['ELF', '\x7fELF'],
    ['#! then NUL', '#!\0/bin/sh\n'],
    ['empty', ''],
  ])('%s → undefined', (_n, text) => {
    expect(parseShebang(Buffer.from(text, 'latin1'))).toBeUndefined();
  });

  test('a line longer than 256 bytes keeps the interpreter and cuts the argument', () => {
    const long = '#!/bin/sh ' + 'x'.repeat(400) + '\n';
    expect(parseShebang(Buffer.from(long))).toEqual({ interpreter: '/bin/sh', arg: 'x'.repeat(255 - 10) });
  });
  test('an interpreter path cut by the 256-byte limit is refused (ENOEXEC)', () => {
    expect(parseShebang(Buffer.from('#!/' + 'd'.repeat(400) + '\n'))).toBeUndefined();
  });
});

describe('envCommand', () => {
  test.each([
    ['python3', 'python3'],
    ['-S perl -w', 'perl'],
    ['-Sperl -w', 'perl'],
    ['-i PATH=/x LANG=C node --flag', 'node'],
    ['-u HOME bash', 'bash'],
    [undefined, undefined],
    ['-i', undefined],
  ])('%j → %j', (arg, expected) => {
    expect(envCommand(arg)).toBe(expected);
  });
});

describe('readShebang and resolveOnPath on real files', () => {
  test('a script written to a temp dir', async () => {
    const p = join(tmp, 'script.sh');
    writeFileSync(p, '#!/usr/bin/env python3\nprint(1)\n');
    expect(await readShebang(p)).toEqual({ interpreter: '/usr/bin/env', arg: 'python3' });
  });
  test('an ELF file has no shebang', async () => {
    expect(await readShebang('/bin/ls')).toBeUndefined();
  });
  test('a missing file is an ElfError with the path', async () => {
    await expect(readShebang(join(tmp, 'missing'))).rejects.toMatchObject({ name: 'ElfError', path: join(tmp, 'missing') });
    await expect(readShebang(join(tmp, 'missing'))).rejects.toBeInstanceOf(ElfError);
  });

  test('resolveOnPath follows PATH order and skips non-executables and directories', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((d) => join(tmp, 'path', d));
    [a, b, c].forEach((d) => mkdirSync(d, { recursive: true }));
    writeFileSync(join(a, 'tool'), '#!/bin/sh\n'); // not executable
    mkdirSync(join(b, 'tool')); // a directory
    writeFileSync(join(c, 'tool'), '#!/bin/sh\n');
    chmodSync(join(c, 'tool'), 0o755);
    expect(await resolveOnPath('tool', [a, b, c].join(':'))).toBe(join(c, 'tool'));
    expect(await resolveOnPath('tool', [a, b].join(':'))).toBeUndefined();
  });
  test('resolveOnPath finds python3 the way the shell does', async () => {
    const PATH = '/usr/local/bin:/usr/bin:/bin';
    const { execFileSync } = await import('node:child_process');
    const expected = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8', env: { PATH } }).trim();
    expect(await resolveOnPath('python3', PATH)).toBe(expected);
  });
  test('names with a slash are not searched; empty/relative PATH entries need a cwd', async () => {
    expect(await resolveOnPath('/bin/sh', '')).toBe('/bin/sh');
    expect(await resolveOnPath('sh', ':bin')).toBeUndefined();
    expect(await resolveOnPath('sh', 'bin', '/')).toBe('/bin/sh');
    expect(await resolveOnPath('./sh', '/usr/bin', '/bin')).toBe('/bin/sh');
  });
});
