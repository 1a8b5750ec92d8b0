/**
 * The generated script's run-time readers (ls -ldn device numbers, ldd, dump -H, the loader environment), fed the
 * output that people published from real AIX, FreeBSD and macOS hosts, byte-exact (test/fixtures/published/, each
 * with its .source.md), by fake `ls`, `ldd` and `dump` commands first on PATH, under dash, ksh93 and posh.
 *
 * The fakes replay; where they must also model the tool (dump without -X sees only 32-bit objects, or OBJECT_MODE's;
 * ldd and dump know only the one file they were published for), the model is in fakeBin below. The script's host
 * file test goes through host_has, which the driver answers from a list (the libraries are not on this machine).
 * Set `held-out/` was not looked at while the readers were fixed; its rows run in their own describe.
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { platformInfo } from '../../src/platforms/index.js';
import { renderHostScript } from '../../src/script/host-script.js';
import type { Platform } from '../../src/syscalls.js';
import { tempDir } from '../jail/helpers.js';

const FIX = path.resolve('test/fixtures/published');
const SHELLS = ['dash', 'ksh93', 'posh'];

let base: string;
let bin: string;
/** Which of the shells are installed (decided at load, so a missing one is a visible skip, not a silent pass). */
const onPath = (s: string): boolean => (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(path.join(d, s)));
const AVAILABLE = new Map(SHELLS.map((s) => [s, onPath(s)] as const));
const shellTitle = (s: string): string => (AVAILABLE.get(s) ? s : `${s} (skipped: not installed here; .ci/run installs ksh and posh)`);
beforeAll(async () => {
  base = await tempDir('published-readers');
  bin = path.join(base, 'bin');
  await fs.mkdir(bin);
  for (const [name, body] of Object.entries(fakeBin)) await fs.writeFile(path.join(bin, name), body, { mode: 0o755 });
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

/**
 * The fakes. Each logs its arguments (and the loader variables it was given) to $FAKE_LOG. Only the file named by
 * $FAKE_FILE has output; any other is "not an object" (exit 1, no output).
 */
const fakeBin: Record<string, string> = {
  dump: `#!/bin/sh
printf 'dump %s|%s\\n' "$*" "$(env | grep -E '^(LIBPATH|LDR_PRELOAD|LDR_PRELOAD64|LD_LIBRARY_PATH[A-Z0-9_]*|LD_PRELOAD[A-Z0-9_]*|OBJECT_MODE)=' | sort | tr '\\n' ' ')" >>"$FAKE_LOG"
all=0
for a in "$@"; do
  case $a in -X32_64 | -X64 | -Xany | any) all=1 ;; esac
  last=$a
done
[ "$last" = "\${FAKE_FILE:-}" ] || exit 1
# model: without -X, dump reads the objects of OBJECT_MODE (default 32-bit) only; a 64-bit file gives no listing
if [ "$all" = 0 ] && [ "\${FAKE_BITS:-32}" != "\${OBJECT_MODE:-32}" ]; then exit 1; fi
cat "$FAKE_OUT"
if [ -n "\${FAKE_ERR:-}" ]; then cat "$FAKE_ERR" >&2; fi
exit "\${FAKE_RC:-0}"
`,
  ldd: `#!/bin/sh
printf 'ldd %s|%s\\n' "$*" "$(env | grep -E '^(LIBPATH|LDR_PRELOAD|LDR_PRELOAD64|LD_LIBRARY_PATH[A-Z0-9_]*|LD_PRELOAD[A-Z0-9_]*|OBJECT_MODE)=' | sort | tr '\\n' ' ')" >>"$FAKE_LOG"
for a in "$@"; do last=$a; done
if [ -n "\${FAKE_LDD:-}" ] && [ "$last" = "\${FAKE_FILE:-}" ]; then
  # model: a preloaded library's dependencies join ldd's answer (Hoard issue 20)
  if [ -n "\${LD_PRELOAD:-}" ] && [ -n "\${FAKE_OUT_PRELOAD:-}" ]; then cat "$FAKE_OUT_PRELOAD"; else cat "$FAKE_OUT"; fi
  exit 0
fi
echo "ldd: $last: not a dynamic executable (fake)" >&2
exit 1
`,
  otool: `#!/bin/sh
printf 'otool %s|\\n' "$*" >>"$FAKE_LOG"
for a in "$@"; do last=$a; done
if [ "$last" = "\${FAKE_FILE:-}" ]; then cat "$FAKE_OUT"; exit 0; fi
echo "otool: $last: not an object file (fake)" >&2
exit 1
`,
  ls: `#!/bin/sh
for a in "$@"; do last=$a; done
if [ -n "\${FAKE_LS:-}" ] && [ "$last" = "$FAKE_LS" ]; then
  grep -F " $FAKE_LS_NAME" "$FAKE_OUT" | grep -E " $(printf '%s' "$FAKE_LS_NAME" | sed 's/[.]/[.]/g')$"
  exit 0
fi
exec /bin/ls "$@"
`,
};

/** The script's functions (everything before it starts on the jail), with the fakes first on its PATH. */
function scriptLib(p: Platform): string {
  const s = renderHostScript({ manifests: [], platform: platformInfo(p), jail: '/nonexistent/jail', users: [] });
  const cut = s.indexOf('\nif [ -h "$JAIL" ]');
  if (cut < 0) throw new Error('script layout changed: no jail check');
  return s.slice(0, cut).replace(/^PATH=.*$/m, `PATH=${bin}:/usr/bin:/bin`);
}

interface Run {
  out: string[];
  err: string;
  log: string[];
  code: number | undefined;
}

async function run(shell: string, p: Platform, driver: string, env: Record<string, string>): Promise<Run> {
  const file = path.join(base, `${p}-${shell}-${Math.random().toString(36).slice(2)}.sh`);
  const log = `${file}.log`;
  await fs.writeFile(log, '');
  await fs.writeFile(file, `${scriptLib(p)}\n${driver}\n`);
  const r = await execa(shell, [file], { env: { FAKE_LOG: log, ...env }, extendEnv: true, reject: false, cwd: base });
  const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
  return { out: lines(r.stdout), err: r.stderr, log: lines(await fs.readFile(log, 'utf8')), code: r.exitCode };
}

/** libs_of FILE [MEMBER] with walk replaced by a print: the host paths the script would copy, in order. */
const libsDriver = (has: readonly string[], file: string, member = ''): string => `
HAS=' ${has.join(' ')} '
host_has() { case $HAS in *" $1 "*) return 0 ;; esac; return 1; }
walk() { printf 'walk %s\\n' "$1"; }
libs_of '${file}'${member ? ` '${member}'` : ''}
`;

interface LibCase {
  name: string;
  /** aix unless said */
  platform?: Platform;
  /** ldd's answer when LD_PRELOAD is set (the fake's model) */
  preload?: string;
  fixture: string;
  file: string;
  member?: string;
  bits?: 32 | 64;
  rc?: number;
  err?: string;
  ldd?: boolean;
  env?: Record<string, string>;
  has: string[];
  walked: string[];
  /** what the fakes were asked: the published file only (no second ldd/dump of what ldd listed) */
  askedOnly?: string;
  warn?: RegExp;
}

const AIX_LIBS: LibCase[] = [
  {
    name: '32-bit program, dump -H (nloptr): the search path, ".." (the program itself) skipped',
    fixture: 'dev/aix-nloptr.dump-H.out',
    file: '/opt/R/nloptr.so',
    has: ['/usr/lib/libc.a', '/opt/freeware/lib/gcc/powerpc-ibm-aix6.1.0.0/4.8.3/libgcc_s.a'],
    walked: ['/usr/lib/libc.a', '/opt/freeware/lib/gcc/powerpc-ibm-aix6.1.0.0/4.8.3/libgcc_s.a'],
  },
  {
    name: "32-bit program with OBJECT_MODE=64 in root's environment (nloptr)",
    fixture: 'dev/aix-nloptr.dump-H.out',
    file: '/opt/R/nloptr.so',
    env: { OBJECT_MODE: '64' },
    has: ['/usr/lib/libc.a', '/usr/lib/libgcc_s.a'],
    walked: ['/usr/lib/libc.a', '/usr/lib/libgcc_s.a'],
  },
  {
    name: '64-bit program (ruby, IBM i PASE): dump needs -X32_64',
    fixture: 'dev/aix-ruby64.dump-X64-Hv.out',
    file: '/QOpenSys/pkgs/bin/ruby',
    bits: 64,
    has: [
      '/QOpenSys/pkgs/lib/libutil.so.2',
      '/QOpenSys/pkgs/lib/libgmp.so.10',
      '/usr/lib/libbsd.a',
      '/usr/lib/libpthread.a',
      '/usr/lib/libdl.a',
      '/usr/lib/libcrypt.a',
      '/usr/lib/libc.a',
    ],
    walked: [
      '/usr/lib/libbsd.a',
      '/QOpenSys/pkgs/lib/libutil.so.2',
      '/usr/lib/libpthread.a',
      '/QOpenSys/pkgs/lib/libgmp.so.10',
      '/usr/lib/libdl.a',
      '/usr/lib/libcrypt.a',
      '/usr/lib/libc.a',
    ],
  },
  {
    name: 'archive with a non-object member (libunwind.a): dump exits 1 after the imports; they count',
    fixture: 'dev/aix-libunwind.dump-Xany-H.out',
    err: 'dev/aix-libunwind.dump-Xany-H.err',
    rc: 1,
    file: '/usr/lib/libunwind.a',
    member: 'libunwind.so.1',
    has: ['/usr/lib/libc.a', '/usr/lib/libpthread.a'],
    walked: ['/usr/lib/libc.a', '/usr/lib/libpthread.a'],
  },
  {
    name: 'search path ".:/usr/lib:/lib" (foo linked with -L.): "." is skipped with a warning, never ./libfoo.a',
    fixture: 'dev/aix-foo-dot.dump-H.out',
    file: '/home/u/foo',
    has: ['/usr/lib/libc.a', './libfoo.a'],
    walked: ['/usr/lib/libc.a'],
    warn: /relative/,
  },
  {
    name: 'ldd (wazuh libdbsync.so): its answer is complete; /unix dropped; no ldd or dump of the libraries it lists',
    fixture: 'dev/aix-wazuh.ldd.out',
    file: '/var/ossec/lib/libdbsync.so',
    ldd: true,
    has: [],
    walked: [
      '/var/ossec/lib/libwazuhext.so',
      '/opt/freeware/lib/gcc/powerpc-ibm-aix6.1.0.0/6.3.0/libstdc++.a',
      '/opt/freeware/lib/gcc/powerpc-ibm-aix6.1.0.0/6.3.0/libgcc_s.a',
      '/usr/lib/libpthreads.a',
      '/usr/lib/libc.a',
      '/usr/lib/libpthreads.a',
      '/usr/lib/libcrypt.a',
    ],
    askedOnly: '/var/ossec/lib/libdbsync.so',
  },
];

/** The other platforms' listers, same harness. */
const OTHER_LIBS: LibCase[] = [
  {
    name: "FreeBSD ldd with LD_PRELOAD in root's shell (Hoard): the preload's libraries are not the program's",
    platform: 'freebsd',
    fixture: 'dev/freebsd-hoard.ldd.out',
    preload: 'dev/freebsd-hoard-preload.ldd.out',
    file: '/bin/ls',
    ldd: true,
    env: { LD_PRELOAD: '/usr/local/lib/libhoard.so.1' },
    has: [],
    walked: ['/lib/libutil.so.9', '/lib/libncurses.so.8', '/lib/libc.so.7'],
    askedOnly: '/bin/ls',
  },
  {
    name: 'macOS otool -L of a library (libsrcml): its own install name is not copied twice',
    platform: 'macos',
    fixture: 'dev/macos-libsrcml.otool-L.out',
    file: '/usr/local/lib/libsrcml.dylib',
    ldd: true,
    has: [],
    walked: ['/usr/lib/libxml2.2.dylib', '/usr/lib/libiconv.2.dylib', '/usr/lib/libSystem.B.dylib', '/usr/lib/libc++.1.dylib'],
    askedOnly: '/usr/local/lib/libsrcml.dylib',
  },
];

OTHER_LIBS.push({
  name: 'Solaris 10 ldd with four "(file not found)" (nagios): the rest copied, each missing one warned about',
  platform: 'solaris',
  fixture: 'dev/solaris-nagios.ldd.out',
  file: '/opt/nagios/sbin/statusmap.cgi',
  ldd: true,
  has: [],
  walked: ['/usr/lib/libz.so', '/lib/libm.so.2', '/lib/librt.so.1', '/lib/libc.so.1', '/lib/libaio.so.1', '/lib/libmd.so.1'],
  askedOnly: '/opt/nagios/sbin/statusmap.cgi',
  warn: /statusmap\.cgi: ldd finds no libgd\.so\.2 on this host[\s\S]*libiconv\.so\.2[\s\S]*libpng12\.so\.0[\s\S]*libjpeg\.so\.62/,
});

const OTHER_HELD_OUT: LibCase[] = [
  {
    name: 'held-out: Solaris 10 ldd after the rebuild (nagios), a "(version not found)" line',
    platform: 'solaris',
    fixture: 'held-out/solaris-nagios-after.ldd.out',
    file: '/opt/nagios/sbin/statusmap.cgi',
    ldd: true,
    has: [],
    walked: [
      '/opt/csw/lib/libgd.so.2',
      '/opt/csw/lib/libiconv.so.2',
      '/opt/csw/lib/libpng12.so.0',
      '/opt/csw/lib/libjpeg.so.62',
      '/opt/csw/lib/libz.so',
      '/usr/lib/libm.so.2',
      '/usr/lib/librt.so.1',
      '/usr/lib/libc.so.1',
      '/opt/csw/lib/libXpm.so.4.11',
      '/usr/lib/libX11.so.4',
      '/opt/csw/lib/libfontconfig.so.1',
      '/opt/csw/lib/libfreetype.so.6',
      '/usr/lib/libm.so.1',
      '/usr/lib/libaio.so.1',
      '/usr/lib/libmd.so.1',
      '/usr/lib/libsocket.so.1',
      '/usr/lib/libnsl.so.1',
      '/usr/lib/libXext.so.0',
      '/usr/lib/libdl.so.1',
      '/opt/csw/lib/libexpat.so.0',
      '/usr/lib/libmp.so.2',
      '/usr/lib/libscf.so.1',
      '/usr/lib/libdoor.so.1',
      '/usr/lib/libuutil.so.1',
      '/usr/lib/libgen.so.1',
    ],
    askedOnly: '/opt/nagios/sbin/statusmap.cgi',
  },
  {
    name: 'held-out: FreeBSD 11 i386 ldd /bin/ls (pwntools)',
    platform: 'freebsd',
    fixture: 'held-out/freebsd-pwntools.ldd.out',
    file: '/bin/ls',
    ldd: true,
    has: [],
    walked: ['/lib/libutil.so.9', '/lib/libncurses.so.8', '/lib/libc.so.7'],
    askedOnly: '/bin/ls',
  },
  {
    name: 'held-out: macOS otool -L of a program (srcml)',
    platform: 'macos',
    fixture: 'held-out/macos-srcml.otool-L.out',
    file: '/usr/local/bin/srcml',
    ldd: true,
    has: [],
    walked: ['/usr/lib/libxml2.2.dylib', '/usr/lib/libarchive.2.dylib', '/usr/lib/libSystem.B.dylib', '/usr/lib/libc++.1.dylib'],
    askedOnly: '/usr/local/bin/srcml',
  },
];

const AIX_HELD_OUT: LibCase[] = [
  {
    name: 'held-out: 32-bit program with archive members (sp_ocap), first directory that has each',
    fixture: 'held-out/aix-sp_ocap.dump-H.out',
    file: '/abc/zzz/sp_ocap',
    has: ['/usr/lib/libc.a', '/usr/lib/libpthread.a', '/abc/zzz/libclntsh.a', '/usr/local/lib/libstdc++.a', '/usr/lib/libdl.a', '/usr/local/lib/libgcc_s.a'],
    walked: [
      '/usr/lib/libc.a',
      '/usr/lib/libpthread.a',
      '/usr/lib/libpthread.a',
      '/abc/zzz/libclntsh.a',
      '/usr/local/lib/libstdc++.a',
      '/usr/lib/libdl.a',
      '/usr/local/lib/libgcc_s.a',
    ],
  },
  {
    name: 'held-out: 64-bit shared object (sigar), the title without its indentation',
    fixture: 'held-out/aix-sigar64.dump-X64-H.out',
    file: '/sigar/libsigar-ppc64-aix-7.so',
    bits: 64,
    has: ['/usr/lib/libodm.a', '/usr/lib/libcfg.a', '/usr/lib/libperfstat.a', '/usr/lib/libpthreads.a', '/usr/lib/libc_r.a'],
    walked: ['/usr/lib/libodm.a', '/usr/lib/libcfg.a', '/usr/lib/libperfstat.a', '/usr/lib/libpthreads.a', '/usr/lib/libc_r.a'],
  },
  {
    name: 'held-out: 64-bit shared object importing ".." (fiddle.so)',
    fixture: 'held-out/aix-fiddle64.dump-X64-Hv.out',
    file: '/QOpenSys/pkgs/lib/ruby/3.0.0/powerpc-os400/fiddle.so',
    bits: 64,
    has: ['/usr/lib/libdl.a', '/QOpenSys/pkgs/lib/libffi.so.6', '/usr/lib/libc.a', '/QOpenSys/pkgs/lib/libgcc_s.so.1'],
    walked: ['/usr/lib/libdl.a', '/QOpenSys/pkgs/lib/libffi.so.6', '/usr/lib/libc.a', '/QOpenSys/pkgs/lib/libgcc_s.so.1'],
  },
];

interface DevCase {
  platform: Platform;
  fixture: string;
  /** the name as ls printed it (a path, or a bare name when ls ran in /dev) */
  name: string;
  type: 'c' | 'b';
  majMin: string;
  why: string;
}

/** "Major: 0, Minor: 49" (stat -f "Major: %Hr, Minor: %Lr") -> "0 49". */
function statPair(fixture: string): string {
  const m = /^Major: (\d+), Minor: (\d+)\n$/.exec(readFileSync(path.join(FIX, fixture), 'utf8'));
  if (!m) throw new Error(`${fixture}: not stat -f output`);
  return `${m[1]} ${m[2]}`;
}

const DEVICES: DevCase[] = [
  // The expected pair is read from the published `stat -f "Major: %Hr, Minor: %Lr" /dev/cuau0` of the same host.
  {
    platform: 'freebsd',
    fixture: 'dev/freebsd-devicefiles.ls-la.out',
    name: '/dev/cuau0',
    type: 'c',
    majMin: statPair('dev/freebsd-devicefiles.stat-f.out'),
    why: 'stat -f %Hr %Lr on the same host',
  },
  { platform: 'freebsd', fixture: 'dev/freebsd-devicefiles.ls-la.out', name: '/dev/gpioc0', type: 'c', majMin: '0 45', why: 'sys/sys/types.h minor()' },
  { platform: 'freebsd', fixture: 'dev/freebsd-devicefiles.ls-la.out', name: '/dev/gpioc1', type: 'c', majMin: '0 52', why: 'sys/sys/types.h minor()' },
  {
    platform: 'freebsd',
    fixture: 'dev/freebsd-devicefiles-mmc.ls-l.out',
    name: '/dev/mmcsd0s1',
    type: 'c',
    majMin: '0 89',
    why: "the author's mknod mymmc c 0 89 gave the same 0x59",
  },
  { platform: 'freebsd', fixture: 'dev/freebsd-null-book.ls-l.out', name: '/dev/null', type: 'c', majMin: '0 20', why: 'sys/sys/types.h' },
  {
    platform: 'macos',
    fixture: 'dev/macos-usbserial.ls-l.out',
    name: '/dev/cu.usbserial-DK0D18XC',
    type: 'c',
    majMin: '9 5',
    why: 'bsd/sys/types.h: 8-bit major, 24-bit minor',
  },
  { platform: 'macos', fixture: 'dev/macos-usbserial.ls-l.out', name: '/dev/tty.usbserial-DK0D18XC', type: 'c', majMin: '9 4', why: 'bsd/sys/types.h' },
  { platform: 'aix', fixture: 'dev/aix-oracle.ls-l.out', name: '/dev/null', type: 'c', majMin: '2 2', why: 'major, minor (held before)' },
  { platform: 'aix', fixture: 'dev/aix-oracle.ls-l.out', name: '/dev/zero', type: 'c', majMin: '2 3', why: 'major, minor, a date with the year (held before)' },
];

const DEVICES_HELD_OUT: DevCase[] = [
  { platform: 'freebsd', fixture: 'held-out/freebsd-myfirst.ls-l.out', name: '/dev/myfirst0', type: 'c', majMin: '0 113', why: 'held-out' },
  { platform: 'freebsd', fixture: 'held-out/freebsd-nvme.ls-l.out', name: '/dev/nvme0ns1', type: 'c', majMin: '0 78', why: 'held-out' },
  { platform: 'macos', fixture: 'held-out/macos-ttyw0.ls-la.out', name: 'ttyw0', type: 'c', majMin: '4 112', why: 'held-out' },
  { platform: 'macos', fixture: 'held-out/macos-disk0.ls-la.out', name: 'disk0', type: 'b', majMin: '1 0', why: 'held-out (block device)' },
];

async function checkLibs(shell: string, c: LibCase): Promise<void> {
  const r = await run(shell, c.platform ?? 'aix', libsDriver(c.has, c.file, c.member), {
    FAKE_FILE: c.file,
    ...(c.preload ? { FAKE_OUT_PRELOAD: path.join(FIX, c.preload) } : {}),
    FAKE_OUT: path.join(FIX, c.fixture),
    FAKE_BITS: String(c.bits ?? 32),
    FAKE_RC: String(c.rc ?? 0),
    ...(c.err ? { FAKE_ERR: path.join(FIX, c.err) } : {}),
    ...(c.ldd ? { FAKE_LDD: '1' } : {}),
    ...(c.env ?? {}),
  });
  expect({ walked: r.out.map((l) => l.replace(/^walk /, '')), code: r.code }).toEqual({ walked: c.walked, code: 0 });
  if (c.askedOnly)
    expect(r.log.map((l) => l.replace(/\|.*$/, '').replace(/^(\S+) .* (\S+)$/, '$1 $2'))).toEqual([
      `${c.platform === 'macos' ? 'otool' : 'ldd'} ${c.askedOnly}`,
    ]);
  if (c.warn) expect(r.err).toMatch(c.warn);
}

async function checkDev(shell: string, c: DevCase): Promise<void> {
  const driver = `statof '${c.name}' && printf '%s %s %s\\n' "$_ty" "$_maj" "$_min"`;
  const r = await run(shell, c.platform, driver, { FAKE_LS: c.name, FAKE_LS_NAME: c.name, FAKE_OUT: path.join(FIX, c.fixture) });
  expect({ out: r.out, err: r.err, code: r.code }).toEqual({ out: [`${c.type} ${c.majMin}`], err: '', code: 0 });
}

for (const shell of SHELLS)
  describe.skipIf(!AVAILABLE.get(shell))(shellTitle(shell), () => {
    describe('AIX libraries from published dump -H and ldd output', () => {
      test.each(AIX_LIBS.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
        await checkLibs(shell, c);
      });
    });

    describe('device numbers from published FreeBSD and macOS ls -l output (one hex value)', () => {
      test.each(DEVICES.map((c) => [`${c.platform} ${c.name} -> ${c.majMin} (${c.why})`, c] as const))('%s', async (_n, c) => {
        await checkDev(shell, c);
      });
    });

    describe('FreeBSD ldd and macOS otool -L from published output', () => {
      test.each(OTHER_LIBS.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
        await checkLibs(shell, c);
      });
    });

    test('FreeBSD symlink target from published ls -l (devfs.conf link, relative target)', async () => {
      const r = await run(shell, 'freebsd', `linkof /dev/mymmc && printf '%s\\n' "$_l"`, {
        FAKE_LS: '/dev/mymmc',
        FAKE_LS_NAME: '/dev/mymmc -> mmcsd0s1',
        FAKE_OUT: path.join(FIX, 'dev/freebsd-devicefiles-link.ls-l.out'),
      });
      expect({ out: r.out, code: r.code }).toEqual({ out: ['mmcsd0s1'], code: 0 });
    });

    describe("root's loader environment is cleared before the host is asked", () => {
      const ROWS: Array<[Platform, string[]]> = [
        ['aix', ['LIBPATH', 'LDR_PRELOAD', 'LDR_PRELOAD64', 'LD_LIBRARY_PATH', 'OBJECT_MODE']],
        ['solaris', ['LD_LIBRARY_PATH', 'LD_LIBRARY_PATH_32', 'LD_LIBRARY_PATH_64', 'LD_PRELOAD', 'LD_PRELOAD_32', 'LD_PRELOAD_64']],
        ['freebsd', ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'LD_32_LIBRARY_PATH', 'LD_32_PRELOAD']],
        ['linux', ['LD_LIBRARY_PATH', 'LD_PRELOAD']],
      ];
      test.each(ROWS)('%s: %s', async (p, vars) => {
        const env = Object.fromEntries(vars.map((v) => [v, v === 'OBJECT_MODE' ? '64' : '/usr/lib']));
        const r = await run(shell, p, 'list_libs /opt/freeware/bin/prog >/dev/null 2>&1', {
          ...env,
          FAKE_FILE: '/opt/freeware/bin/prog',
          FAKE_OUT: '/dev/null',
          FAKE_LDD: '1',
        });
        expect(r.log.length).toBeGreaterThan(0);
        for (const l of r.log) expect(l.replace(/^[^|]*\|/, '').trim()).toBe('');
      });
    });
  });

for (const shell of SHELLS)
  describe.skipIf(!AVAILABLE.get(shell))(`held-out published outputs (not used while fixing), ${shellTitle(shell)}`, () => {
    test.each(AIX_HELD_OUT.map((c) => [c.name, c] as const))('AIX: %s', async (_n, c) => {
      await checkLibs(shell, c);
    });
    test.each(OTHER_HELD_OUT.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await checkLibs(shell, c);
    });
    test.each(DEVICES_HELD_OUT.map((c) => [`${c.platform} ${c.name} -> ${c.majMin}`, c] as const))('devices: %s', async (_n, c) => {
      await checkDev(shell, c);
    });
  });
