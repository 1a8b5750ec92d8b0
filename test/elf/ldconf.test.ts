import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { globUnder, parseLdSoConf, readLdSoConf } from '../../src/elf/ldconf.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const put = (root: string, file: string, text: string) => {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
};

describe('parseLdSoConf', () => {
  test('dirs, includes, comments, hwcap, legacy =TYPE, relative dirs', () => {
    const text = [
      '# comment',
      'include /etc/ld.so.conf.d/*.conf  other.conf',
      '/usr/local/lib/   # trailing comment',
      '   ',
      'hwcap 0 nosegneg',
      '/opt/old/lib=libc5',
      'relative/lib',
      '/',
    ].join('\n');
    expect(parseLdSoConf(text)).toEqual([
      { kind: 'include', pattern: '/etc/ld.so.conf.d/*.conf' },
      { kind: 'include', pattern: 'other.conf' },
      { kind: 'dir', dir: '/usr/local/lib' },
      { kind: 'dir', dir: '/opt/old/lib' },
      { kind: 'dir', dir: '/' },
    ]);
  });
});

describe('readLdSoConf under an injected root', () => {
  test('Debian-like tree: includes in glob order, relative include, loops, missing files', async () => {
    const root = join(tmp, 'debian');
    put(root, '/etc/ld.so.conf', 'include /etc/ld.so.conf.d/*.conf\ninclude extra/*.conf\n/usr/local/lib\n');
    put(
      root,
      '/etc/ld.so.conf.d/x86_64-linux-gnu.conf',
      '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n',
    );
    put(root, '/etc/ld.so.conf.d/libc.conf', '# libc default configuration\n/usr/local/lib\n');
    put(root, '/etc/ld.so.conf.d/.hidden.conf', '/hidden\n');
    put(root, '/etc/ld.so.conf.d/notes.txt', '/not-a-conf\n');
    put(root, '/etc/ld.so.conf.d/zz-loop.conf', 'include /etc/ld.so.conf\n/opt/zz\n');
    put(root, '/etc/extra/a.conf', '/opt/a\ninclude /etc/does-not-exist/*.conf\ninclude /etc/missing.conf\n');
    expect(await readLdSoConf(root)).toEqual([
      '/usr/local/lib',
      '/usr/local/lib/x86_64-linux-gnu',
      '/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu',
      '/opt/zz',
      '/opt/a',
    ]);
  });
  test('no ld.so.conf at all', async () => {
    expect(await readLdSoConf(join(tmp, 'empty-root'))).toEqual([]);
  });
  test('globs in middle segments and [!...] classes', async () => {
    const root = join(tmp, 'globs');
    for (const d of ['a1', 'a2', 'b1']) put(root, `/etc/${d}/x.conf`, '');
    put(root, '/etc/a2/y.conf', '');
    expect(await globUnder(root, '/etc/a*/*.conf')).toEqual(['/etc/a1/x.conf', '/etc/a2/x.conf', '/etc/a2/y.conf']);
    expect(await globUnder(root, '/etc/[!a]?/x.conf')).toEqual(['/etc/b1/x.conf']);
  });
  test("this host's /etc/ld.so.conf contains the multiarch dirs", async () => {
    expect(await readLdSoConf('/')).toEqual(expect.arrayContaining(['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu']));
  });
});
