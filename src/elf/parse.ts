/**
 * Pure ELF header reader: program headers, PT_INTERP, the dynamic segment and the strings it
 * names. Works over a ByteSource (random-access reads), so a file is never read whole and
 * tests can feed hand-built Buffers. Never throws on garbage: returns `{ kind: 'bad', reason }`.
 */

export type ElfType = 'exec' | 'dyn' | 'rel' | 'core' | number;

export interface ElfInfo {
  class: 32 | 64;
  endian: 'le' | 'be';
  machine: number;
  type: ElfType;
  /** PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2 */
  interp?: string;
  needed: string[];
  runpath: string[];
  rpath: string[];
  soname?: string;
  /** No PT_INTERP and no DT_NEEDED: runs (or loads) without the dynamic loader's help. */
  staticallyLinked: boolean;
}

export type ElfParse = { kind: 'elf'; info: ElfInfo } | { kind: 'not-elf' } | { kind: 'bad'; reason: string };

/** Random-access bytes. `read` may return fewer bytes than asked only at end of data. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export const bufferSource = (buf: Buffer): ByteSource => ({
  size: buf.length,
  read: async (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)),
});

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3 } as const;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29 } as const;
const ET: Record<number, ElfType> = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' };
const PN_XNUM = 0xffff;
/** Sanity bound on any single table we read (program headers, dynamic, dynstr). */
const MAX_TABLE = 16 * 1024 * 1024;

class Bad extends Error {}

/** Fixed-width field access for one class/endianness. */
class Fields {
  constructor(
    readonly buf: Buffer,
    readonly is64: boolean,
    readonly le: boolean,
  ) {}
  u16 = (o: number): number => (this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o));
  u32 = (o: number): number => (this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o));
  /** Address/offset/size: u32 or u64 by class; u64 beyond 2^53 is garbage for our purposes. */
  word = (o: number): number => {
    if (!this.is64) return this.u32(o);
    const v = this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Bad(`value 0x${v.toString(16)} at +${o} out of range`);
    return Number(v);
  };
  /** Signed d_tag; tags outside the safe range are returned as NaN (unknown). */
  stag = (o: number): number => {
    if (!this.is64) return this.le ? this.buf.readInt32LE(o) : this.buf.readInt32BE(o);
    const v = this.le ? this.buf.readBigInt64LE(o) : this.buf.readBigInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? NaN : Number(v);
  };
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

const readExact = async (src: ByteSource, offset: number, length: number, what: string): Promise<Buffer> => {
  if (length > MAX_TABLE) throw new Bad(`${what}: size ${length} exceeds ${MAX_TABLE}`);
  if (offset + length > src.size) throw new Bad(`truncated: ${what} at ${offset}+${length} beyond end of file (${src.size})`);
  const buf = await src.read(offset, length);
  if (buf.length < length) throw new Bad(`truncated: ${what} at ${offset}+${length}, got ${buf.length}`);
  return buf;
};

const cString = (buf: Buffer, at: number, what: string): string => {
  if (at < 0 || at >= buf.length) throw new Bad(`${what}: string offset ${at} outside table of ${buf.length}`);
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Bad(`${what}: unterminated string at ${at}`);
  return buf.toString('utf8', at, end);
};

const splitPath = (s: string): string[] => s.split(':').filter((d) => d !== '');

const programHeaders = async (src: ByteSource, f: Fields): Promise<Segment[]> => {
  const phoff = f.word(f.is64 ? 32 : 28);
  const phentsize = f.u16(f.is64 ? 54 : 42);
  let phnum = f.u16(f.is64 ? 56 : 44);
  if (phnum === PN_XNUM) {
    // Real count lives in section header 0's sh_info.
    const shoff = f.word(f.is64 ? 40 : 32);
    const sh0 = await readExact(src, shoff, f.is64 ? 64 : 40, 'section header 0');
    phnum = new Fields(sh0, f.is64, f.le).u32(f.is64 ? 44 : 28);
  }
  if (phnum === 0) return [];
  const min = f.is64 ? 56 : 32;
  if (phentsize < min) throw new Bad(`e_phentsize ${phentsize} smaller than ${min}`);
  const table = await readExact(src, phoff, phnum * phentsize, 'program headers');
  const t = new Fields(table, f.is64, f.le);
  return Array.from({ length: phnum }, (_, i) => {
    const o = i * phentsize;
    return f.is64
      ? { type: t.u32(o), offset: t.word(o + 8), vaddr: t.word(o + 16), filesz: t.word(o + 32) }
      : { type: t.u32(o), offset: t.u32(o + 4), vaddr: t.u32(o + 8), filesz: t.u32(o + 16) };
  });
};

/** File offset of a virtual address, via the PT_LOAD that maps it; also how many file bytes follow it there. */
const vaddrToOffset = (loads: Segment[], vaddr: number): { offset: number; avail: number } | undefined => {
  const s = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz);
  return s && { offset: vaddr - s.vaddr + s.offset, avail: s.vaddr + s.filesz - vaddr };
};

