/** Test helpers: hand-built ELF images and a gcc driver for real ones. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ElfSpec {
  class: 32 | 64;
  endian: 'le' | 'be';
  machine: number;
  type?: number;
  interp?: string;
  needed?: string[];
  rpath?: string;
  runpath?: string;
  soname?: string;
  /** Virtual address of file offset 0 in the single PT_LOAD (default 0x400000). */
  base?: number;
}

/**
 * A minimal but well-formed ELF image: header, PT_LOAD covering the whole file, PT_INTERP,
 * PT_DYNAMIC, then the interpreter string, .dynstr and .dynamic.
 */
export const buildElf = (s: ElfSpec): Buffer => {
  const is64 = s.class === 64;
  const le = s.endian === 'le';
  const base = s.base ?? 0x400000;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const dynent = is64 ? 16 : 8;
  const phnum = 2 + (s.interp === undefined ? 0 : 1);

  const strs: Buffer[] = [Buffer.from([0])];
  let strLen = 1;
  const addStr = (x: string) => {
    const at = strLen;
    strs.push(Buffer.from(x + '\0'));
    strLen += Buffer.byteLength(x) + 1;
    return at;
  };
  const dyn: [number, number][] = [];
  for (const n of s.needed ?? []) dyn.push([1, addStr(n)]);
  if (s.soname !== undefined) dyn.push([14, addStr(s.soname)]);
  if (s.rpath !== undefined) dyn.push([15, addStr(s.rpath)]);
  if (s.runpath !== undefined) dyn.push([29, addStr(s.runpath)]);
  const dynstr = Buffer.concat(strs);

  const interp = s.interp === undefined ? Buffer.alloc(0) : Buffer.from(s.interp + '\0');
  const interpOff = ehsize + phnum * phentsize;
  const strOff = interpOff + interp.length;
  const dynOff = (strOff + dynstr.length + 7) & ~7;
  dyn.push([5, base + strOff], [10, dynstr.length], [0, 0]);
  const total = dynOff + dyn.length * dynent;
  const b = Buffer.alloc(total);

  const u16 = (o: number, v: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (o: number, v: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const word = (o: number, v: number) => (is64 ? (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o)) : u32(o, v));

  b.write('\x7fELF', 0, 'latin1');
  b[4] = is64 ? 2 : 1;
  b[5] = le ? 1 : 2;
  b[6] = 1;
  u16(16, s.type ?? 3);
  u16(18, s.machine);
  u32(20, 1);
  word(is64 ? 32 : 28, ehsize); // e_phoff
  u16(is64 ? 52 : 40, ehsize);
  u16(is64 ? 54 : 42, phentsize);
  u16(is64 ? 56 : 44, phnum);

  let ph = ehsize;
  const phdr = (type: number, offset: number, size: number) => {
    u32(ph, type);
    if (is64) {
      word(ph + 8, offset);
      word(ph + 16, base + offset);
      word(ph + 24, base + offset);
      word(ph + 32, size);
      word(ph + 40, size);
    } else {
      u32(ph + 4, offset);
      u32(ph + 8, base + offset);
      u32(ph + 12, base + offset);
      u32(ph + 16, size);
      u32(ph + 20, size);
    }
    ph += phentsize;
  };
  phdr(1, 0, total); // PT_LOAD
  if (s.interp !== undefined) phdr(3, interpOff, interp.length);
  phdr(2, dynOff, dyn.length * dynent);

  interp.copy(b, interpOff);
  dynstr.copy(b, strOff);
  dyn.forEach(([tag, val], i) => {
    word(dynOff + i * dynent, tag);
    word(dynOff + i * dynent + dynent / 2, val);
  });
  return b;
};

export const hasGcc = spawnSync('gcc', ['--version']).status === 0;

/** Static libc present (Debian: libc6-dev ships libc.a). */
export const hasStaticLibc = hasGcc && existsSync(execFileSync('gcc', ['-print-file-name=libc.a'], { encoding: 'utf8' }).trim());

export const gcc = (cwd: string, ...args: string[]): void => {
  execFileSync('gcc', args, { cwd, stdio: 'pipe' });
};

export const tempDir = (prefix = 'jailtrace-elf-'): string => realpathSync(mkdtempSync(join(tmpdir(), prefix)));

/**
 * ldd as an oracle: the realpaths of every file it lists (the loader included, linux-vdso not).
 * Names it cannot find come back in `missing`.
 */
export const lddRealpaths = (path: string, env: NodeJS.ProcessEnv = {}): { found: Set<string>; missing: string[] } => {
  const out = execFileSync('ldd', [path], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  const found = new Set<string>();
  const missing: string[] = [];
  for (const line of out.split('\n')) {
    const arrow = /^\s*(\S+) => (.+?) \(0x[0-9a-f]+\)$/.exec(line);
    const bare = /^\s*(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (/=> not found/.test(line)) missing.push(line.trim().split(' ')[0]);
    else if (arrow) found.add(realpathSync(arrow[2]));
    else if (bare) found.add(realpathSync(bare[1]));
  }
  return { found, missing };
};
