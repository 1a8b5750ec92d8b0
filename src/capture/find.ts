/**
 * Find strace and learn what it can do here: its version, whether `--seccomp-bpf` works, and whether ptrace is allowed
 * at all. The probes run strace three times: their answer is kept across runs (./probe-cache.ts, keyed by the strace
 * binary, the kernel and our privileges) and once per process; failures become TracerErrors that say how to fix them.
 */
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runFile } from './run-file.js';
import { TracerError } from '../errors.js';
import { cachedProbe, type CachedProbeOptions, type ProbeAnswer } from './probe-cache.js';

export interface StraceInfo {
  path: string;
  /** `6.1` from `strace -- version 6.1`. */
  version: string;
  /** `strace -f --seccomp-bpf` ran cleanly (the kernel and this strace support it). */
  seccompBpf: boolean;
}

const INSTALL_HINT = 'apt-get install strace (Debian/Ubuntu), dnf install strace (Fedora/RHEL)';

/** Where a program is on PATH (or the absolute path itself when executable); undefined when not found. */
export async function whichExecutable(name: string, pathEnv = process.env.PATH ?? '/usr/bin:/bin'): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [name]
    : pathEnv
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here: next candidate
    }
  }
  return undefined;
}

/** Why ptrace was refused, as data: strace's message → hint. */
const PTRACE_REFUSED =
  /ptrace\(PTRACE_[A-Z_]+.*\): Operation not permitted|PTRACE_TRACEME.*Operation not permitted|attach: .*Operation not permitted|Operation not permitted.*ptrace/;

async function ptraceHint(): Promise<string> {
  const yama = await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8').then(
    (s) => s.trim(),
    () => undefined,
  );
  if (yama === '3') return 'kernel.yama.ptrace_scope is 3: ptrace is disabled until reboot; boot without it (set it to 1 or lower in /etc/sysctl.d and reboot)';
  if (yama === '2') return 'kernel.yama.ptrace_scope is 2: only CAP_SYS_PTRACE may trace; run jailtrace as root or sysctl kernel.yama.ptrace_scope=1';
  return 'in a container, allow ptrace (docker run --cap-add=SYS_PTRACE --security-opt seccomp=unconfined); otherwise check the LSM (SELinux deny_ptrace, AppArmor) and run as root';
}

async function probe(stracePath: string): Promise<ProbeAnswer> {
  const v = await runFile(stracePath, ['-V']);
  const version = /version\s+(\S+)/.exec(v.stdout)?.[1] ?? 'unknown';
  if (v.exitCode === undefined) throw new TracerError(`cannot run ${stracePath}: ${v.error?.message ?? v.stderr}`, INSTALL_HINT);

  const plain = await runFile(stracePath, ['-o', '/dev/null', 'true'], { argv0: 'strace' });
  if (plain.exitCode !== 0) {
    const msg = plain.stderr.trim() || plain.error?.message || (plain.signal ? `killed by ${plain.signal}` : `exit ${plain.exitCode}`);
    if (PTRACE_REFUSED.test(msg)) throw new TracerError(`ptrace not permitted: ${msg}`, await ptraceHint());
    throw new TracerError(`strace cannot trace /bin/true: ${msg}`, await ptraceHint());
  }
  const bpf = await runFile(stracePath, ['-f', '--seccomp-bpf', '-e', 'trace=close', '-o', '/dev/null', 'true'], { argv0: 'strace' });
  // strace prints a warning and carries on without the filter when the kernel lacks it: count that as "no".
  const seccompBpf = bpf.exitCode === 0 && !/seccomp/i.test(String(bpf.stderr ?? ''));
  return { version, seccompBpf };
}

/** What strace at `stracePath` can do: from the probe cache when strace, the kernel and our privileges are unchanged. */
export async function probeStrace(stracePath: string, o: CachedProbeOptions = {}): Promise<StraceInfo> {
  return { path: stracePath, ...(await cachedProbe(stracePath, probe, o)) };
}

let cached: Promise<StraceInfo> | undefined;

/** strace on PATH, probed once. Throws TracerError when missing or when ptrace is refused. */
export function findStrace(): Promise<StraceInfo> {
  cached ??= (async () => {
    const found = (await whichExecutable('strace')) ?? (await whichExecutable('/usr/bin/strace'));
    if (!found) throw new TracerError('strace is not installed', INSTALL_HINT);
    return probeStrace(found);
  })();
  // a failed probe is not cached: the user may fix it and retry in the same process
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
