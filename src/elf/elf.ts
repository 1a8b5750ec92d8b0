/**
 * Read what the dynamic loader needs from an ELF file on the local host, through a file handle:
 * the header, program headers, PT_INTERP, the dynamic segment and its string table. Never the
 * whole file.
 *
 * Non-ELF files (scripts, data, AIX XCOFF binaries) give `undefined`; use `detectFormat` on the
 * first bytes to tell them apart. XCOFF is only recognised, not parsed: AIX traces are read on
 * other hosts, and jailtrace only reads binaries on the local (Linux) host.
 */
import type { FileHandle } from 'node:fs/promises';
import { HostChainError, openHostRegular } from '../host-chain.js';
import { ElfError } from './errors.js';
import { ELF_MAGIC, parseElf, type ByteSource, type ElfInfo } from './parse.js';

export { ElfError } from './errors.js';
export type { ElfInfo } from './parse.js';

export type FileFormat = 'elf' | 'xcoff32' | 'xcoff64' | 'shebang' | 'unknown';

/** Classify a file by its first bytes (4 are enough). XCOFF magic is big-endian 0x01DF / 0x01F7. */
export const detectFormat = (head: Buffer): FileFormat => {
  if (head.length >= 4 && head.subarray(0, 4).equals(ELF_MAGIC)) return 'elf';
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return 'shebang';
  if (head.length >= 2) {
    const magic = head.readUInt16BE(0);
    if (magic === 0x01df) return 'xcoff32';
    if (magic === 0x01f7) return 'xcoff64';
  }
  return 'unknown';
};

const fileSource = (fh: FileHandle, size: number): ByteSource => ({
  size,
  read: async (offset, length) => {
    const n = Math.max(0, Math.min(length, size - offset));
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  },
});

const errnoReason = (e: unknown): string => (e instanceof Error && 'code' in e ? `${String((e as NodeJS.ErrnoException).code)}: ${e.message}` : String(e));

/**
 * ElfInfo for an ELF file, `undefined` if the file is not ELF.
 * @throws ElfError (with the path) when the file cannot be opened or read, or is malformed ELF.
 */
export const readElfInfo = async (path: string): Promise<ElfInfo | undefined> => {
  let fh: FileHandle;
  try {
    fh = await openHostRegular(path); // no user's swap on the way, no FIFO or device
  } catch (e) {
    throw new ElfError(path, e instanceof HostChainError ? e.reason : errnoReason(e), { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ElfError(path, 'not a regular file');
    const parsed = await parseElf(fileSource(fh, st.size));
    if (parsed.kind === 'bad') throw new ElfError(path, parsed.reason);
    return parsed.kind === 'elf' ? parsed.info : undefined;
  } catch (e) {
    if (e instanceof ElfError) throw e;
    throw new ElfError(path, errnoReason(e), { cause: e });
  } finally {
    await fh.close();
  }
};
