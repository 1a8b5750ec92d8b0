/**
 * What a program needs that a trace may not show: its ELF interpreter (mapped by the kernel
 * without an open), its DT_NEEDED libraries (also those of code paths never exercised), and the
 * `#!` interpreters of scripts. Each root is modelled as its own process, the way ld.so does it:
 * breadth-first, a DT_NEEDED already satisfied by a loaded object's soname or file is not
 * searched again, and the search path depends on who asked (see ldpaths.ts).
 *
 * Paths are kept as found (/lib/x86_64-linux-gnu/libc.so.6, not its realpath); files are
 * deduplicated on realpath across all roots, other paths to the same file go to `aliases`.
 */
import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { readElfInfo } from './elf.js';
import { ElfError } from './errors.js';
import { readLdSoConf } from './ldconf.js';
import { findLibrary, probeElf, searchDirs, splitLdLibraryPath, type LoadedObject, type SearchEnv } from './ldpaths.js';
import type { ElfInfo } from './parse.js';
import { envCommand, readShebang, resolveOnPath } from './shebang.js';

export type Via = 'interp' | 'needed' | 'shebang';

export interface FoundFile {
  /** The path as the kernel or ld.so would open it. */
  path: string;
  realpath: string;
  via: Via;
  /** The file that asked for it: a root or another found file. */
  from: string;
  /** The DT_NEEDED name, or the command `#!/usr/bin/env` runs. */
  name?: string;
  /** Other paths that led to the same file (other roots, other search paths). */
  aliases?: string[];
}

export interface Unresolved {
  name: string;
  from: string;
  via: Via;
}

export interface ClosureResult {
  files: FoundFile[];
  unresolved: Unresolved[];
  /** Roots or candidates that could not be read or are malformed; the walk went on without them. */
  errors: ElfError[];
}

