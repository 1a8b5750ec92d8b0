/**
 * A client for the legacy scp protocol (rcp's), the one `scp -t` (sink) and `scp -f` (source) speak on stdin/stdout.
 *   sink:   it sends \0 when ready; we send `C0644 SIZE NAME\n`, it acks; we send SIZE bytes + \0, it acks.
 *           Directories: `D0755 0 NAME\n` … entries … `E\n`, each acked.
 *   source: we send \0; it sends `C…\n`, we ack; it sends SIZE bytes + a status byte, we ack; repeat until EOF.
 * An ack is \0; \1 (warning) or \2 (fatal) is followed by a message line. Works over any child's stdin/stdout.
 */
import type { Readable, Writable } from 'node:stream';
import { EXIT, JailtraceError } from '../errors.js';

export interface ScpFile {
  kind: 'file';
  name: string;
  mode?: number;
  data: Buffer;
}
export interface ScpDir {
  kind: 'dir';
  name: string;
  mode?: number;
  entries: ScpEntry[];
}
export type ScpEntry = ScpFile | ScpDir;

/** The other end said no, or the stream broke: the workload failed (the traced program's failure). */
export class ScpProtocolError extends JailtraceError {
  constructor(why: string) {
    super('scp protocol', why, undefined, EXIT.PROGRAM);
  }
}

/** Pull bytes from a stream on demand. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: Readable) {
    stream.on('data', (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
      this.chunks.push(b);
      this.size += b.length;
      this.notify();
    });
    stream.on('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.on('error', (e) => {
      this.error = e;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.size < n) {
      if (this.error) throw new ScpProtocolError(`read failed: ${this.error.message}`);
      if (this.ended) return false;
      await new Promise<void>((r) => (this.wake = r));
    }
    return true;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return Buffer.from(out);
  }

  /** One byte, or undefined at a clean EOF. */
  async byte(): Promise<number | undefined> {
    return (await this.fill(1)) ? this.take(1)[0] : undefined;
  }

  async exactly(n: number): Promise<Buffer> {
    if (!(await this.fill(n))) throw new ScpProtocolError(`unexpected end of stream: wanted ${n} bytes, got ${this.size}`);
    return this.take(n);
  }

  /** Up to and without the \n. */
  async line(max = 64 * 1024): Promise<string> {
    for (;;) {
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = all.length ? [all] : [];
      const nl = all.indexOf(10);
      if (nl >= 0)
        return this.take(nl + 1)
          .subarray(0, nl)
          .toString('latin1');
      if (all.length > max) throw new ScpProtocolError('protocol line too long');
      if (!(await this.fill(this.size + 1)))
        throw new ScpProtocolError(`unexpected end of stream in a protocol line: ${JSON.stringify(all.toString('latin1'))}`);
    }
  }
}

const HEADER = /^([CD])([0-7]{4}) (\d+) (.+)$/;

export class ScpClient {
  private readonly in: ByteReader;
  private writeError: Error | undefined;

  constructor(
    private readonly stdin: Writable,
    stdout: Readable,
  ) {
    this.in = new ByteReader(stdout);
    // EPIPE when the other side died: reported by the next read, not as an unhandled error
    stdin.on('error', (e) => (this.writeError = e));
  }

  private write(b: Buffer | string): Promise<void> {
    if (this.writeError) return Promise.reject(new ScpProtocolError(`write failed: ${this.writeError.message}`));
    return new Promise((resolve, reject) => {
      this.stdin.write(b, (e) => (e ? reject(new ScpProtocolError(`write failed: ${e.message}`)) : resolve()));
    });
  }

  /** Read the peer's \0, or throw its \1/\2 message. */
  private async ack(what: string): Promise<void> {
    const b = await this.in.byte();
    if (b === 0) return;
    if (b === 1 || b === 2) throw new ScpProtocolError(`${what}: ${(await this.in.line()).replace(/^scp: /, '')}`);
    throw new ScpProtocolError(b === undefined ? `${what}: the other end closed the stream` : `${what}: unexpected reply byte 0x${b.toString(16)}`);
  }

  /** Sink mode (`scp -t DIR`, `scp -r -t DIR`): send files and directories. */
  async send(entries: ScpEntry[]): Promise<void> {
    await this.ack('waiting for the sink');
    for (const e of entries) await this.sendEntry(e);
  }

  private async sendEntry(e: ScpEntry): Promise<void> {
    if (e.name.includes('/') || e.name.includes('\n') || e.name === '' || e.name === '.' || e.name === '..') {
      throw new ScpProtocolError(`bad name for the scp protocol: ${JSON.stringify(e.name)}`);
    }
    const mode = (e.mode ?? (e.kind === 'dir' ? 0o755 : 0o644)).toString(8).padStart(4, '0');
    if (e.kind === 'file') {
      await this.write(`C${mode} ${e.data.length} ${e.name}\n`);
      await this.ack(`header of ${e.name}`);
      await this.write(e.data);
      await this.write(Buffer.from([0]));
      await this.ack(`data of ${e.name}`);
    } else {
      await this.write(`D${mode} 0 ${e.name}\n`);
      await this.ack(`directory ${e.name}`);
      for (const c of e.entries) await this.sendEntry(c);
      await this.write('E\n');
      await this.ack(`end of directory ${e.name}`);
    }
  }

  /**
   * Source mode (`scp -f PATH`, `scp -r -f DIR`): receive everything until the source closes. A file announced larger
   * than `maxFileBytes` is refused before its data is read: the source runs as a user who may have grown the file.
   */
  async receive(maxFileBytes = Number.MAX_SAFE_INTEGER): Promise<ScpEntry[]> {
    const root: ScpEntry[] = [];
    const stack: ScpEntry[][] = [root];
    await this.write(Buffer.from([0]));
    for (;;) {
      const b = await this.in.byte();
      if (b === undefined) break;
      const c = String.fromCharCode(b);
      if (b === 1 || b === 2) throw new ScpProtocolError((await this.in.line()).replace(/^scp: /, ''));
      const line = await this.in.line();
      if (c === 'T') {
        await this.write(Buffer.from([0]));
        continue;
      }
      if (c === 'E') {
        if (stack.length === 1) throw new ScpProtocolError('E without a directory');
        stack.pop();
        await this.write(Buffer.from([0]));
        continue;
      }
      const m = HEADER.exec(c + line);
      if (!m) throw new ScpProtocolError(`unexpected record ${JSON.stringify(c + line)}`);
      const [, type, modeText, sizeText, name] = m;
      const mode = parseInt(modeText, 8);
      const top = stack[stack.length - 1];
      await this.write(Buffer.from([0]));
      if (type === 'D') {
        const dir: ScpDir = { kind: 'dir', name, mode, entries: [] };
        top.push(dir);
        stack.push(dir.entries);
        continue;
      }
      if (Number(sizeText) > maxFileBytes)
        throw new ScpProtocolError(`${name}: the source announced ${sizeText} bytes, more than the ${maxFileBytes} expected: not reading it`);
      const data = await this.in.exactly(Number(sizeText));
      const status = await this.in.byte();
      if (status !== 0)
        throw new ScpProtocolError(
          `source reported an error after the data of ${name}${status === undefined ? ' (EOF)' : `: ${await this.in.line().catch(() => '')}`}`,
        );
      top.push({ kind: 'file', name, mode, data });
      await this.write(Buffer.from([0]));
    }
    if (stack.length !== 1) throw new ScpProtocolError('stream ended inside a directory');
    return root;
  }

  /** Close our side (the peer exits on EOF). */
  end(): void {
    this.stdin.end();
  }
}
