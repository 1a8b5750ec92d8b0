/**
 * The live trace channel: strace writes `-o` into a FIFO in a private temp dir, we read it while the program runs,
 * append every chunk to the raw trace file and hand it to `onData`.
 *
 * Opening a FIFO's read end blocks until a writer opens it. `fs.createReadStream` does that open in the libuv
 * threadpool, so the event loop keeps running; if no writer ever comes (strace rejected its options, the program that
 * should spawn it failed), `close()` or the open timeout unblocks the pending open by opening the write end ourselves
 * (O_WRONLY|O_NONBLOCK succeeds because the blocked reader already counts as a reader) and closing it at once: the
 * reader sees EOF, and `done` rejects with "no tracer opened the FIFO".
 */
import { constants, createReadStream, rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFile } from './run-file.js';
import { TracerError, UsageError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { openOutputFile, OutputFileError } from '../output-file.js';

export interface TraceFifoOptions {
  /** Raw trace file: every byte read from the FIFO is appended here (created or truncated). */
  output: string;
  onData?: (chunk: Buffer) => void;
  /** How long to wait for a writer before giving up (default 30 s). */
  openTimeoutMs?: number;
  /** Parent of the private temp dir (default os.tmpdir()). */
  tmpDir?: string;
}

export interface TraceFifo {
  fifo: string;
  /** Resolves with the byte count when the writer closes; rejects when no writer came or onData/output failed. */
  done: Promise<number>;
  /** Stop waiting (unblocks a reader with no writer), wait for the reader to finish, remove the temp dir. Idempotent. */
  close(): Promise<void>;
}

export async function openTraceFifo(opts: TraceFifoOptions): Promise<TraceFifo> {
  // the raw trace's file first: it may sit in a directory others can write (src/output-file.ts)
  const outFile = await openOutputFile(opts.output).catch((e: unknown) => {
    if (e instanceof OutputFileError)
      throw new UsageError(`cannot save the trace: ${e.message}`, 'give --output-dir a directory only you can write (not /tmp), or remove the file');
    throw e;
  });
  const dir = await mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'jailtrace-fifo-'));
  // root's own private dir: an interrupted run removes it too
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = path.join(dir, 'trace.fifo');
  try {
    const made = await runFile('mkfifo', ['-m', '0600', fifo]);
    if (made.exitCode !== 0) throw made.error ?? new Error(made.stderr || `mkfifo exited ${made.exitCode ?? made.signal}`);
  } catch (e) {
    await outFile.close();
    await rm(dir, { recursive: true, force: true });
    forget();
    throw new TracerError(`cannot create a FIFO in ${dir}`, 'is mkfifo (coreutils) installed and the temp dir writable?', { cause: e });
  }

  let opened = false;
  let unblocked = false;
  let bytes = 0;
  let dataError: unknown;
  /** The read stream's open() has returned (or it failed/closed): nothing left to unblock. */
  let readerSettled = false;

  const out = outFile.createWriteStream();
  const input = createReadStream(fifo, { highWaterMark: 1 << 16 });

  /**
   * Open and close the write end so that a reader blocked in open() returns and reads EOF. The stream issues its
   * open() asynchronously: until it is in the kernel, our non-blocking writer open fails with ENXIO, so retry briefly.
   */
  const unblock = async (): Promise<void> => {
    if (opened || unblocked) return;
    unblocked = true;
    for (let i = 0; i < 250 && !readerSettled; i++) {
      try {
        const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        await fh.close();
        return;
      } catch (e) {
        // ENXIO: no reader in open() yet; ENOENT: removed already
        if ((e as NodeJS.ErrnoException).code !== 'ENXIO') return;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };

  // After the timeout, also remove the FIFO: a writer arriving late then creates a plain file instead of blocking.
  const timer = setTimeout(() => void unblock().then(() => rm(fifo, { force: true })), opts.openTimeoutMs ?? 30_000);
  timer.unref();

  const done = new Promise<number>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      input.destroy();
      out.destroy();
      reject(e);
    };
    input.on('close', () => {
      readerSettled = true;
    });
    input.on('open', () => {
      readerSettled = true;
      if (!unblocked) opened = true;
      clearTimeout(timer);
    });
    input.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      bytes += buf.length;
      if (opts.onData && dataError === undefined) {
        try {
          opts.onData(buf);
        } catch (e) {
          // keep draining into the file so the tracer never blocks; report after the end
          dataError = e;
        }
      }
      if (!out.write(buf)) {
        input.pause();
        out.once('drain', () => input.resume());
      }
    });
    input.on('error', (e) => fail(new TracerError(`reading the trace FIFO ${fifo} failed: ${e.message}`, undefined, { cause: e })));
    out.on('error', (e) =>
      fail(new TracerError(`cannot write the trace file ${opts.output}: ${e.message}`, 'check the directory exists and is writable', { cause: e })),
    );
    input.on('end', () => {
      out.end(() => {
        if (failed) return;
        if (dataError !== undefined) reject(dataError);
        else if (!opened && bytes === 0) reject(new TracerError('no tracer opened the trace FIFO', 'strace did not start: see its error output'));
        else resolve(bytes);
      });
    });
  });
  // callers may only look at `done` after close(): never leave it unhandled
  done.catch(() => undefined);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(timer);
      await unblock();
      await done.catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      forget();
    })();
    return closing;
  };
  return { fifo, done, close };
}