export interface ClosureOptions {
  /** LD_LIBRARY_PATH as in the environment (colon-separated). Not read from process.env. */
  ldLibraryPath?: string;
  /** PATH for `#!/usr/bin/env cmd`. */
  PATH?: string;
  /** Root under which /etc/ld.so.conf is read (default '/'); ignored when confDirs is given. */
  confRoot?: string;
  confDirs?: string[];
  defaultDirs?: string[];
  /** Nested `#!` interpreters followed; Linux allows 4 (BINPRM_MAX_RECURSION). */
  maxShebangDepth?: number;
  lib?: string;
  platform?: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const memo = <T>(f: (k: string) => Promise<T>) => {
  const cache = new Map<string, Promise<T>>();
  return (k: string): Promise<T> => {
    let p = cache.get(k);
    if (!p) cache.set(k, (p = f(k)));
    return p;
  };
};

/** Static closure of `paths` (executables, libraries or scripts). */
export const staticClosure = async (paths: string[], opts: ClosureOptions = {}): Promise<ClosureResult> => {
  const env: SearchEnv = {
    ldLibraryPath: splitLdLibraryPath(opts.ldLibraryPath),
    confDirs: opts.confDirs ?? (await readLdSoConf(opts.confRoot ?? '/')),
    defaultDirs: opts.defaultDirs,
    lib: opts.lib,
    platform: opts.platform,
  };
  const PATH = opts.PATH ?? DEFAULT_PATH;
  const maxDepth = opts.maxShebangDepth ?? 4;
  const probe = memo(probeElf);
  const readInfo = memo(readElfInfo);
  const real = memo((p: string) => realpath(p));
  const shebang = memo(readShebang);

  const files = new Map<string, FoundFile>();
  // An unreadable root is reported by exec() below; here it only must not stop the others.
  const rootReals = new Set(await Promise.all(paths.map((p) => real(p).catch(() => p))));
  const unresolvedByKey = new Map<string, Unresolved>();
  const noteUnresolved = (u: Unresolved) => void unresolvedByKey.set(JSON.stringify([u.name, u.from, u.via]), u);
  const errors = new Map<string, ElfError>();
  const noteError = (e: unknown) => {
    if (!(e instanceof ElfError)) throw e;
    errors.set(e.message, e);
  };
  const record = async (path: string, via: Via, from: string, name?: string): Promise<string> => {
    const rp = await real(path);
    const seen = files.get(rp);
    if (seen) {
      if (seen.path !== path && !(seen.aliases ??= []).includes(path)) seen.aliases.push(path);
    } else if (!rootReals.has(rp)) {
      files.set(rp, { path, realpath: rp, via, from, ...(name === undefined ? {} : { name }) });
    }
    return rp;
  };

  /** One process image: exe + interpreter + DT_NEEDED, breadth-first. */
  const loadProgram = async (exePath: string, exe: ElfInfo): Promise<void> => {
    const root: LoadedObject = { path: exePath, info: exe, origin: posix.dirname(await real(exePath)) };
    const byName = new Set<string>(); // sonames and requested names of loaded objects
    const byReal = new Set<string>([await real(exePath)]);
    const load = (obj: LoadedObject, rp: string, name?: string) => {
      byReal.add(rp);
      if (obj.info.soname) byName.add(obj.info.soname);
      if (name) byName.add(name);
    };
    if (exe.soname) byName.add(exe.soname);
    if (exe.interp !== undefined) {
      try {
        const info = await probe(exe.interp);
        if (info) {
          const rp = await record(exe.interp, 'interp', exePath);
          load({ path: exe.interp, info, origin: posix.dirname(exe.interp) }, rp);
        } else noteUnresolved({ name: exe.interp, from: exePath, via: 'interp' });
      } catch (e) {
        noteError(e);
      }
    }
    const queue: LoadedObject[] = [root];
    for (let i = 0; i < queue.length; i++) {
      const obj = queue[i];
      for (const name of obj.info.needed) {
        if (byName.has(name)) continue;
        let hit: { path: string; info: ElfInfo } | undefined;
        if (name.includes('/')) {
          const info = name.startsWith('/') ? await probe(name).catch((e) => void noteError(e)) : undefined;
          hit = info ? { path: name, info } : undefined;
        } else {
          const found = await findLibrary(name, searchDirs(obj, env), exe, probe);
          found.errors.forEach(noteError);
          hit = found.hit;
        }
        if (!hit) {
          noteUnresolved({ name, from: obj.path, via: 'needed' });
          continue;
        }
        const rp = await record(hit.path, 'needed', obj.path, name);
        if (byReal.has(rp)) {
          byName.add(name); // ld.so matches the same file (dev/inode) and reuses it
          continue;
        }
        const child: LoadedObject = { path: hit.path, info: hit.info, origin: posix.dirname(hit.path), parent: obj };
        load(child, rp, name);
        queue.push(child);
      }
    }
  };

  /** What execve(path) needs: an ELF's loader and libraries, or a script's interpreter chain. */
  const exec = async (path: string, depth: number): Promise<void> => {
    let info: ElfInfo | undefined;
    try {
      info = await readInfo(path); // unlike probe, a missing root is an error
    } catch (e) {
      return noteError(e);
    }
    if (info) return loadProgram(path, info);
    let sb: Awaited<ReturnType<typeof readShebang>>;
    try {
      sb = await shebang(path);
    } catch (e) {
      return noteError(e);
    }
    if (!sb) return;
    if (depth >= maxDepth) {
      noteUnresolved({ name: sb.interpreter, from: path, via: 'shebang' });
      return;
    }
    const interp = sb.interpreter.startsWith('/') ? await resolveOnPath(sb.interpreter, '') : undefined;
    if (!interp) {
      noteUnresolved({ name: sb.interpreter, from: path, via: 'shebang' });
      return;
    }
    await record(interp, 'shebang', path);
    await exec(interp, depth + 1);
    if (posix.basename(interp) !== 'env') return;
    const cmd = envCommand(sb.arg);
    if (cmd === undefined) return;
    const target = await resolveOnPath(cmd, PATH);
    if (!target) {
      noteUnresolved({ name: cmd, from: path, via: 'shebang' });
      return;
    }
    await record(target, 'shebang', path, cmd);
    await exec(target, depth + 1);
  };

  for (const p of paths) await exec(p, 0);
  return { files: [...files.values()], unresolved: [...unresolvedByKey.values()], errors: [...errors.values()] };
};
