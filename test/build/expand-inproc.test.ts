/**
 * Expansion in-process (the CLI tests reach it only through dist/): addInterpreters (ELF PT_INTERP, `#!`, `#!/usr/bin/env
 * cmd`), addStaticDeps, symlinks on the way (relative, absolute, loops), who may swap a name (swappableIn), excludes,
 * failed-only and missing paths, and the secrets: for each, what IS copied next to what is not.
 * Root: the scratch files (in /var/lib, not /tmp) must be root's for expansion to treat them as jail content (a name a user owns is theirs).
 */
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Expander, type ExpandOptions, type JailEntry } from '../../src/expand/expand.js';
import type { Manifest } from '../../src/manifest/manifest.js';
import { linux } from '../../src/platforms/linux.js';
import { isRoot } from '../jail/helpers.js';
import { readManifest } from './read-manifest.js';

const LD = realpathSync('/lib64/ld-linux-x86-64.so.2');
const DASH = realpathSync('/bin/sh');
const TRUE = realpathSync('/bin/true');

const ex = (over: Partial<ExpandOptions> = {}) => new Expander({ platform: linux, excludes: [], allowSecrets: new Set(), fullPasswd: false, ...over });
const copied = (e: Expander) => [...e.entries.values()].filter((x) => x.decision === 'copy').map((x) => x.path);
const pick = (e: JailEntry | undefined) => (e ? { role: e.role, decision: e.decision, via: e.via, from: e.from } : undefined);

const manifest = (entries: { path: string; accesses: { op: string; ok: boolean; errno?: string }[] }[]): Manifest =>
  ({
    ...readManifest([]),
    entries: entries.map((e) => ({ path: e.path, accesses: e.accesses.map((a, i) => ({ pid: 1, line: i + 1, syscall: 'openat', ...a })) })),
  }) as Manifest;

