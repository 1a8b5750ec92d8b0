/**
 * Manifests → what a jail script must fetch from the host, decided on a machine that cannot see the host's files.
 * Pure: the laptop only knows paths and operations, so the type of each path is guessed from how it was used
 * (chdir → directory, connect → socket, a platform device → device, anything else → file); the generated script
 * looks at the real host and does what the host has (a directory where a file was guessed is made as a directory).
 *
 * Paths are in the jail's coordinates, which are the host's own: an access made inside a chroot (`jailPath`) names
 * the path the jailed program used, and the script copies that path from the host's real root. When a trace shows a
 * chroot, accesses made outside it (the helper that chroots, its own config) are not jail content.
 */
import { decide, isSecret, type Decided, type Facts, type HostType } from '../expand/classify.js';
import { entryBytes, type Manifest } from '../manifest/manifest.js';
import type { PlatformInfo } from '../platforms/types.js';
import type { Op, Platform } from '../syscalls.js';

export interface HostScriptInput {
  manifests: readonly Manifest[];
  /** The platform of the host the traces came from, and where the script will run. */
  platform: PlatformInfo;
  /** The jail directory on the host (the script's default; `sh SCRIPT JAIL` overrides it). */
  jail: string;
  /** Jail users: root and these get passwd/group lines and a home inside the jail. */
  users: readonly string[];
  /** Host directories whose content is workload data (never copied). */
  excludes?: readonly string[];
  /** Device nodes made beyond the platform's safe list (PlatformInfo.devices). */
  allowDevices?: readonly string[];
  /** Jail paths that keep their setuid/setgid bits (stripped otherwise, as `build` does). */
  keepSetuid?: readonly string[];
  /** jailtrace's version, for the header. */
  version?: string;
}

/**
 * One path the script fetches. `need`: report it when the host lacks it; `exec`: also its `#!` interpreter and what
 * the host's ldd (or dump -H) lists; `want`: silently skipped when the host lacks it (loaders, NSS pieces).
 */
export interface HostNeed {
  path: string;
  kind: 'need' | 'exec' | 'want';
  why: string;
}

export interface LeftOut {
  path: string;
  why: string;
}

export interface HostNeeds {
  platform: Platform;
  needs: HostNeed[];
  /** Trace paths the script does not fetch, and why (secrets, sockets, failed accesses, outside the chroot...). */
  leftOut: LeftOut[];
  /** Sockets the programs connected to: a server makes them; see the platform's syslog advice. */
  sockets: string[];
  /** Write the filtered passwd/group (the trace read account data, or users were named). */
  accounts: boolean;
  /** The trace reached a name service over a door or socket the jail will not have: copy NSS config and modules. */
  nameService: boolean;
  /** Shown in the script header and the command's summary. */
  warnings: string[];
  /** Some process in the traces called chroot. */
  chrooted: boolean;
}

/**
 * Where a name-service daemon listens. A jail has no such door or socket, so libc falls back to the NSS modules and
 * /etc/nsswitch.conf, which the trace then never showed (Solaris: nscd's door; glibc: nscd's socket).
 */
export const NAME_SERVICE_RENDEZVOUS: readonly string[] = ['/var/run/name_service_door', '/var/run/nscd/socket', '/var/run/.nscd_socket', '/run/nscd/socket'];

/**
 * No loader to copy means the kernel maps shared libraries itself at exec time (AIX): truss shows `__loadx` / `kload`
 * without the libraries' paths, so a trace never lists them.
 */
export const librariesInvisible = (p: PlatformInfo): boolean => p.loaders.length === 0;

/** `/usr/lib/libc.a(shr.o)` (an AIX archive member) → `/usr/lib/libc.a`, the file to copy. */
export const archiveOf = (p: string): string => p.replace(/^(.*\.a)\([^/()]*\)$/, '$1');

interface Gathered {
  ops: Set<Op>;
  /** ops of every attempt, failed ones too (for guessing the type: a failed connect is still a socket) */
  tried: Set<Op>;
  ok: boolean;
  /** exec attempts that failed, by pid */
  failedExecPids: Set<number>;
  targets: Set<string>;
  syscall: string;
  line: number;
  file?: string;
}

