/**
 * What strace can do here (its version, `--seccomp-bpf`, ptrace allowed) does not change between runs unless strace,
 * the kernel or what we are allowed changes: three strace runs on every capture are waste. The answer is kept in
 * /run/jailtrace/strace-probe.json (root's tmpfs: gone at reboot), keyed by
 * - the strace binary: device, inode, size, mtime and ctime of the file PATH leads to;
 * - the kernel: `uname -r`, the boot id, kernel.yama.ptrace_scope (raised at run time without a reboot);
 * - us: the effective uid, capabilities and seccomp mode (a container may take CAP_SYS_PTRACE away).
 * Any difference is a miss: strace is probed again and the file rewritten. Only a successful probe is kept.
 *
 * Only root uses it, and only a file no one else could have written: a regular file (not a symlink, opened with
 * O_NOFOLLOW), owned by root, mode 0600, one link, in a directory no user could swap (src/host-chain.ts). Anything
 * else is ignored (and rewritten when src/output-file.ts allows it). A broken cache is only ever a miss.
 */
import { constants, type Stats } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { release } from 'node:os';
import path from 'node:path';
import { swappableBy } from '../host-chain.js';
import { openOutputFile, prepareOutputDir } from '../output-file.js';

export const PROBE_CACHE_DIR = '/run/jailtrace';
const FILE = 'strace-probe.json';
const SCHEMA = 'jailtrace.strace-probe/1';

/** What a probe learns (the strace path is the key's). */
export interface ProbeAnswer {
  version: string;
  seccompBpf: boolean;
}

export interface KernelId {
  release: string;
  bootId: string;
  ptraceScope: string;
}

export interface ProcId {
  euid: number;
  capEff: string;
  seccomp: string;
}

export interface ProbeKey {
  strace: { path: string; dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number };
  kernel: KernelId;
  proc: ProcId;
}

const readTrim = (p: string): Promise<string> =>
  readFile(p, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );

export async function kernelId(): Promise<KernelId> {
  const [bootId, ptraceScope] = await Promise.all([readTrim('/proc/sys/kernel/random/boot_id'), readTrim('/proc/sys/kernel/yama/ptrace_scope')]);
  return { release: release(), bootId, ptraceScope };
}

export async function procId(): Promise<ProcId> {
  const status = await readTrim('/proc/self/status');
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
  return { euid: process.geteuid?.() ?? -1, capEff: field('CapEff'), seccomp: field('Seccomp') };
}

const fileId = (p: string, st: Stats): ProbeKey['strace'] => ({ path: p, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });

export interface CacheSources {
  kernel?: () => Promise<KernelId>;
  proc?: () => Promise<ProcId>;
}

export async function probeKey(stracePath: string, src: CacheSources = {}): Promise<ProbeKey> {
  const [st, kernel, proc] = await Promise.all([stat(stracePath), (src.kernel ?? kernelId)(), (src.proc ?? procId)()]);
  return { strace: fileId(stracePath, st), kernel, proc };
}

/** Why a cache file is not to be believed, as data: the first row that matches refuses it. */
const UNTRUSTED: ReadonlyArray<{ bad: (st: Stats) => boolean; why: (st: Stats) => string }> = [
  { bad: (st) => !st.isFile(), why: () => 'not a regular file' },
  { bad: (st) => st.uid !== 0, why: (st) => `owned by uid ${st.uid}, not root` },
  { bad: (st) => (st.mode & 0o7777) !== 0o600, why: (st) => `mode ${(st.mode & 0o7777).toString(8)}, not 600` },
  { bad: (st) => st.nlink !== 1, why: (st) => `${st.nlink} hard links` },
];

export type CacheRead = { hit: true; answer: ProbeAnswer } | { hit: false; why: string };

/** The cached answer for `key`, or why there is none (missing, untrusted, stale, unreadable). */
export async function readProbeCache(dir: string, key: ProbeKey): Promise<CacheRead> {
  const file = path.join(dir, FILE);
  const swap = await swappableBy(path.resolve(file));
  if (swap) return { hit: false, why: `a user could swap ${file} (${swap})` };
  let text: string;
  try {
    const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      const refused = UNTRUSTED.find((r) => r.bad(st));
      if (refused) return { hit: false, why: `${file}: ${refused.why(st)}` };
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { hit: false, why: code === 'ELOOP' ? `${file}: a symlink` : `${file}: ${code ?? String(e)}` };
  }
  let saved: { schema?: string; key?: unknown; answer?: ProbeAnswer };
  try {
    saved = JSON.parse(text) as typeof saved;
  } catch {
    return { hit: false, why: `${file}: not JSON` };
  }
  if (saved.schema !== SCHEMA || JSON.stringify(saved.key) !== JSON.stringify(key))
    return { hit: false, why: `${file}: strace, the kernel or our privileges changed` };
  const a = saved.answer;
  if (typeof a?.version !== 'string' || typeof a.seccompBpf !== 'boolean') return { hit: false, why: `${file}: no answer in it` };
  return { hit: true, answer: { version: a.version, seccompBpf: a.seccompBpf } };
}

/** Keep `answer` for `key`: root only; the directory and file go through src/output-file.ts (no planted name). */
export async function writeProbeCache(dir: string, key: ProbeKey, answer: ProbeAnswer): Promise<void> {
  await prepareOutputDir(dir);
  // stricter than an output file: not even a name in a directory others may write (a sticky /tmp included)
  const swap = await swappableBy(path.resolve(dir, FILE));
  if (swap) throw new Error(`a user could swap ${path.join(dir, FILE)} (${swap}): not kept`);
  const fh = await openOutputFile(path.join(dir, FILE), 0o600);
  try {
    await fh.chmod(0o600); // a file of ours made 0644 by hand would be refused on every read: make it right
    await fh.writeFile(JSON.stringify({ schema: SCHEMA, key, answer }) + '\n');
  } finally {
    await fh.close();
  }
}

export interface CachedProbeOptions extends CacheSources {
  /** Where the cache lives (default /run/jailtrace); it is only used as root. */
  dir?: string;
}

/**
 * `probe(stracePath)` answered from the cache when it is valid, else run and kept. Not root: always probes (the cache
 * is root's). A cache that cannot be read or written never fails the run.
 */
export async function cachedProbe(stracePath: string, probe: (p: string) => Promise<ProbeAnswer>, o: CachedProbeOptions = {}): Promise<ProbeAnswer> {
  if (process.geteuid?.() !== 0) return probe(stracePath);
  const dir = o.dir ?? PROBE_CACHE_DIR;
  const key = await probeKey(stracePath, o).catch(() => undefined);
  if (!key) return probe(stracePath);
  const read = await readProbeCache(dir, key).catch((e: unknown) => ({ hit: false as const, why: String(e) }));
  if (read.hit) return read.answer;
  const answer = await probe(stracePath);
  await writeProbeCache(dir, key, answer).catch(() => undefined);
  return answer;
}
