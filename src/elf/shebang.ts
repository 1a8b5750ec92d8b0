/**
 * `#!` lines, parsed the way Linux's binfmt_script does (fs/binfmt_script.c): the first 256
 * bytes, interpreter up to the first space/tab/NUL, then ONE optional argument that is the rest
 * of the line with surrounding spaces/tabs trimmed (not split). A `\r` is kept: the kernel keeps
 * it too, so a CRLF script's interpreter is unresolvable, as it is at run time.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ElfError } from './errors.js';
import { HostChainError, openHostRegular } from '../host-chain.js';

export interface Shebang {
  interpreter: string;
  arg?: string;
}

/** BINPRM_BUF_SIZE; the last byte is reserved for a NUL, so 255 are usable. */
export const SHEBANG_MAX = 256;

const isSpaceTab = (c: number | undefined) => c === 0x20 || c === 0x09;
const isTerminator = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x00;

/** Parse a file's first bytes. `undefined` when there is no usable `#!` line (kernel: ENOEXEC). */
export const parseShebang = (head: Buffer): Shebang | undefined => {
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const buf = Buffer.alloc(SHEBANG_MAX); // zero-filled past EOF, like the kernel's bprm->buf
  head.copy(buf, 0, 0, SHEBANG_MAX);
  const bufEnd = SHEBANG_MAX - 1;
  let end = buf.subarray(0, bufEnd).indexOf(0x0a);
  if (end < 0) {
    // No newline: the interpreter name must end inside the buffer, the argument may be cut.
    let i = 2;
    while (i < bufEnd && isSpaceTab(buf[i])) i++;
    if (i === bufEnd) return undefined;
    while (i < bufEnd && !isTerminator(buf[i])) i++;
    if (i === bufEnd) return undefined;
    end = bufEnd;
  }
  while (end > 2 && isSpaceTab(buf[end - 1])) end--;
  let name = 2;
  while (name < end && isSpaceTab(buf[name])) name++;
  if (name >= end) return undefined;
  let sep = name;
  while (sep < end && !isTerminator(buf[sep])) sep++;
  const interpreter = buf.toString('utf8', name, sep);
  if (interpreter === '') return undefined; // a NUL right after `#!`
  if (sep >= end || buf[sep] === 0) return { interpreter };
  let arg = sep;
  while (arg < end && isSpaceTab(buf[arg])) arg++;
  const nul = buf.subarray(arg, end).indexOf(0);
  const argEnd = nul < 0 ? end : arg + nul;
  return argEnd > arg ? { interpreter, arg: buf.toString('utf8', arg, argEnd) } : { interpreter };
};

/**
 * Shebang of a file, `undefined` if it has none.
 * @throws ElfError when the file cannot be opened or read.
 */
export const readShebang = async (path: string): Promise<Shebang | undefined> => {
  try {
    const fh = await openHostRegular(path).catch((e: unknown) => {
      if (e instanceof HostChainError && e.reason === 'not a regular file') return undefined; // no #! line the kernel reads
      throw e;
    }); // no user's swap on the way, no FIFO or device
    if (!fh) return undefined;
    try {
      const buf = Buffer.alloc(SHEBANG_MAX);
      const { bytesRead } = await fh.read(buf, 0, SHEBANG_MAX, 0);
      return parseShebang(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new ElfError(path, e instanceof Error ? e.message : String(e), { cause: e });
  }
};

/**
 * The command `env` will run for a shebang argument: `python3` in `#!/usr/bin/env python3`,
 * also through `-S`, options and NAME=value assignments (`#!/usr/bin/env -S VAR=1 perl -w`).
 * `undefined` if none can be seen (e.g. `env -u NAME` forms we do not model).
 */
export const envCommand = (arg: string | undefined): string | undefined => {
  if (arg === undefined) return undefined;
  const words = arg.split(/[ \t]+/).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-S' || w === '-i' || w === '-' || w === '-0' || w === '-v') continue;
    if (w.startsWith('-S')) return envCommand(w.slice(2) + ' ' + words.slice(i + 1).join(' '));
    if (w === '-u' || w === '-C' || w === '--unset' || w === '--chdir') {
      i++;
      continue;
    }
    if (w.startsWith('-')) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    return w;
  }
  return undefined;
};

const isExecutableFile = async (p: string): Promise<boolean> => {
  try {
    if (!(await stat(p)).isFile()) return false;
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false; // absent or not executable: execvp skips it too
  }
};

/**
 * Where execvp would find `name` on `PATH` (a colon-separated string, passed in, not read from
 * the environment). A name containing `/` is not searched: it is returned if it is an
 * executable file. Empty and relative PATH entries mean "relative to the cwd"; they are
 * resolved against `cwd` when given, skipped otherwise.
 */
export const resolveOnPath = async (name: string, PATH: string, cwd?: string): Promise<string | undefined> => {
  if (name === '') return undefined;
  if (name.includes('/')) {
    const p = isAbsolute(name) || cwd === undefined ? name : join(cwd, name);
    return (await isExecutableFile(p)) ? p : undefined;
  }
  for (const entry of PATH.split(':')) {
    const dir = isAbsolute(entry) ? entry : cwd === undefined ? undefined : join(cwd, entry);
    if (dir === undefined) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
};
