/**
 * `build --from-rssh-conf`: jails whose workloads are the same by the facts (servers, login shell, NSS files) share
 * one trace; a user whose login shell differs gets a trace of its own; and a jail built from a shared trace is the
 * jail a build of its own makes (the same files, modes, owners and link targets; the record's entries name the same
 * paths with the same decisions).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI } from '../support/cli.js';
import { isRoot } from '../support/root.js';
import { ensureUser } from '../support/users.js';

const ready = isRoot && existsSync('/usr/lib/openssh/sftp-server') && existsSync('/usr/bin/scp');
const tag = randomBytes(3).toString('hex');
const BASE = `/srv/many-share-${tag}`;
// rssh users (a login shell that is not a shell: the servers are traced without one), and a /bin/sh user with no home
const [A, B, C] = ['jtsh-a', 'jtsh-b', 'jtsh-c'];
const jail = (u: string, where = BASE): string => path.join(where, u);

async function traceFiles(j: string): Promise<string[]> {
  const dir = path.join(j, '.jailtrace/traces');
  const runs = await readdir(dir).catch(() => [] as string[]);
  return (await Promise.all(runs.map(async (r) => (await readdir(path.join(dir, r))).filter((f) => f.endsWith('.strace'))))).flat();
}

/** The jail as files: path, type, mode, owner, link target, size (the record dir aside). */
async function tree(j: string): Promise<string[]> {
  const r = await execa('find', [j, '-path', `${j}/.jailtrace`, '-prune', '-o', '-printf', '%P %y %m %u:%g %l %s\n']);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('.jailtrace '))
    .sort();
}

async function entries(j: string): Promise<string[]> {
  const rec = JSON.parse(await readFile(path.join(j, '.jailtrace/manifest.json'), 'utf8')) as {
    entries: Array<{ path: string; role: string; decision: string }>;
  };
  return rec.entries.map((e) => `${e.path} ${e.role} ${e.decision}`);
}

describe.skipIf(!ready)('many jails share one trace (needs root: useradd, strace -u, jails)', () => {
  beforeAll(async () => {
    await ensureUser(A, { shell: '/usr/local/bin/rssh' });
    await ensureUser(B, { shell: '/usr/local/bin/rssh' });
    await ensureUser(C, { shell: '/bin/sh', home: 'none' });
    await mkdir(BASE, { recursive: true, mode: 0o755 });
  });
  afterAll(async () => {
    await rm(BASE, { recursive: true, force: true });
  });

  test('two users with the same workload: one trace; a user whose shell differs: its own', async () => {
    const conf = path.join(BASE, 'rssh.conf');
    await writeFile(conf, ['allowsftp', 'allowscp', ...[A, B, C].map((u) => `user=${u}:022:00011:${jail(u)}`), ''].join('\n'));
    const r = await execa('node', [CLI, 'build', '--from-rssh-conf', conf, '-v'], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
    expect((await traceFiles(jail(A))).length).toBeGreaterThan(0);
    expect(await traceFiles(jail(B))).toEqual([]);
    expect((await traceFiles(jail(C))).length).toBeGreaterThan(0);
    expect(r.all).toContain(`${jail(B)}: the trace of ${jail(A)} serves here too`);
    expect(r.all).toContain('3 jails built; 2 jails traced, 1 reused a trace');
    // the shared jail's record cites the trace it was built from
    const rec = JSON.parse(await readFile(path.join(jail(B), '.jailtrace/manifest.json'), 'utf8')) as { traces: string[]; users: string[] };
    expect(rec.users).toEqual([B]);
    expect(rec.traces.every((t) => t.startsWith(`${jail(A)}/.jailtrace/traces/`))).toBe(true);
    expect(await readFile(path.join(jail(B), 'etc/passwd'), 'utf8')).toMatch(new RegExp(`^${B}:`, 'm'));
    expect(await readFile(path.join(jail(B), 'etc/passwd'), 'utf8')).not.toContain(A);

    // the same jail built alone (its own trace) is the jail the shared trace made
    const alone = path.join(BASE, 'alone');
    await mkdir(alone, { mode: 0o755 });
    const conf1 = path.join(BASE, 'rssh-b.conf');
    await writeFile(conf1, `allowsftp\nallowscp\nuser=${B}:022:00011:${jail(B, alone)}\n`);
    const r1 = await execa('node', [CLI, 'build', '--from-rssh-conf', conf1], { reject: false, all: true });
    expect(r1.exitCode, r1.all).toBe(0);
    expect((await traceFiles(jail(B, alone))).length).toBeGreaterThan(0);
    expect(await tree(jail(B))).toEqual(await tree(jail(B, alone)));
    expect(await entries(jail(B))).toEqual(await entries(jail(B, alone)));
  }, 300_000);
});
