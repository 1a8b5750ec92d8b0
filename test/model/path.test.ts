import { describe, expect, test } from 'vitest';
import { dirname, insideRoot, join, normalize, underRoot } from '../../src/model/path.js';

describe('lexical paths', () => {
  test.each([
    ['/a//b/./c', '/a/b/c'],
    ['/a/b/../c', '/a/c'],
    ['/../..', '/'],
    ['/a/', '/a'],
    ['a/../../b', '../b'],
    ['./x', 'x'],
    ['/', '/'],
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
  ])('normalize(%j) = %j', (p, want) => expect(normalize(p)).toBe(want));

  test.each([
    ['/tmp', 'x', '/tmp/x'],
    ['/', 'etc/passwd', '/etc/passwd'],
    ['/tmp/w', '../etc', '/tmp/etc'],
    ['/tmp', '/abs', '/abs'],
  ])('join(%j, %j)', (b, p, want) => expect(join(b, p)).toBe(want));

  test('roots', () => {
    expect(underRoot('/srv/jail', '/etc/passwd')).toBe('/srv/jail/etc/passwd');
    expect(underRoot('/', '/etc/passwd')).toBe('/etc/passwd');
    expect(insideRoot('/srv/jail', '/srv/jail/etc/passwd')).toBe('/etc/passwd');
    expect(insideRoot('/srv/jail', '/srv/jail')).toBe('/');
    expect(insideRoot('/srv/jail', '/srv/jailx/etc')).toBeUndefined();
    expect(dirname('/a/b')).toBe('/a');
    expect(dirname('/a')).toBe('/');
  });

  test('bytes survive: latin1 byte strings are exact', () => {
    const p = Buffer.from([0x2f, 0xc3, 0xa9, 0xff, 0x0a]).toString('latin1');
    expect(Buffer.from(normalize(p + '/./x'), 'latin1')).toEqual(Buffer.from([0x2f, 0xc3, 0xa9, 0xff, 0x0a, 0x2f, 0x78]));
  });
});
