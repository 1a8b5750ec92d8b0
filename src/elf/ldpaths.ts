/**
 * The directory search glibc's ld.so does for a DT_NEEDED name (elf/dl-load.c, _dl_map_object):
 *   1. DT_RPATH of the requesting object, then of the object that loaded it, up to the
 *      executable; skipped entirely when the requesting object has DT_RUNPATH
 *      (an object with both has its RPATH ignored);
 *   2. LD_LIBRARY_PATH (passed in; $ORIGIN there is the executable's);
 *   3. DT_RUNPATH of the requesting object only;
 *   4. the ld.so.conf directories (ld.so.cache stands in for them at run time);
 *   5. the default directories for the executable's machine (multiarch first).
 * Candidates of another ELF class, byte order or machine are skipped, as the loader does.
 */
import { ElfError } from './errors.js';
import { readElfInfo } from './elf.js';
import { machineRow } from './machines.js';
import type { ElfInfo } from './parse.js';

/** An object in the process being modelled; `parent` is the object whose DT_NEEDED loaded it. */
export interface LoadedObject {
  path: string;
  info: ElfInfo;
  /** What $ORIGIN expands to: dirname of the executable's realpath, or of the path a library was found at. */
  origin: string;
  parent?: LoadedObject;
}

export interface DstValues {
  origin: string;
  lib: string;
  platform: string;
}

export type DirSource = 'rpath' | 'ld_library_path' | 'runpath' | 'ld.so.conf' | 'default';

export interface SearchDir {
  dir: string;
  source: DirSource;
}

export interface SearchEnv {
  /** LD_LIBRARY_PATH entries, already split (see splitLdLibraryPath). */
  ldLibraryPath: readonly string[];
  /** Directories from ld.so.conf (see readLdSoConf). */
  confDirs: readonly string[];
  /** Override the default directories (otherwise derived from the executable's machine). */
  defaultDirs?: readonly string[];
  /** Override $LIB (default: Debian's `lib/<triplet>`) and $PLATFORM. */
  lib?: string;
  platform?: string;
}

/** LD_LIBRARY_PATH is split on `:` and `;`. Empty entries (meaning the cwd) are dropped: a jail has no fixed cwd. */
export const splitLdLibraryPath = (value: string | undefined): string[] => (value ?? '').split(/[:;]/).filter((d) => d !== '');

/** Default library directories for a machine, e.g. x86_64 Debian: /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /usr/lib64, /lib, /usr/lib. */
export const defaultLibDirs = (info: Pick<ElfInfo, 'machine' | 'class' | 'endian'>): string[] => {
  const row = machineRow(info.machine, info.class, info.endian);
  return row ? [`/lib/${row.triplet}`, `/usr/lib/${row.triplet}`, ...row.libdirs, '/lib', '/usr/lib'] : ['/lib', '/usr/lib'];
};

export const dstValuesFor = (obj: LoadedObject, exe: ElfInfo, env: Pick<SearchEnv, 'lib' | 'platform'>): DstValues => {
  const row = machineRow(exe.machine, exe.class, exe.endian);
  return {
    origin: obj.origin,
    lib: env.lib ?? (row ? `lib/${row.triplet}` : 'lib'),
    platform: env.platform ?? row?.platform ?? '',
  };
};

/**
 * Expand $ORIGIN, $LIB, $PLATFORM in one path entry: braced anywhere, bare only before `/` or
 * at the end (glibc's is_dst). Unknown `$NAME`s are
 * left as written, as glibc does. Relative results are dropped (`undefined`): they would be
 * relative to the process's cwd, which a static analysis does not know.
 */
export const expandDst = (entry: string, v: DstValues): string | undefined => {
  const out = entry.replace(/\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?=\/|$))/g, (_m, a, b) => {
    const name = (a ?? b) as 'ORIGIN' | 'LIB' | 'PLATFORM';
    return name === 'ORIGIN' ? v.origin : name === 'LIB' ? v.lib : v.platform;
  });
  if (!out.startsWith('/')) return undefined;
  return out.length > 1 ? out.replace(/\/+$/, '') : out;
};

const chainOf = (obj: LoadedObject): LoadedObject[] => {
  const chain: LoadedObject[] = [];
  for (let l: LoadedObject | undefined = obj; l; l = l.parent) chain.push(l);
  return chain;
};

/** Pure: the ordered directories ld.so tries for a DT_NEEDED of `requester`. */
export const searchDirs = (requester: LoadedObject, env: SearchEnv): SearchDir[] => {
  const chain = chainOf(requester);
  const exe = chain[chain.length - 1];
  const out: SearchDir[] = [];
  const add = (source: DirSource, obj: LoadedObject, entries: readonly string[]) => {
    const values = dstValuesFor(obj, exe.info, env);
    for (const e of entries) {
      const dir = expandDst(e, values);
      if (dir !== undefined) out.push({ dir, source });
    }
  };
  if (requester.info.runpath.length === 0) {
    for (const l of chain) if (l.info.runpath.length === 0) add('rpath', l, l.info.rpath);
  }
  add('ld_library_path', exe, env.ldLibraryPath);
  add('runpath', requester, requester.info.runpath);
  for (const dir of env.confDirs) out.push({ dir, source: 'ld.so.conf' });
  for (const dir of env.defaultDirs ?? defaultLibDirs(exe.info)) out.push({ dir, source: 'default' });
  const seen = new Set<string>();
  return out.filter((d) => !seen.has(d.dir) && seen.add(d.dir));
};

/** Same ELF class, byte order and machine: the loader's test for a usable candidate. */
export const compatible = (a: ElfInfo, b: Pick<ElfInfo, 'class' | 'endian' | 'machine'>): boolean =>
  a.class === b.class && a.endian === b.endian && a.machine === b.machine;

/** ElfInfo of a candidate, `undefined` if absent or not ELF. Malformed ELF throws ElfError. */
export type Probe = (path: string) => Promise<ElfInfo | undefined>;

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EACCES']);

/** The default probe: readElfInfo, with "no such file" folded into `undefined`. */
export const probeElf: Probe = async (path) => {
  try {
    return await readElfInfo(path);
  } catch (e) {
    if (e instanceof ElfError && e.code !== undefined && MISSING.has(e.code)) return undefined;
    if (e instanceof ElfError && e.reason === 'not a regular file') return undefined;
    throw e;
  }
};

export interface LibraryHit {
  path: string;
  info: ElfInfo;
  source: DirSource;
}

/**
 * First `dir/name` in `dirs` that is an ELF object compatible with `want`. Malformed candidates
 * are reported in `errors` and the search goes on (ld.so also moves on to the next directory).
 */
export const findLibrary = async (
  name: string,
  dirs: readonly SearchDir[],
  want: Pick<ElfInfo, 'class' | 'endian' | 'machine'>,
  probe: Probe = probeElf,
): Promise<{ hit?: LibraryHit; errors: ElfError[] }> => {
  const errors: ElfError[] = [];
  for (const { dir, source } of dirs) {
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`; // not normalized: ld.so opens bin/../lib as is
    try {
      const info = await probe(path);
      if (info && compatible(info, want)) return { hit: { path, info, source }, errors };
    } catch (e) {
      if (!(e instanceof ElfError)) throw e;
      errors.push(e);
    }
  }
  return { errors };
};
