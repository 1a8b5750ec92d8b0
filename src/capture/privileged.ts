/**
 * Programs that gain privileges when exec'd: setuid, setgid, or with file capabilities. `strace --seccomp-bpf` sets
 * no_new_privs on the traced tree, so such a program would run without them (rssh_chroot_helper's chroot() then fails
 * with EPERM) and the trace would show a run that never happens for real: they are traced without the filter.
 * Reads the host (lstat, getcap); decides nothing else.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { whichExecutable } from './find.js';
import { runFile } from './run-file.js';

export interface PrivilegedProgram {
  path: string;
  why: 'setuid' | 'setgid' | 'file capabilities';
}

/** File capabilities (security.capability), through getcap when installed; undefined when it cannot tell. */
async function hasFileCaps(p: string): Promise<boolean | undefined> {
  const getcap = await whichExecutable('getcap', '/usr/sbin:/sbin:/usr/bin:/bin');
  if (!getcap) return undefined;
  const r = await runFile(getcap, [p], { timeoutMs: 10_000 });
  return r.exitCode === 0 ? r.stdout.trim() !== '' : undefined;
}

/**
 * Of `programs` (the argv's program and any absolute argument that is an executable file, plus programs the caller
 * knows will run, like rssh's helper): those that are setuid, setgid or have file capabilities.
 */
export async function privilegedPrograms(programs: readonly string[], pathEnv = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'): Promise<PrivilegedProgram[]> {
  const out: PrivilegedProgram[] = [];
  const seen = new Set<string>();
  for (const name of programs) {
    const p = name.includes('/') ? path.resolve(name) : await whichExecutable(name, pathEnv);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    const st = await stat(p).catch(() => undefined);
    if (!st?.isFile() || (st.mode & 0o111) === 0) continue;
    if (st.mode & 0o4000) out.push({ path: p, why: 'setuid' });
    else if (st.mode & 0o2000) out.push({ path: p, why: 'setgid' });
    else if (await hasFileCaps(p)) out.push({ path: p, why: 'file capabilities' });
  }
  return out;
}

/** The programs of an argv worth checking: argv[0] and every absolute argument (a chroot prefix's program, say). */
export const argvPrograms = (argv: readonly string[]): string[] => argv.filter((a, i) => i === 0 || a.startsWith('/'));

/**
 * Programs an argv's programs run that the argv does not name: rssh execs its chroot helper (path from `rssh -v`).
 * Rows, by the program's base name.
 */
const RUNS_ALSO: ReadonlyArray<{ name: string; helpers: () => Promise<string[]> }> = [
  {
    name: 'rssh',
    helpers: async () => [
      await import('../rssh/info.js')
        .then((m) => m.rsshInfo())
        .then(
          (i) => i.helper,
          () => DEFAULT_RSSH_HELPER,
        ),
    ],
  },
];
const DEFAULT_RSSH_HELPER = '/usr/local/libexec/rssh_chroot_helper';

export async function helpersOf(argv: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of argvPrograms(argv)) for (const r of RUNS_ALSO) if (path.basename(p) === r.name) out.push(...(await r.helpers()));
  return out;
}

/** The -v note for a trace run without the filter. */
export const privilegedNote = (ps: readonly PrivilegedProgram[]): string =>
  `tracing without --seccomp-bpf: ${ps.map((p) => `${p.path} is ${p.why}`).join(', ')} (the filter sets no_new_privs, which would run it unprivileged)`;