const underAny = (p: string, dirs: readonly string[]): boolean => dirs.some((d) => d !== '/' && (p === d || p.startsWith(d.endsWith('/') ? d : `${d}/`)));
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** How a path was used → the type it most likely has on the host (the script checks). */
function guessType(path: string, ops: ReadonlySet<Op>, p: PlatformInfo): HostType {
  if (ops.has('connect')) return 'socket';
  if (ops.has('chdir') || ops.has('chroot') || ops.has('list')) return 'dir';
  // Only the safe list is known to be devices here; the script looks at the host's type and makes no other device
  // node unless --allow-device names it (dev_ok in host-script.ts).
  if (p.devices.includes(path)) return 'char';
  return 'file';
}

export function planHostNeeds(input: HostScriptInput): HostNeeds {
  const p = input.platform;
  const excludes = [...(input.excludes ?? []), input.jail];
  const gathered = new Map<string, Gathered>();
  const leftOut: LeftOut[] = [];
  const warnings: string[] = [];
  const chrooted = input.manifests.some(
    (m) => m.processes.some((pr) => pr.root !== undefined) || m.entries.some((e) => e.accesses.some((a) => a.jailPath !== undefined)),
  );
  const execOk = new Map<number, Set<string>>(); // pid → basenames exec'd successfully

  for (const m of input.manifests) {
    for (const e of m.entries) {
      const bytes = entryBytes(e);
      const host = bytes.toString('utf8');
      if (!Buffer.from(host, 'utf8').equals(bytes)) {
        leftOut.push({ path: e.path, why: 'not valid UTF-8: cannot be written into a sh script faithfully' });
        continue;
      }
      for (const a of e.accesses) {
        const raw = a.jailPath ?? (chrooted ? undefined : host);
        if (raw === undefined) {
          if (a.ok && a.op !== 'chroot') leftOut.push({ path: host, why: 'used outside the chroot (by the process that chroots): not jail content' });
          continue;
        }
        const path = archiveOf(raw);
        if (!path.startsWith('/')) continue; // unresolved relative path: parse notes it
        let g = gathered.get(path);
        if (!g) {
          g = {
            ops: new Set(),
            tried: new Set(),
            ok: false,
            failedExecPids: new Set(),
            targets: new Set(),
            syscall: a.syscall,
            line: a.line,
            file: m.source.files[a.file ?? 0],
          };
          gathered.set(path, g);
        }
        g.tried.add(a.op);
        if (a.ok) {
          if (!g.ok) Object.assign(g, { syscall: a.syscall, line: a.line, file: m.source.files[a.file ?? 0] });
          g.ok = true;
          g.ops.add(a.op);
          if (a.op === 'readlink' && a.target?.startsWith('/')) g.targets.add(a.target);
          if (a.op === 'exec') {
            const s = execOk.get(a.pid) ?? new Set<string>();
            s.add(base(path));
            execOk.set(a.pid, s);
          }
        } else if (a.op === 'exec') g.failedExecPids.add(a.pid);
      }
    }
  }

  const needs = new Map<string, HostNeed>();
  const add = (n: HostNeed): void => {
    const old = needs.get(n.path);
    if (!old || (old.kind !== 'exec' && n.kind === 'exec') || (old.kind === 'want' && n.kind === 'need')) needs.set(n.path, old ? { ...n, why: old.why } : n);
  };
  const sockets: string[] = [];
  let accounts = input.users.length > 0;
  let nameService = false;
  const generatedDbs = p.sh.accountDbs;
  const opts = { allowSecrets: new Set<string>(), allowDevices: new Set(input.allowDevices ?? []), fullPasswd: false };

  for (const [path, g] of [...gathered].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (path === '/') continue; // the jail root itself
    if (underAny(path, excludes)) {
      leftOut.push({ path, why: 'under an excluded directory or the jail itself' });
      continue;
    }
    if (NAME_SERVICE_RENDEZVOUS.includes(path)) {
      if (g.ok) nameService = true;
      leftOut.push({ path, why: 'name-service door/socket: its daemon makes it; the NSS configuration and modules are copied instead' });
      continue;
    }
    const where = `${g.syscall}, ${g.file ? `${g.file}:` : 'line '}${g.line}`;
    // An exec that failed and was never retried under the same name elsewhere (not a PATH search): the jail lacked it.
    const missingExec = !g.ok && [...g.failedExecPids].some((pid) => !execOk.get(pid)?.has(base(path)));
    const wordexp = g.failedExecPids.size > 0 && p.wordexpShells.includes(path);
    const ops = g.ok ? g.ops : new Set<Op>(missingExec || wordexp ? ['exec'] : []);
    const facts: Facts = { path, ops, failedOnly: !g.ok && !missingExec && !wordexp, type: guessType(path, g.tried, p), via: 'trace' };
    const d: Decided = decide(facts, p, opts);
    if (d.role === 'account' || generatedDbs.includes(path)) {
      if (g.ok) accounts = true;
      leftOut.push({ path, why: 'generated: root and the jail users only' });
      continue;
    }
    if (d.role === 'socket') {
      sockets.push(path);
      leftOut.push({ path, why: d.reason });
      continue;
    }
    if (d.decision === 'skip' || d.decision === 'report-only') {
      leftOut.push({ path, why: d.reason });
      continue;
    }
    const why =
      wordexp && !g.ok
        ? `wordexp() shell: its exec failed in the trace (${where}), the jail lacked it`
        : missingExec
          ? `exec failed in the trace (${where}) and was not found elsewhere: the jail lacked it`
          : `${d.role}: ${d.reason} (${where})`;
    add({ path, kind: ops.has('exec') ? 'exec' : 'need', why });
    for (const t of g.targets) if (!isSecret(t)) add({ path: archiveOf(t), kind: 'need', why: `target of ${path} (readlink/resolvepath)` });
  }

  for (const l of p.loaders) add({ path: l, kind: 'want', why: 'dynamic loader: the kernel maps it without an open the trace shows' });
  for (const c of p.loaderConfig) add({ path: c, kind: 'want', why: 'loader configuration (copied when the host has it)' });
  if (nameService) {
    for (const c of p.nss.config) {
      if (isSecret(c) || generatedDbs.includes(c) || c === '/etc/passwd' || c === '/etc/group') continue;
      add({ path: c, kind: 'want', why: 'name-service configuration: the jail has no name-service door/socket, libc reads the files' });
    }
  }

  const execs = [...needs.values()].filter((n) => n.kind === 'exec');
  if (librariesInvisible(p) && execs.length > 0) {
    warnings.push(
      `${p.name}: the kernel loads shared libraries at exec time and truss shows __loadx/kload without their paths, so this trace does not list the ` +
        `libraries of ${execs.length} executed program${execs.length === 1 ? '' : 's'}: the script resolves them on the host with ldd (or dump -H) and copies them`,
    );
  }
  // made from a trace the tracer lost (src/untraceable): what the program needed after that line is not in this script
  for (const m of input.manifests)
    for (const l of m.tracerLost ?? []) warnings.push(`made from a trace the tracer lost: ${l.file ?? m.source.files[0]}:${l.line}: ${l.message}`);
  for (const m of input.manifests)
    if (m.warningCount > 0)
      warnings.push(`${m.source.files.join(', ')}: ${m.warningCount} parse warning${m.warningCount === 1 ? '' : 's'} (jailtrace parse shows them)`);

  const seenLeft = new Set<string>();
  const left = leftOut.filter((l) => !needs.has(l.path) && !seenLeft.has(l.path) && seenLeft.add(l.path));
  return { platform: p.name, needs: [...needs.values()], leftOut: left, sockets, accounts, nameService, warnings, chrooted };
}

/** NSS module patterns the script can expand with a shell glob on the host (a pattern with a wildcard directory cannot). */
export const nssGlobs = (p: PlatformInfo): string[] => p.nss.modules.filter((m) => m.startsWith('/') && !m.slice(0, m.lastIndexOf('/')).includes('*'));
