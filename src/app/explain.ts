/**
 * `jailtrace explain PATH`: why a file is in a jail, or why not — the process, syscall and trace line, the rule that
 * added it (PT_INTERP of X, symlink on the way to Y, NSS module loaded for a lookup, wordexp shell, device), and for a
 * missing or skipped one, what to do.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JailEntry } from '../expand/expand.js';
import type { JailRecord } from '../plan/make-plan.js';
import { readJailRecord } from '../check/jail-read.js';
import { UsageError } from '../errors.js';
import type { Manifest } from '../manifest/manifest.js';
import { normalize } from '../model/path.js';
import type { TraceLimits } from '../limits.js';
import { parseTraces } from '../trace.js';
import { shWord } from '../profiles/login-shell.js';
import { requireJailArg } from './jail-arg.js';

export interface Explanation {
  path: string;
  inJail: boolean;
  entry?: JailEntry;
  /** The chain of `from` links up to a traced access: [this, what it was added for, ...]. */
  chain: Array<{ path: string; via: string; role?: string; decision?: string; reason?: string; first?: JailEntry['first'] }>;
  /** Symlinks in the jail on the way from the asked path to the entry. */
  symlinks?: string[];
  /** For a parse manifest: every access of the path. */
  accesses?: Manifest['entries'][number]['accesses'];
  advice: string[];
}

function advise(e: JailEntry | undefined, p: string, jail?: string): string[] {
  if (!e) {
    return [
      `no traced process touched ${p}, and nothing it touched needs it`,
      jail ? `if the program fails without it: jailtrace verify ${shWord(jail)} --fix` : 'trace the workload that needs it',
    ];
  }
  switch (e.decision) {
    case 'copy':
    case 'create':
    case 'generate':
      return [];
    case 'report-only':
      if (e.via === 'parent') return [e.reason];
      if (e.role === 'socket') return ['a socket is created by its server: see jailtrace build output for the syslog line to add'];
      return ['every access failed on the host too: the program tried it and went on (e.g. an optional config file)'];
    case 'skip':
      if (e.role === 'secret')
        return [`copy it only if you must: ${jail ? `jailtrace verify ${shWord(jail)} --fix` : 'jailtrace build JAIL'} --allow-secret ${shWord(p)}`];
      if (e.role === 'device')
        return [
          `make it only if the jail needs it: ${jail ? `jailtrace verify ${shWord(jail)} --fix` : 'jailtrace build JAIL'} --allow-device ${shWord(p)} (the jailed user gets the host's device)`,
        ];
      if (e.role === 'kernel') return ['mount proc in the jail if the program needs it: mount -t proc proc JAIL/proc'];
      return [e.reason];
  }
}

export function explainInRecord(rec: JailRecord, target: string, jail: string = rec.jail): Explanation {
  const p = normalize(target);
  const byPath = new Map(rec.entries.map((e) => [e.path, e]));
  const symlinks: string[] = [];
  const entry = resolveInRecord(byPath, p, symlinks);
  const chain: Explanation['chain'] = [];
  const seen = new Set<string>();
  for (let e = entry; e && !seen.has(e.path); e = e.from ? byPath.get(e.from) : undefined) {
    seen.add(e.path);
    chain.push({ path: e.path, via: e.via, role: e.role, decision: e.decision, reason: e.reason, first: e.first });
    if (!e.from) break;
    if (!byPath.has(e.from)) chain.push({ path: e.from, via: 'trace' });
  }
  const inJail = entry !== undefined && ['copy', 'create', 'generate'].includes(entry.decision);
  return { path: p, inJail, entry, chain, symlinks, advice: advise(entry, p, jail) };
}

/** Follow the jail's symlinks (as recorded) component by component until a path with an entry of its own. */
function resolveInRecord(byPath: Map<string, JailEntry>, p: string, symlinks: string[], depth = 0): JailEntry | undefined {
  const direct = byPath.get(p);
  // the asked path has an entry of its own (a symlink too: explain the link itself)
  if (direct && (direct.host?.type !== 'symlink' || depth === 0)) return direct;
  if (depth > 40) return direct;
  const parts = p.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = '/' + parts.slice(0, i).join('/');
    const e = byPath.get(prefix);
    if (e?.host?.type === 'symlink' && e.host.target !== undefined) {
      symlinks.push(`${prefix} -> ${e.host.target}`);
      const t = e.host.target.startsWith('/') ? e.host.target : path.posix.join(path.posix.dirname(prefix), e.host.target);
      const rest = parts.slice(i).join('/');
      return resolveInRecord(byPath, normalize(rest ? `${t}/${rest}` : t), symlinks, depth + 1) ?? direct;
    }
  }
  return direct;
}

/** PATH as seen inside the jail: `etc/passwd` is `/etc/passwd` there (the jail's root is its `/`). */
export function inJailPath(target: string): string {
  return path.posix.isAbsolute(target) ? target : `/${target}`;
}

export async function explainCommand(target: string, o: { jail?: string; manifest?: string; cwd?: string; limits?: TraceLimits }): Promise<Explanation> {
  if (o.jail) {
    await requireJailArg(o.jail, 'existing', 'explain');
    return explainInRecord(await readJailRecord(o.jail), inJailPath(target), path.resolve(o.jail));
  }
  if (o.manifest) {
    const m = await loadManifest(o.manifest, o.cwd, o.limits);
    const p = normalize(target);
    const e = m.entries.find((x) => x.path === p);
    return {
      path: p,
      inJail: false,
      chain: [],
      accesses: e?.accesses,
      advice: e ? [] : [`${p} does not appear in ${o.manifest}`],
    };
  }
  throw new UsageError('explain needs --jail JAIL or --manifest FILE');
}

async function loadManifest(file: string, cwd?: string, limits?: TraceLimits): Promise<Manifest> {
  if (file.endsWith('.json')) {
    const m = JSON.parse(await readFile(file, 'utf8')) as Manifest;
    if (m.schema === 'jailtrace.manifest/1') return m;
  }
  return parseTraces([file], { cwd, limits });
}