describe.skipIf(!isRoot)("expansion in-process (needs root: scratch files must be root's to count as jail content)", () => {
  let dir: string;
  beforeAll(async () => {
    // not under /tmp: below a world-writable directory every name a user owns is shared-tmp, never user-controlled
    dir = await mkdtemp('/var/lib/jt-expand-inproc-');
    await chmod(dir, 0o755);
    const w = (rel: string, text: string, mode = 0o755) => writeFile(path.join(dir, rel), text, { mode });
    await w('sh-script', '#!/bin/sh\necho hi\n');
    await w('env-script', '#!/usr/bin/env dash\necho hi\n');
    await w('env-abs', `#!/usr/bin/env ${DASH}\necho hi\n`);
    await w('env-missing', '#!/usr/bin/env jt-no-such-command\n');
    await w('plain', 'no shebang, no ELF\n', 0o644);
    await w('data.txt', '#!/bin/sh\n', 0o644); // role data: a #! in data is not followed... unless data is a role that is
    await mkdir(path.join(dir, 'lib'));
    await symlink('lib', path.join(dir, 'rel'));
    await symlink(path.join(dir, 'lib'), path.join(dir, 'abs'));
    await writeFile(path.join(dir, 'lib', 'f'), 'x');
    await symlink('loop', path.join(dir, 'loop'));
    await mkdir(path.join(dir, 'grp'));
    await chown(path.join(dir, 'grp'), 0, 50);
    await chmod(path.join(dir, 'grp'), 0o775);
    await writeFile(path.join(dir, 'grp', 'f'), 'x');
    await mkdir(path.join(dir, 'grp0'));
    await chmod(path.join(dir, 'grp0'), 0o775); // group-writable by root's group: still root's alone
    await writeFile(path.join(dir, 'grp0', 'f'), 'x');
    await mkdir(path.join(dir, 'sticky'));
    await chmod(path.join(dir, 'sticky'), 0o1777);
    await writeFile(path.join(dir, 'sticky', 'f'), 'x');
    await mkdir(path.join(dir, 'sticky', 'd'));
    await writeFile(path.join(dir, 'sticky', 'd', 'g'), 'x');
    await writeFile(path.join(dir, 'sticky', 'u'), 'x');
    await chown(path.join(dir, 'sticky', 'u'), 65534, 65534);
    await mkdir(path.join(dir, 'open'));
    await chmod(path.join(dir, 'open'), 0o777);
    await writeFile(path.join(dir, 'open', 'f'), 'x');
    await mkdir(path.join(dir, 'users'));
    await chown(path.join(dir, 'users'), 65534, 65534);
    await writeFile(path.join(dir, 'users', 'f'), 'x');
    await mkdir(path.join(dir, 'keys'));
    await writeFile(path.join(dir, 'keys', 'server.key'), 'PRIVATE');
    await writeFile(path.join(dir, 'keys', 'server.crt'), 'PUBLIC');
    await symlink('server.key', path.join(dir, 'keys', 'current'));
    await symlink('server.crt', path.join(dir, 'keys', 'cert.key')); // a public file reached through a secret's name
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const at = (rel: string) => path.join(dir, rel);

  describe('addInterpreters', () => {
    test('an ELF program brings its PT_INTERP as the loader, from the program', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: TRUE, accesses: [{ op: 'exec', ok: true }] }])]);
      expect(e.entries.has(LD)).toBe(false);
      await e.addInterpreters();
      expect(pick(e.entries.get(LD))).toEqual({ role: 'loader', decision: 'copy', via: 'interp', from: TRUE });
      expect(copied(e).sort()).toEqual([LD, TRUE].sort());
    });

    test('a #! script brings its interpreter (through /bin -> usr/bin and sh -> dash), and that one its loader', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: at('sh-script'), accesses: [{ op: 'exec', ok: true }] }])]);
      await e.addInterpreters();
      expect(pick(e.entries.get(DASH))).toEqual({ role: 'shell', decision: 'copy', via: 'shebang', from: at('sh-script') });
      expect(e.entries.get('/bin')).toMatchObject({ role: 'symlink', decision: 'create', via: 'symlink' });
      expect(e.entries.get(LD)).toMatchObject({ role: 'loader', decision: 'copy', via: 'interp', from: DASH }); // the second round
      expect(copied(e).sort()).toEqual([LD, DASH, at('sh-script')].sort());
    });

    test('#!/usr/bin/env dash brings env and dash found on the default PATH', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: at('env-script'), accesses: [{ op: 'exec', ok: true }] }])]);
      await e.addInterpreters();
      expect(pick(e.entries.get('/usr/bin/env'))).toEqual({ role: 'executable', decision: 'copy', via: 'shebang', from: at('env-script') });
      expect(pick(e.entries.get(DASH))).toEqual({ role: 'shell', decision: 'copy', via: 'shebang', from: at('env-script') });
      expect(e.warnings).toEqual([]);
    });

    test('#!/usr/bin/env /abs/path takes the path as it is', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: at('env-abs'), accesses: [{ op: 'exec', ok: true }] }])]);
      await e.addInterpreters();
      expect(e.entries.get(DASH)).toMatchObject({ decision: 'copy', via: 'shebang', from: at('env-abs') });
    });

    test('#!/usr/bin/env of a command not on PATH is a warning naming the script; env still comes in', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: at('env-missing'), accesses: [{ op: 'exec', ok: true }] }])]);
      await e.addInterpreters();
      expect(e.warnings).toEqual([`${at('env-missing')}: #!/usr/bin/env jt-no-such-command: jt-no-such-command not found on PATH`]);
      expect(e.entries.get('/usr/bin/env')?.decision).toBe('copy');
    });

    test('a file that is neither script nor ELF, and files not copied, bring nothing', async () => {
      const e = ex();
      await e.addManifests([
        manifest([
          { path: at('plain'), accesses: [{ op: 'read', ok: true }] },
          { path: at('sh-script'), accesses: [{ op: 'exec', ok: false, errno: 'EACCES' }] },
        ]),
      ]);
      const before = [...e.entries.keys()].sort();
      await e.addInterpreters();
      expect([...e.entries.keys()].sort()).toEqual(before);
      expect(e.entries.get(at('sh-script'))?.decision).toBe('report-only');
    });

    test('a #! line in a file of another role (a config under /etc is not) is not followed; in data it is', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: at('data.txt'), accesses: [{ op: 'read', ok: true }] }])]);
      await e.addInterpreters();
      expect(e.entries.get(at('data.txt'))?.role).toBe('data');
      expect(e.entries.get(DASH)?.via).toBe('shebang'); // 'data' is in the list: a script run by name through an interpreter
    });
  });

  describe('addStaticDeps', () => {
    test('the DT_NEEDED closure of a copied ELF comes in as needed libraries, from the file that needs them', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: TRUE, accesses: [{ op: 'exec', ok: true }] }])]);
      await e.addStaticDeps();
      const libc = realpathSync('/lib/x86_64-linux-gnu/libc.so.6');
      expect(pick(e.entries.get(libc))).toEqual({ role: 'library', decision: 'copy', via: 'needed', from: TRUE });
      expect(e.warnings).toEqual([]);
    });

    test('nothing copied: nothing added', async () => {
      const e = ex();
      await e.addManifests([manifest([{ path: TRUE, accesses: [{ op: 'exec', ok: false, errno: 'EACCES' }] }])]);
      const before = e.entries.size;
      await e.addStaticDeps();
      expect(e.entries.size).toBe(before);
    });
  });

  describe('symlinks on the way', () => {
    test('a relative symlink is kept and followed; the file behind it is copied, from the traced name', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('rel/f')])]);
      expect(pick(e.entries.get(at('rel')))).toEqual({ role: 'symlink', decision: 'create', via: 'symlink', from: at('rel/f') });
      expect(pick(e.entries.get(at('lib/f')))).toEqual({ role: 'data', decision: 'copy', via: 'trace', from: at('rel/f') });
      expect(e.entries.get(at('rel'))?.host?.target).toBe('lib');
    });

    test('an absolute symlink is followed too', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('abs/f')])]);
      expect(e.entries.get(at('lib/f'))?.decision).toBe('copy');
    });

    test('a traced symlink itself is via trace; a loop is a warning, not a hang', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('rel'), at('loop')])]);
      expect(e.entries.get(at('rel'))).toMatchObject({ via: 'trace', decision: 'create' });
      expect(e.entries.get(at('lib'))).toMatchObject({ decision: 'create' });
      expect(e.warnings).toEqual([`${at('loop')}: too many levels of symbolic links`]);
    });

    test('a path reached through a symlink into an excluded place stays out; reached directly it is out too', async () => {
      const e = ex({ excludes: [at('lib')] });
      await e.addManifests([readManifest([at('rel/f'), at('lib/f')])]);
      expect(e.entries.has(at('lib/f'))).toBe(false);
      expect(e.entries.get(at('rel'))?.decision).toBe('create');
      const twin = ex({ excludes: [at('li')] }); // a prefix of the name, not a directory above it: not excluded
      await twin.addManifests([readManifest([at('lib/f')])]);
      expect(twin.entries.get(at('lib/f'))?.decision).toBe('copy');
    });
  });

  describe('who may swap a name', () => {
    test.each<[string, string, object]>([
      ["a directory of root's group, group-writable", 'grp0/f', { decision: 'copy', sharedDir: undefined, userDir: undefined }],
      ['a directory a group can write', 'grp/f', { decision: 'skip', role: 'user-controlled', sharedDir: 'grp', userDir: true }],
      ['a directory a user owns', 'users/f', { decision: 'skip', role: 'user-controlled', sharedDir: 'users', userDir: true }],
      ["root's file below a sticky world-writable directory", 'sticky/f', { decision: 'copy', sharedDir: undefined }],
      ["root's file two levels below it", 'sticky/d/g', { decision: 'copy', sharedDir: undefined }],
      ["a user's file below it", 'sticky/u', { decision: 'skip', role: 'shared-tmp', sharedDir: 'sticky', userDir: undefined }],
      ["root's file below a world-writable directory without the sticky bit", 'open/f', { decision: 'skip', role: 'shared-tmp', sharedDir: 'open' }],
    ])('%s: %s', async (_t, rel, want) => {
      const e = ex();
      await e.addManifests([readManifest([at(rel)])]);
      const w = { ...want } as Record<string, unknown>;
      if (typeof w.sharedDir === 'string') w.sharedDir = at(w.sharedDir);
      const got = e.entries.get(at(rel)) as unknown as Record<string, unknown>;
      expect(Object.fromEntries(Object.keys(w).map((k) => [k, got[k]]))).toEqual(w); // undefined: the field is absent
    });
  });

  describe('secrets: what is copied, and what is not', () => {
    test('a *.key is skipped, the certificate beside it copied', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('keys/server.key'), at('keys/server.crt')])]);
      expect(copied(e)).toEqual([at('keys/server.crt')]);
      expect(e.entries.get(at('keys/server.key'))).toMatchObject({ role: 'secret', decision: 'skip' });
    });

    test('a key reached through an innocent name is skipped, the link kept; named with --allow-secret it is copied', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('keys/current')])]);
      expect(e.entries.get(at('keys/server.key'))).toMatchObject({ role: 'secret', decision: 'skip' });
      expect(e.entries.get(at('keys/current'))).toMatchObject({ role: 'symlink', decision: 'create' });
      const allowed = ex({ allowSecrets: new Set([at('keys/server.key')]) });
      await allowed.addManifests([readManifest([at('keys/current')])]);
      expect(copied(allowed)).toEqual([at('keys/server.key')]);
    });

    test("a public file reached through a secret's name is a secret (its name says so); allowing that name copies it", async () => {
      const e = ex();
      await e.addManifests([readManifest([at('keys/cert.key')])]);
      expect(e.entries.get(at('keys/server.crt'))).toMatchObject({ role: 'secret', decision: 'skip', secretName: at('keys/cert.key') });
      expect(copied(e)).toEqual([]);
      const allowed = ex({ allowSecrets: new Set([at('keys/cert.key')]) });
      await allowed.addManifests([readManifest([at('keys/cert.key')])]);
      expect(copied(allowed)).toEqual([at('keys/cert.key'), at('keys/server.crt')]); // the link (a secret's name) and its file
    });

    test('/etc/shadow is skipped, /etc/passwd generated, /etc/hostname copied; --full-passwd copies passwd, never shadow', async () => {
      const e = ex();
      await e.addManifests([readManifest(['/etc/shadow', '/etc/passwd', '/etc/hostname'])]);
      expect(['/etc/shadow', '/etc/passwd', '/etc/hostname'].map((p) => e.entries.get(p)?.decision)).toEqual(['skip', 'generate', 'copy']);
      const full = ex({ fullPasswd: true });
      await full.addManifests([readManifest(['/etc/shadow', '/etc/passwd'])]);
      expect(copied(full)).toEqual(['/etc/passwd']);
    });
  });

  describe('addManifests', () => {
    test('every access failed: reported with the failed ops, not copied; one success among failures: copied', async () => {
      const e = ex();
      await e.addManifests([
        manifest([
          { path: at('plain'), accesses: [{ op: 'read', ok: false, errno: 'EACCES' }] },
          {
            path: at('lib/f'),
            accesses: [
              { op: 'stat', ok: false, errno: 'ENOENT' },
              { op: 'read', ok: true },
            ],
          },
        ]),
      ]);
      expect(e.entries.get(at('plain'))).toMatchObject({ decision: 'report-only', ops: ['read'], first: { op: 'read', ok: false, errno: 'EACCES' } });
      expect(e.entries.get(at('lib/f'))).toMatchObject({ decision: 'copy', ops: ['read'], first: { op: 'read', ok: true, line: 2, file: 't' } });
    });

    test('a path not on the host is reported missing; its missing parent too', async () => {
      const e = ex();
      await e.addManifests([readManifest([at('nope/deeper')])]);
      expect(e.entries.get(at('nope'))).toMatchObject({ decision: 'report-only', via: 'parent', host: { type: 'missing' } });
      expect(e.entries.has(at('nope/deeper'))).toBe(false);
      await e.addManifests([readManifest([at('gone')])]);
      expect(e.entries.get(at('gone'))).toMatchObject({ decision: 'report-only', via: 'trace', host: { type: 'missing' } });
    });

    test('relative paths are left out; an ancestor of an excluded dir only looked at is left out, one read is kept', async () => {
      const e = ex({ excludes: [at('lib')] });
      await e.addManifests([
        manifest([
          { path: 'relative/x', accesses: [{ op: 'read', ok: true }] },
          { path: dir, accesses: [{ op: 'stat', ok: true }] },
        ]),
      ]);
      expect(e.entries.size).toBe(0);
      const twin = ex({ excludes: [at('lib')] });
      await twin.addManifests([manifest([{ path: dir, accesses: [{ op: 'list', ok: true }] }])]);
      expect(twin.entries.get(dir)?.decision).toBe('create');
    });

    test("a directory's host facts carry no size or mtime; a file's carry size, mtime, dev and inode", async () => {
      const e = ex();
      await e.addManifests([readManifest([at('lib/f')])]);
      expect(e.entries.get(at('lib'))?.host).toMatchObject({ type: 'dir', size: 0, mtimeMs: 0, mode: 0o755, uid: 0 });
      const f = e.entries.get(at('lib/f'))!.host!;
      expect([f.type, f.size, f.mtimeMs > 0, typeof f.ino, typeof f.dev]).toEqual(['file', 1, true, 'number', 'number']);
    });

    test("/proc is never walked: /proc/self/exe is a kernel path, nothing of jailtrace's own comes in", async () => {
      const e = ex();
      await e.addManifests([readManifest(['/proc/self/exe', '/sys/kernel/x'])]);
      expect([...e.entries.keys()].sort()).toEqual(['/proc/self/exe', '/sys/kernel/x']);
      expect(e.entries.get('/proc/self/exe')).toMatchObject({ role: 'kernel', decision: 'skip' });
    });

    test('finalStat follows symlinks; a missing path is undefined', async () => {
      expect(await Expander.finalStat(at('rel'))).toMatchObject({ type: 'dir' });
      expect(await Expander.finalStat(at('nope'))).toBeUndefined();
    });
  });
});
