/**
 * Where the adversary tests happen: a base dir the attacker's user can traverse (its own TMPDIR, sticky and
 * world-writable like /tmp, so the profiles' scratch dirs land where only this test looks), an OUTSIDE dir per attack
 * that must never change, a template jail built once without an attacker, and the checks every test makes.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ensureUser } from '../build/session.js';
import { CLI, makeOutside, outsideState, snapshot } from '../hardening/helpers.js';
import { compileAttacker } from './attacker.js';

export const ATTACKER = 'jt-attacker';

export interface Arena {
  base: string;
  /** TMPDIR of every run: the profiles make /tmp-like scratch dirs here. */
  tmp: string;
  bin: string;
  user: { uid: number; gid: number; home: string };
  /** A fresh OUTSIDE dir (see makeOutside): the attacker's target. */
  outside(tag: string): Promise<Outside>;
  /** A copy of the template jail (built once, no attacker: `build --profile sftp --profile scp --user jt-attacker`). */
  jail(tag: string): Promise<string>;
  /** Empty TMPDIR again (what a crashed run left there), once the attacker is stopped. */
  resetTmp(): Promise<void>;
  done(): Promise<void>;
}

export interface Outside {
  dir: string;
  /** The file symlinks for files point at. */
  file: string;
  before: Awaited<ReturnType<typeof outsideState>>;
  /** sha256 of OUTSIDE's target and etc/passwd, and of /etc/shadow: none may ever be in a jail (OUTSIDE's libc copy may). */
  secrets: Set<string>;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export async function makeArena(tag: string): Promise<Arena> {
  const user = await ensureUser(ATTACKER);
  await mkdir('/srv', { recursive: true });
  const base = await mkdtemp(`/srv/jt-sec-${tag}-`);
  await chmod(base, 0o755); // the attacker reaches TMPDIR and the jails' scratch dirs, as a user reaches /tmp
  const tmp = path.join(base, 'tmp');
  await mkdir(tmp);
  await chmod(tmp, 0o1777);
  const bin = await compileAttacker(base);
  let template: string | undefined;
  return {
    base,
    tmp,
    bin,
    user,
    outside: async (t) => {
      const dir = path.join(base, `outside-${t}`);
      await makeOutside(dir);
      await chmod(path.join(dir, 'target'), 0o600); // a root-only file, as in the issue's reproduction
      const secrets = new Set<string>();
      for (const f of [path.join(dir, 'target'), path.join(dir, 'etc/passwd'), '/etc/shadow']) secrets.add(sha(await readFile(f)));
      return { dir, file: path.join(dir, 'target'), before: await outsideState(dir), secrets };
    },
    jail: async (t) => {
      if (!template) {
        template = path.join(base, 'template');
        const r = await execa(
          'node',
          [CLI, 'build', template, '--profile', 'sftp', '--profile', 'scp', '--user', ATTACKER, '--output-dir', path.join(base, 'template-traces'), '-q'],
          { reject: false, all: true, env: { TMPDIR: tmp } },
        );
        if (r.exitCode !== 0) throw new Error(`template jail: build failed (${r.exitCode}): ${r.all}`);
      }
      const jail = path.join(base, `jail-${t}`);
      await execa('cp', ['-a', template, jail]);
      return jail;
    },
    resetTmp: async () => {
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp);
      await chmod(tmp, 0o1777);
    },
    done: () => rm(base, { recursive: true, force: true }),
  };
}

/** What the attacker did, shortly: for assertion messages. */
export const summary = (planted: string[]): string => {
  const kinds = new Map<string, number>();
  for (const l of planted) kinds.set(l.split(' ')[0], (kinds.get(l.split(' ')[0]) ?? 0) + 1);
  const shown = [
    ...new Set(planted.filter((l) => !l.startsWith('sentinel')).map((l) => l.replace(/\/[^ ]*\/(jailtrace-[a-z]+-|\.jailtrace-verify-)[^/]*/, '…/$1*'))),
  ].slice(0, 12);
  return `attacker planted ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}: ${shown.join('; ')}`;
};

/** Jail files (by path) whose content is one of the secrets. */
export async function secretsIn(jail: string, secrets: Set<string>): Promise<string[]> {
  const entries = await snapshot(jail).catch(() => []);
  return entries.filter((e) => e.sha256 && secrets.has(e.sha256)).map((e) => e.path);
}

/** What changed in OUTSIDE (and the host places outsideState covers): readable lines, empty when nothing did. */
export async function outsideChanges(o: Outside): Promise<string[]> {
  const after: Awaited<ReturnType<typeof outsideState>> = await outsideState(o.dir).catch((e: unknown) => ({ outside: [], host: { error: String(e) } }));
  const key = (e: { path: string }): string => e.path;
  const show = (e: (typeof after.outside)[number]): string =>
    `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.size}${e.sha256 ? ` ${e.sha256.slice(0, 12)}` : ''}${e.target ? ` -> ${e.target}` : ''}`;
  const was = new Map(o.before.outside.map((e) => [key(e), e]));
  const now = new Map(after.outside.map((e) => [key(e), e]));
  const out: string[] = [];
  for (const [p, e] of was) {
    const n = now.get(p);
    if (!n) out.push(`OUTSIDE/${p}: deleted (was ${show(e)})`);
    else if (show(n) !== show(e) || n.ino !== e.ino) out.push(`OUTSIDE/${p}: ${show(e)} became ${show(n)}${n.ino !== e.ino ? ' (new inode)' : ''}`);
  }
  for (const [p, n] of now) if (!was.has(p)) out.push(`OUTSIDE/${p}: appeared (${show(n)})`);
  for (const [k, v] of Object.entries(o.before.host)) if (after.host[k] !== v) out.push(`host ${k} changed`);
  return out;
}