interface Dynamic {
  needed: number[];
  rpath: number[];
  runpath: number[];
  soname?: number;
  strtab?: number;
  strsz?: number;
}

const dynamicEntries = (buf: Buffer, f: Fields): Dynamic => {
  const t = new Fields(buf, f.is64, f.le);
  const size = f.is64 ? 16 : 8;
  const d: Dynamic = { needed: [], rpath: [], runpath: [] };
  for (let o = 0; o + size <= buf.length; o += size) {
    const tag = t.stag(o);
    if (tag === DT.NULL) break;
    const val = () => t.word(o + size / 2);
    if (tag === DT.NEEDED) d.needed.push(val());
    else if (tag === DT.RPATH) d.rpath.push(val());
    else if (tag === DT.RUNPATH) d.runpath.push(val());
    else if (tag === DT.SONAME) d.soname = val();
    else if (tag === DT.STRTAB) d.strtab = val();
    else if (tag === DT.STRSZ) d.strsz = val();
  }
  return d;
};

const dynamicStrings = async (src: ByteSource, dyn: Dynamic, loads: Segment[]) => {
  const uses = [...dyn.needed, ...dyn.rpath, ...dyn.runpath, ...(dyn.soname === undefined ? [] : [dyn.soname])];
  if (uses.length === 0) return { needed: [], rpath: [], runpath: [], soname: undefined };
  if (dyn.strtab === undefined) throw new Bad('dynamic section names strings but has no DT_STRTAB');
  const at = vaddrToOffset(loads, dyn.strtab);
  if (!at) throw new Bad(`DT_STRTAB 0x${dyn.strtab.toString(16)} not in any PT_LOAD segment`);
  const len = Math.min(dyn.strsz ?? at.avail, at.avail, Math.max(0, src.size - at.offset));
  const strtab = await readExact(src, at.offset, len, 'dynamic string table');
  const str = (i: number, what: string) => cString(strtab, i, what);
  return {
    needed: dyn.needed.map((i) => str(i, 'DT_NEEDED')),
    rpath: dyn.rpath.flatMap((i) => splitPath(str(i, 'DT_RPATH'))),
    runpath: dyn.runpath.flatMap((i) => splitPath(str(i, 'DT_RUNPATH'))),
    soname: dyn.soname === undefined ? undefined : str(dyn.soname, 'DT_SONAME'),
  };
};

const parseOrThrow = async (src: ByteSource): Promise<ElfParse> => {
  const ident = await src.read(0, 64);
  if (ident.length < 4 || !ident.subarray(0, 4).equals(ELF_MAGIC)) return { kind: 'not-elf' };
  if (ident.length < 16) throw new Bad('truncated: e_ident');
  const cls = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined;
  if (cls === undefined) throw new Bad(`bad EI_CLASS ${ident[4]}`);
  const endian = ident[5] === 1 ? 'le' : ident[5] === 2 ? 'be' : undefined;
  if (endian === undefined) throw new Bad(`bad EI_DATA ${ident[5]}`);
  if (ident.length < (cls === 64 ? 64 : 52)) throw new Bad(`truncated: ELF${cls} header is ${cls === 64 ? 64 : 52} bytes, file has ${ident.length}`);
  const f = new Fields(ident, cls === 64, endian === 'le');
  const etype = f.u16(16);
  const segs = await programHeaders(src, f);
  const loads = segs.filter((s) => s.type === PT.LOAD);

  let interp: string | undefined;
  const pinterp = segs.find((s) => s.type === PT.INTERP);
  if (pinterp) interp = cString(await readExact(src, pinterp.offset, pinterp.filesz, 'PT_INTERP'), 0, 'PT_INTERP');

  const pdyn = segs.find((s) => s.type === PT.DYNAMIC);
  const dyn = pdyn ? dynamicEntries(await readExact(src, pdyn.offset, pdyn.filesz, 'PT_DYNAMIC'), f) : undefined;
  const strs = dyn ? await dynamicStrings(src, dyn, loads) : { needed: [], rpath: [], runpath: [], soname: undefined };

  const info: ElfInfo = {
    class: cls,
    endian,
    machine: f.u16(18),
    type: ET[etype] ?? etype,
    ...(interp === undefined ? {} : { interp }),
    needed: strs.needed,
    runpath: strs.runpath,
    rpath: strs.rpath,
    ...(strs.soname === undefined ? {} : { soname: strs.soname }),
    staticallyLinked: interp === undefined && strs.needed.length === 0,
  };
  return { kind: 'elf', info };
};

/** Parse the loader-relevant parts of an ELF image. Only I/O errors from `src` propagate. */
export const parseElf = async (src: ByteSource): Promise<ElfParse> => {
  try {
    return await parseOrThrow(src);
  } catch (e) {
    if (e instanceof Bad || e instanceof RangeError) return { kind: 'bad', reason: e.message };
    throw e;
  }
};
