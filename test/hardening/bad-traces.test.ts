/**
 * Issue 7, part 4: bad traces through the CLI. A 64 MiB trace of 10 MB lines parsed under a 128 MiB heap; NUL bytes,
 * invalid UTF-8, CRLF, a 10 MB line and a truncated last line give warnings with their line numbers; a hostile trace
 * (`..`, newlines, /proc/self/root, symlinks to secrets, chroot tricks) never copies a secret and never writes
 * outside the jail.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, jt, makeOutside, outsideState, snapshot, tempDir } from './helpers.js';

let base: string;
beforeAll(async () => {
  base = await tempDir('hardening-bad-traces');
});
afterAll(async () => {
  if (base) await fs.rm(base, { recursive: true, force: true });
});

interface ParsedJson {
  entries: Array<{ path: string; pathHex?: string; accesses: Array<{ line: number }> }>;
  warnings: Array<{ line: number; message: string }>;
}

const GOOD = '100 openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3';

describe('memory bound and bad bytes', () => {
  test('a 64 MiB trace of 10 MB lines, parsed with --max-old-space-size=128: no crash, warnings by line', { timeout: 60_000 }, async () => {
    const file = path.join(base, 'big.strace');
    const fh = await fs.open(file, 'w');
    const name = 'a'.repeat(10 * 1024 * 1024);
    const valid = Buffer.from(`100 openat(AT_FDCWD, "/tmp/${name}", O_RDONLY) = -1 ENAMETOOLONG (File name too long)\n`);
    const junk = Buffer.from(`100 ${'x'.repeat(10 * 1024 * 1024)}\n`);
    let size = (await fh.write('100 execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0\n')).bytesWritten;
    for (let i = 0; size < 64 * 1024 * 1024; i++) size += (await fh.write(i % 2 === 0 ? valid : junk)).bytesWritten;
    await fh.close();

    const r = await jt(['parse', '--json', file], { env: { NODE_OPTIONS: '--max-old-space-size=128' }, maxBuffer: 64 * 1024 * 1024 });
    // documented: exit 2 when some lines could not be read, after printing everything else
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/3 warnings: some lines could not be read; everything else was parsed/);
    const m = JSON.parse(r.stdout) as ParsedJson;
    expect(m.warnings.map((w) => w.line)).toEqual([3, 5, 7]);
    for (const w of m.warnings) expect(w.message.length).toBeLessThan(400); // a preview, not the 10 MB line
    expect(m.entries.some((e) => e.path.length > 10_000_000)).toBe(true); // the long name is kept whole
  });

  test('NUL bytes, invalid UTF-8, CRLF, a 10 MB line, a truncated last line: warnings with line numbers', async () => {
    const file = path.join(base, 'bad.strace');
    const pad = Array.from({ length: 100 }, () => GOOD).join('\n') + '\n'; // past the 4 KiB binary sniff
    const parts = [
      Buffer.from(pad),
      Buffer.from('100 openat(AT_FDCWD, "/etc/ho\0stname", O_RDONLY) = 3\n'), // 101: NUL inside a path
      Buffer.from('100 \xff\xfe garbage\n', 'latin1'), // 102: invalid UTF-8, not a line
      Buffer.from('100 openat(AT_FDCWD, "/etc/\xff\xfe", O_RDONLY) = -1 ENOENT (No such file or directory)\n', 'latin1'), // 103
      Buffer.from('100 openat(AT_FDCWD, "/etc/crlf", O_RDONLY) = 3\r\n'), // 104: CRLF
      Buffer.from(`100 ${'y'.repeat(10 * 1024 * 1024)}\n`), // 105: 10 MB
      Buffer.from('100 openat(AT_FDCWD, "/etc/passwd", O_RDO'), // 106: cut
    ];
    await fs.writeFile(file, Buffer.concat(parts));
    const r = await jt(['parse', '--json', file], { maxBuffer: 64 * 1024 * 1024 });
    expect(r.code).toBe(2);
    const m = JSON.parse(r.stdout) as ParsedJson;
    const at = (line: number) => m.warnings.filter((w) => w.line === line).map((w) => w.message);
    expect(at(101)).toEqual(expect.arrayContaining(['NUL byte in line', expect.stringMatching(/NUL byte .*path ignored/)]));
    expect(at(102)).toEqual([expect.stringMatching(/^not a strace line: /)]);
    expect(at(105)).toEqual([expect.stringMatching(/^not a strace line: "y+/)]);
    expect(at(106)).toEqual(expect.arrayContaining(['last line has no newline: the trace may be truncated']));
    // a NUL-holding path is dropped, never kept; invalid UTF-8 in a name is kept byte for byte; CRLF parses as LF
    expect(m.entries.map((e) => e.path)).not.toContain('/etc/ho\0stname');
    expect(m.entries.find((e) => e.pathHex === Buffer.from('/etc/\xff\xfe', 'latin1').toString('hex'))?.accesses[0].line).toBe(103);
    expect(m.entries.find((e) => e.path === '/etc/crlf')?.accesses[0].line).toBe(104);
    expect(at(103)).toEqual([]);
    expect(at(104)).toEqual([]);
  });

  test('build with such a trace: no crash, the non-UTF-8 name left out with a warning', { timeout: 30_000 }, async () => {
    const file = path.join(base, 'nul.strace');
    const pad = Array.from({ length: 100 }, () => GOOD).join('\n') + '\n';
    await fs.writeFile(
      file,
      Buffer.concat([
        Buffer.from(pad),
        Buffer.from('100 openat(AT_FDCWD, "/etc/ho\0stname", O_RDONLY) = 3\n'),
        Buffer.from('100 openat(AT_FDCWD, "/etc/\xff\xfe", O_RDONLY) = 3\n', 'latin1'),
      ]),
    );
    const r = await jt(['build', path.join(base, 'nul-jail'), '--trace', file, '--dry-run']);
    expect(r.code, r.all).toBe(0);
    expect(r.all).toContain('warning: /etc/\\xff\\xfe: not valid UTF-8, left out of the jail');
  });
});

describe.skipIf(!isRoot)('a hostile trace never copies a secret nor writes outside the jail (needs root)', () => {
  test('`..`, newlines, /proc/self/root, symlinks to secrets, chroot tricks', { timeout: 30_000 }, async () => {
    const dir = path.join(base, 'hostile');
    const outside = path.join(dir, 'outside');
    await makeOutside(outside);
    await fs.mkdir(path.join(dir, 'd/e'), { recursive: true });
    await fs.symlink('/etc/shadow', path.join(dir, 'link'));
    await fs.symlink('/etc', path.join(dir, 'etclink'));
    await fs.symlink('../outside/target', path.join(dir, 'd/out'));
    const rootSecret = `/root/.jt-hardening-${process.pid}/secret`;
    await fs.mkdir(path.dirname(rootSecret), { recursive: true });
    await fs.writeFile(rootSecret, `root secret ${process.pid}\n`, { mode: 0o600 });

    const trace = [
      '100 execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0',
      ...[
        '/etc/shadow',
        '/etc/../etc/shadow',
        '/proc/self/root/etc/shadow',
        '/proc/100/root/etc/gshadow',
        '/etc/gshadow',
        '/etc/ssh/ssh_host_ed25519_key',
        '/etc/ssh/ssh_host_rsa_key',
        '/etc/sudoers',
        rootSecret,
        `${dir}/link`,
        `${dir}/etclink/shadow`,
        `${dir}/etclink/gshadow`,
        `${dir}/d/e/../../../../../../etc/shadow`,
        '/etc/shadow\\n/etc/passwd',
        '../../../../../../etc/shadow',
      ].map((p) => `100 openat(AT_FDCWD, "${p}", O_RDONLY) = 3`),
      `100 chdir("${dir}/d/e") = 0`,
      '100 openat(AT_FDCWD, "../../../../../../../etc/gshadow", O_RDONLY) = 3',
      '100 openat(AT_FDCWD, "../out", O_RDONLY) = 3',
      '100 chroot("/") = 0',
      '100 openat(AT_FDCWD, "../../etc/shadow", O_RDONLY) = 3',
      `100 chroot("${dir}") = 0`,
      '100 openat(AT_FDCWD, "/../../etc/shadow", O_RDONLY) = 3',
      '100 openat(AT_FDCWD, "/link", O_RDONLY) = 3',
      '100 openat(AT_FDCWD, "/etclink/shadow", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3',
      '100 exit_group(0) = ?',
      '100 +++ exited with 0 +++',
      '',
    ].join('\n');
    const file = path.join(dir, 'hostile.strace');
    await fs.writeFile(file, trace);

    const secrets = [
      '/etc/shadow',
      '/etc/gshadow',
      '/etc/sudoers',
      rootSecret,
      ...(await fs.readdir('/etc/ssh')).filter((n) => n.endsWith('_key')).map((n) => `/etc/ssh/${n}`),
    ];
    const secretHashes = new Set<string>();
    for (const s of secrets) {
      const b = await fs.readFile(s).catch(() => undefined);
      if (b) secretHashes.add(createHash('sha256').update(b).digest('hex'));
    }
    expect(secretHashes.size).toBeGreaterThanOrEqual(3);

    const jail = path.join(dir, 'jail');
    const before = await outsideState(outside);
    const rootBefore = await snapshot(path.dirname(rootSecret));
    const r = await jt(['build', jail, '--trace', file, '--cwd', `${dir}/d`]);
    try {
      expect([0, 3], r.all).toContain(r.code);
      for (const s of ['/etc/shadow', '/etc/gshadow', '/etc/ssh/ssh_host_ed25519_key', '/etc/sudoers', rootSecret]) {
        expect(r.stdout, s).toContain(`not copied: ${s}: secret`);
      }
      expect(await outsideState(outside)).toEqual(before);
      expect(await snapshot(path.dirname(rootSecret))).toEqual(rootBefore);
      const inJail = await snapshot(jail);
      for (const e of inJail) {
        if (e.type === 'f') expect(secretHashes.has(e.sha256!), `${e.path} holds a secret`).toBe(false);
        expect(e.path.startsWith('root/') || e.path === 'root', `${e.path} under /root`).toBe(false);
        expect(path.basename(e.path)).not.toMatch(/^(g?shadow|sudoers)$|_key$/);
      }
      // nothing was written in the traced directory tree on the host either (the trace's own places)
      expect((await fs.readdir(dir)).sort()).toEqual(['d', 'etclink', 'hostile.strace', 'jail', 'link', 'outside']);
    } finally {
      await fs.rm(path.dirname(rootSecret), { recursive: true, force: true });
    }
  });
});
