import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ByteReader, ScpClient, ScpProtocolError, type ScpEntry } from '../../src/profiles/scp-protocol.js';
import { payload } from '../../src/profiles/workspace.js';

const SCP = ['/usr/bin/scp', '/bin/scp'].find((p) => existsSync(p));

describe('ByteReader (pure)', () => {
  const text = Buffer.from('C0644 3 a\nxyz\0');
  test.each([
    ['one chunk', [text]],
    ['byte by byte', [...text].map((b) => Buffer.from([b]))],
  ])('lines and bytes: %s', async (_name, chunks) => {
    const s = new PassThrough();
    const r = new ByteReader(s);
    for (const c of chunks) s.write(c);
    s.end();
    expect(await r.byte()).toBe(0x43);
    expect(await r.line()).toBe('0644 3 a');
    expect((await r.exactly(3)).toString()).toBe('xyz');
    expect(await r.byte()).toBe(0);
    expect(await r.byte()).toBeUndefined();
  });
  test('EOF in the middle of data is a ScpProtocolError', async () => {
    const s = new PassThrough();
    const r = new ByteReader(s);
    s.end('ab');
    await expect(r.exactly(5)).rejects.toBeInstanceOf(ScpProtocolError);
  });
});

describe('ScpClient against a scripted peer (pure)', () => {
  test('source mode: a file announced larger than expected is refused before its data is read (issue 20 review)', async () => {
    const toPeer = new PassThrough();
    const fromPeer = new PassThrough();
    const c = new ScpClient(toPeer, fromPeer);
    // a 100 GiB file: its data is never sent; reading it would hang, holding it would exhaust memory
    fromPeer.write('C0644 107374182400 download.bin\n');
    await expect(c.receive(64 * 1024)).rejects.toThrow(/announced 107374182400 bytes, more than the 65536 expected/);
  });

  test('sink mode: exact bytes on the wire', async () => {
    const toPeer = new PassThrough();
    const fromPeer = new PassThrough();
    const sent: Buffer[] = [];
    toPeer.on('data', (c: Buffer) => sent.push(c));
    const c = new ScpClient(toPeer, fromPeer);
    fromPeer.write(Buffer.from([0, 0, 0]));
    await c.send([{ kind: 'file', name: 'n', data: Buffer.from('a\0\n') }]);
    expect(Buffer.concat(sent).toString('latin1')).toBe('C0644 3 n\na\0\n\0');
  });
  test('a \\2 reply becomes the error message', async () => {
    const fromPeer = new PassThrough();
    const c = new ScpClient(new PassThrough(), fromPeer);
    fromPeer.end(Buffer.from('\x02scp: /x: Permission denied\n'));
    await expect(c.send([])).rejects.toThrow(/waiting for the sink: \/x: Permission denied/);
  });
});

const reason = SCP ? undefined : 'skipped: scp (openssh-client) is not installed';
describe.skipIf(reason !== undefined)(`ScpClient against the real scp ${reason ? `[${reason}]` : ''}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-scp-proto-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const binary = Buffer.concat([Buffer.from('\0\n\0C0644 1 x\n\x01\x02\xff'), payload(100_000, 7)]);

  test('scp -t: a binary file (NUL, \\n, every byte) arrives intact, with its mode', async () => {
    const dst = path.join(dir, 'sink');
    await mkdir(dst);
    const child = execa(SCP!, ['-t', dst], { stdin: 'pipe', buffer: { stdout: false }, reject: false });
    const c = new ScpClient(child.stdin!, child.stdout!);
    await c.send([{ kind: 'file', name: 'bin.dat', mode: 0o640, data: binary }]);
    c.end();
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect((await readFile(path.join(dst, 'bin.dat'))).equals(binary)).toBe(true);
    expect((await stat(path.join(dst, 'bin.dat'))).mode & 0o777).toBe(0o640);
  });

  test('scp -r -t: a directory tree', async () => {
    const dst = path.join(dir, 'sink-r');
    await mkdir(dst);
    const child = execa(SCP!, ['-r', '-t', dst], { stdin: 'pipe', buffer: { stdout: false }, reject: false });
    const c = new ScpClient(child.stdin!, child.stdout!);
    const t: ScpEntry = {
      kind: 'dir',
      name: 'd',
      entries: [
        { kind: 'file', name: 'f', data: Buffer.from('x\n') },
        { kind: 'dir', name: 'e', entries: [] },
      ],
    };
    await c.send([t]);
    c.end();
    expect((await child).exitCode).toBe(0);
    expect(await readFile(path.join(dst, 'd', 'f'), 'utf8')).toBe('x\n');
    expect((await stat(path.join(dst, 'd', 'e'))).isDirectory()).toBe(true);
  });

  test('scp -f: the download equals the file', async () => {
    const src = path.join(dir, 'src.dat');
    await writeFile(src, binary);
    const child = execa(SCP!, ['-f', src], { stdin: 'pipe', buffer: { stdout: false }, reject: false });
    const c = new ScpClient(child.stdin!, child.stdout!);
    const got = await c.receive();
    c.end();
    expect((await child).exitCode).toBe(0);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'file', name: 'src.dat', mode: 0o644 });
    expect((got[0] as { data: Buffer }).data.equals(binary)).toBe(true);
  });

  test("scp -f of a missing file: the source's error message", async () => {
    const child = execa(SCP!, ['-f', path.join(dir, 'nope')], { stdin: 'pipe', buffer: { stdout: false }, reject: false });
    const c = new ScpClient(child.stdin!, child.stdout!);
    await expect(c.receive()).rejects.toThrow(/nope: No such file or directory/);
    c.end();
    await child;
  });

  test('scp -t into a missing dir: the sink refuses with its message', async () => {
    const child = execa(SCP!, ['-t', path.join(dir, 'no-dir', 'x')], { stdin: 'pipe', buffer: { stdout: false }, reject: false });
    const c = new ScpClient(child.stdin!, child.stdout!);
    await expect(c.send([{ kind: 'file', name: 'a', data: Buffer.from('1') }])).rejects.toBeInstanceOf(ScpProtocolError);
    c.end();
    await child;
  });
});
