/**
 * Manifests → a POSIX sh script that builds the jail ON THE HOST the traces came from, looking at the host's files at
 * run time (modes, owners, symlinks, device numbers, libraries): the machine that renders it never sees them. Pure.
 *
 * What the script does, per needed path (src/script/host-needs.ts), in these conventions (same
 * jail-side symlink rule, root-only jail, staged in a root-only directory + rename, `-n` dry run, idempotent):
 *   - first looks at every name on the path's host chain without opening anything (`chain`): a secret there (after
 *     resolving symlinks), a world-writable or sticky directory (workload data), or a name a user could change stops
 *     the path: it is reported and not copied;
 *   - walks the path on the host one component at a time: a symlink is recreated in the jail (target read from
 *     `ls -ld`, readlink is not POSIX) and the walk goes on at its target; a directory is made with the host's mode
 *     (from `ls -ldn`), owned by root (a jail user's home: by the user); the last component is copied by type: `cp -p` for a file (skipped when `cmp` says
 *     it is the same, with the same mode, owner and one link), the platform's `mknod` for a device node (major/minor
 *     from `ls -ln`, one hex value on FreeBSD and macOS decoded as their kernels pack it; FreeBSD: a devfs note instead) only when it is on the platform's safe list (PlatformInfo.devices)
 *     or named with --allow-device (any other is reported, not made), nothing for a socket, FIFO or door;
 *   - for every executed program: its `#!` interpreter, and what the host's `ldd` lists (AIX: `dump -X32_64 -H` when
 *     ldd is missing, followed import by import; `lib.a(member)` → the archive; macOS: `otool -L`), asked with root's
 *     loader environment unset (HostSh.loaderEnv); a library ldd finds nowhere is warned about: on AIX the trace
 *     cannot show library loads, elsewhere it is a safety net for code paths the trace did not take;
 *   - writes /etc/passwd and /etc/group filtered on the host with awk (root + the jail users, password field `x`),
 *     FreeBSD also rebuilds pwd.db with pwd_mkdb, and makes the users' homes.
 * Run as root on the host: `sh SCRIPT [-n] [JAIL]`.
 */
import { DEVICE_NOT_MADE } from '../expand/classify.js';
import { shQuote } from '../sh-quote.js';
import { displayPath } from '../display-path.js';
import { SH_BOOKKEEPING, SH_CONFINE_FUNCTIONS, SH_JAIL_ARG, SH_SYMLINK_BODY } from '../jail/sh-confine.js';
import type { HostSh, PlatformInfo } from '../platforms/types.js';
import { nssGlobs, planHostNeeds, type HostNeeds, type HostScriptInput } from './host-needs.js';

export type { HostScriptInput } from './host-needs.js';

/**
 * dev_word N: _maj and _min from a device number printed as one value, decoded as the kernel packs it.
 * FreeBSD sys/sys/types.h (64-bit dev_t since 12; the same bits as the 32-bit one below 2^32):
 *   major(d) = ((d >> 32) & 0xffffff00) | ((d >> 8) & 0xff); minor(d) = ((d >> 24) & 0xff00) | (d & 0xffff00ff).
 * macOS xnu bsd/sys/types.h: major(x) = (x >> 24) & 0xff; minor(x) = x & 0xffffff.
 * N has been checked to be a number (devnum), so the arithmetic sees digits only.
 */
const DEV_WORD: Record<NonNullable<HostSh['devWord']>, string> = {
  freebsd: '_maj=$(( (($1 >> 32) & 0xffffff00) | (($1 >> 8) & 0xff) ))\n  _min=$(( (($1 >> 24) & 0xff00) | ($1 & 0xffff00ff) ))',
  macos: '_maj=$(( ($1 >> 24) & 0xff ))\n  _min=$(( $1 & 0xffffff ))',
};

function renderDevWord(sh: HostSh): string {
  const body = sh.devWord
    ? `${DEV_WORD[sh.devWord]}
  return 0`
    : 'return 1';
  return `# dev_word N: _maj/_min from one device number as this platform's ls prints it (see DEV_WORD in host-script.ts)
dev_word() {
  ${body}
}
`;
}

/** A name usable in awk -v and sh words without quoting trouble (POSIX portable user names, plus `$` for Samba). */
export const USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;

/** Text for a double-quoted sh string: only `$1`..`$9` placeholders stay live. */
const dq = (s: string): string => s.replace(/[\\"`$]/g, (c) => `\\${c}`);

/** `mknod` per PlatformInfo.mknod; a template that starts with `:` is a note (FreeBSD devfs), not a command. */
function renderDevices(p: PlatformInfo): string {
  const t = p.mknod.trim();
  if (t.startsWith(':')) {
    const text = dq(t.replace(/^:\s*/, ''))
      .replace('{path}', '$1')
      .replace('{type}', '$2')
      .replace('{major}', '$3')
      .replace('{minor}', '$4')
      .replace(/JAIL/g, '$JAIL');
    return `# Device nodes: ${displayPath(t)}\ndevfs_note() {\n  left "${text}"\n}\nmk_node() { return 1; }\n`;
  }
  const cmd = t
    .split(/\s+/)
    .map(
      (w) =>
        ({ '{path}': '"$1"', '{type}': '"$2"', '{major}': '"$3"', '{minor}': '"$4"', '{mode}': '"$5"' })[w] ?? (/^[A-Za-z0-9_./-]+$/.test(w) ? w : shQuote(w)),
    )
    .join(' ');
  return `devfs_note() { return 1; }\n# mk_node PATH TYPE MAJOR MINOR MODE (PlatformInfo.mknod: ${displayPath(t)})\nmk_node() {\n  ${cmd}\n}\n`;
}

/**
 * The `dump -H` arm (AIX). `-X32_64`: dump's default is 32-bit objects (or OBJECT_MODE's), so a 64-bit program got
 * no listing. dump exits 1 when an archive holds a member that is not an object (an import file), after printing the
 * others: its output is read whenever it holds the import table, whatever the status. Of an archive, only the
 * member asked for is read (`lib.a[member]:` headings): the whole archive's imports are not the program's.
 * Import File Strings: index 0 is the search path; others are [PATH] BASE [MEMBER]; BASE ".." or "." is the
 * program itself. A relative search-path entry (".", from -L.) names no fixed place: skipped with a warning.
 */
const DUMP_ARM = `  if command -v dump >/dev/null 2>&1; then
    _lo=$(dump -X32_64 -H "$1" 2>/dev/null)
    case $_lo in
      *'Import File Strings'*)
        printf '@dump\\n'
        _dl=$(printf '%s\\n' "$_lo" | awk -v want="\${2:-}" '
          /^[^ \\t].*:$/ && !/^INDEX/ { cur = ""; if ($0 ~ /\\]:$/) { cur = $0; sub(/^.*\\[/, "", cur); sub(/\\]:$/, "", cur) }; on = 0; next }
          /Import File Strings/ { on = (want == "" || cur == want); n = 0; next }
          !on || $1 !~ /^[0-9]+$/ { next }
          $1 == 0 { k = split($2, d, ":"); for (i = 1; i <= k; i++) if (d[i] ~ /^\\//) dirs[++n] = d[i]; else print "? dump -H lists the relative library directory " (d[i] == "" ? "(empty)" : d[i]) ": skipped (it names no fixed place; copy by hand what the program loads from there)"; next }
          { if ($2 ~ /^\\//) { p = $2; b = $3; m = $4 } else if ($2 ~ /\\//) { print "? dump -H lists the relative library path " $2 ": skipped"; next } else { p = ""; b = $2; m = $3 }
            if (b == "" || b == "." || b == "..") next
            l = (m == "" ? "-" : m)
            if (p != "") l = l " " p "/" b
            else for (i = 1; i <= n; i++) l = l " " dirs[i] "/" b
            print l }')
        _dlifs=$IFS
        IFS='
'
        for _dline in $_dl; do
          IFS=' '
          case $_dline in
            '? '*)
              printf '%s\\n' "$_dline"
              continue
              ;;
          esac
          _dm=\${_dline%% *}
          for _dc in \${_dline#* }; do
            if host_has "$_dc"; then
              if [ "$_dm" = - ]; then printf '%s\\n' "$_dc"; else printf '%s(%s)\\n' "$_dc" "$_dm"; fi
              break
            fi
          done
        done
        IFS=$_dlifs
        return 0
        ;;
    esac
  fi
`;

function renderLister(sh: HostSh): string {
  const ignore = sh.ignore.map((w) => ` && w != ${JSON.stringify(w)}`).join('');
  const words = (tool: string): string =>
    `awk -v self="$1" '/=>[ \\t]*(\\(file not found\\)|not found)/ { print "? ${tool} finds no " $1 " on this host: the program cannot start without it, here or in the jail"; next } { for (i = 1; i <= NF; i++) { w = $i; if (w !~ /^\\//) continue; if (w ~ /:$/) continue; sub(/\\(.*$/, "", w); if (w != self${ignore}) print w } }'`;
  const arms = sh.listers.map((l) => {
    if (l === 'dump -H') return DUMP_ARM;
    const cmd = l === 'ldd' ? 'ldd' : 'otool';
    const run = l === 'ldd' ? 'ldd "$1"' : 'otool -L "$1"';
    return `  if command -v ${cmd} >/dev/null 2>&1 && _lo=$(${run} 2>/dev/null); then
    printf '%s\\n' "$_lo" | ${words(l)}
    return 0
  fi
`;
  });
  const tools = sh.listers.join(' or ');
  return `# list_libs FILE [MEMBER]: the libraries the host's ${tools} lists for FILE (of an archive: its MEMBER), one path
# per line. ldd's answer is complete (archive members -> the archive); dump -H lists direct imports only: its answer
# starts with a line "@dump", names archive members as lib.a(member), to be followed (libs_of), and a relative
# search-path entry, or a library ldd finds nowhere, as a line "? MESSAGE" (libs_of warns: list_libs runs in a
# subshell, where a warning would not be counted).
list_libs() {
${arms.join('')}  if seen "nolister"; then return 0; fi
  printf 'jailtrace: warning: %s\\n' ${shQuote(`${tools} did not list libraries (missing, or not a dynamic executable): copy what the program loads by hand if the jail fails`)} >&2
}
`;
}

/** dev_ok PATH: the device nodes the script makes: the platform's safe list (PlatformInfo.devices) and --allow-device. */
function renderDevOk(p: PlatformInfo, allowed: readonly string[]): string {
  const paths = [...new Set([...p.devices, ...allowed])];
  return `# dev_ok PATH: a device node made in the jail (safe for any jail, or named with --allow-device); any other is not.\ndev_ok() {\n  case $1 in\n${paths.map((d) => `    ${shQuote(d)}) return 0 ;;\n`).join('')}  esac\n  return 1\n}\n`;
}

function renderKeepSetid(paths: readonly string[]): string {
  if (paths.length === 0) return 'keep_setid() { return 1; }\n';
  return `keep_setid() {\n  case $1 in\n${paths.map((p) => `    ${shQuote(p)}) return 0 ;;\n`).join('')}  esac\n  return 1\n}\n`;
}

/** The account step: awk over the host's files, so the jail gets the host's current lines, never the laptop's. */
function renderAccounts(users: readonly string[], sh: HostSh): string {
  const passwd = `awk -F: -v users="$USERS" 'BEGIN { OFS = ":"; n = split(users, u, " "); for (i = 1; i <= n; i++) want[u[i]] = 1 }
    /^[#+-]/ || NF < 4 { next }
    { keep = ($1 in want) }
    !root && $3 ~ /^[0-9]+$/ && $3 == 0 { root = 1; keep = 1 }
    keep && !done[$1]++ { $2 = "x"; print }' /etc/passwd`;
  const group = `awk -F: -v users="$USERS" 'BEGIN { OFS = ":"; n = split(users, u, " "); for (i = 1; i <= n; i++) want[u[i]] = 1 }
    FNR == NR {
      if ($0 ~ /^[#+-]/ || NF < 4) next
      keep = ($1 in want)
      if (!root && $3 ~ /^[0-9]+$/ && $3 == 0) { root = 1; keep = 1 }
      if (keep) { names[$1] = 1; gids[$4] = 1 }
      next
    }
    /^[#+-]/ || NF < 3 { next }
    { m = ""; k = split($4, mem, ","); for (i = 1; i <= k; i++) if (mem[i] in names) m = m (m == "" ? "" : ",") mem[i]
      if (($3 in gids) || m != "") print $1, "x", $3, m }' /etc/passwd /etc/group`;
  const pwdMkdb = sh.pwdMkdb
    ? `  # getpwnam() reads pwd.db here: rebuild it from a master.passwd without password hashes.
  _content=$(printf '%s' "$_passwd" | awk -F: 'BEGIN { OFS = ":" } { print $1, "*", $3, $4, "", 0, 0, $5, $6, $7 }'; echo x)
  _content=\${_content%x}
  _before=$done_n
  write_file /etc/master.passwd 384 0 0
  if [ "$done_n" != "$_before" ] && [ "$dry" = 0 ]; then
    if command -v pwd_mkdb >/dev/null 2>&1; then
      resolve /etc/master.passwd
      pwd_mkdb -d "\${_t%/*}" "$_t" || die "pwd_mkdb failed for $_t"
    else
      warn "pwd_mkdb not found: the jail's pwd.db is not rebuilt"
    fi
  fi
`
    : '';
  const homes =
    users.length === 0
      ? ''
      : `
# homes: as the host has them when it does, else made (parents root 0755, the home the user's, 0755)
for _hn in $USERS; do
  _hl=$(awk -F: -v u="$_hn" '$1 == u { print $6 ":" $3 ":" $4; exit }' /etc/passwd)
  _hh=\${_hl%%:*}
  _hl=\${_hl#*:}
  case $_hh in
    /?*)
      want "$_hh"
      mkdir_p_as "$_hh" "\${_hl%%:*}" "\${_hl#*:}"
      ;;
  esac
done
`;
  return `# ---------------------------------------------------------------- accounts
# root and ${users.length ? users.join(', ') : 'no other user'}: filtered from this host's /etc/passwd and /etc/group
need /etc
_passwd=$(${passwd}; echo x)
_passwd=\${_passwd%x}
_content=$_passwd
write_file /etc/passwd 420 0 0
_content=$(${group}; echo x)
_content=\${_content%x}
write_file /etc/group 420 0 0
${pwdMkdb}${homes}`;
}

/** The jail users, checked on this host, and their homes (HOME:UID:GID lines): only those are not root's in the jail. */
function renderUsers(users: readonly string[]): string {
  return `USERS=${shQuote(users.join(' '))}
_homes='
'
for _hn in $USERS; do
  awk -F: -v u="$_hn" '$1 == u { f = 1 } END { exit !f }' /etc/passwd || die "no user $_hn in /etc/passwd on this host"
  _hl=$(awk -F: -v u="$_hn" '$1 == u { print $6 ":" $3 ":" $4; exit }' /etc/passwd)
  case $_hl in
    /?*) _homes="$_homes$_hl
" ;;
  esac
done
`;
}

function renderBody(n: HostNeeds, p: PlatformInfo, users: readonly string[], sh: HostSh): string {
  const out: string[] = [];
  for (const x of n.needs) {
    out.push(`# ${displayPath(x.why)}\n${x.kind === 'exec' ? 'need_exec' : x.kind} ${shQuote(x.path)}\n`);
  }
  if (n.nameService) {
    const globs = nssGlobs(p);
    if (globs.length > 0) {
      out.push(`# NSS modules: the trace reached a name service over a door/socket the jail has no copy of, so libc loads these
set +f
for _nm in ${globs
        .map((g) =>
          g
            .split('*')
            .map((s) => (s === '' ? '' : shQuote(s)))
            .join('*'),
        )
        .join(' ')}; do
  set -f
  if [ -e "$_nm" ] || [ -h "$_nm" ]; then want "$_nm"; fi
  set +f
done
set -f
`);
    }
  }
  if (n.accounts) out.push(renderAccounts(users, sh));
  return out.join('');
}

/** The whole script. */
export function renderHostScript(input: HostScriptInput): string {
  for (const u of input.users) if (!USER_NAME.test(u)) throw new Error(`user name ${JSON.stringify(u)} is not a portable user name`);
  const n = planHostNeeds(input);
  const p = input.platform;
  const sh = p.sh;
  const files = input.manifests.flatMap((m) => m.source.files.map((f) => `${f} (${m.source.format}, ${m.source.lines} lines)`));
  const comment = (lines: readonly string[]): string => lines.map((l) => `# ${displayPath(l)}\n`).join('');
  const warnings = n.warnings.length ? comment(n.warnings.map((w) => `WARNING: ${w}`)) : '';
  const syslog = comment(p.syslog.map((l) => `  ${l.replaceAll('{jail}', input.jail)}`));
  return `#!/bin/sh
# Generated by jailtrace${input.version ? ` ${input.version}` : ''} for a ${p.name} host: builds the chroot jail ${displayPath(input.jail)} on the host the
# traces came from, looking at this host's files as it runs (modes, owners, symlinks, devices, libraries).
${comment(files.map((f) => `trace: ${f}`))}# ${n.needs.length} paths to fetch${n.accounts ? ', filtered passwd/group' : ''}; ${n.leftOut.length} trace paths left out (jailtrace script lists them).
${warnings}# Usage (as root): sh THIS-SCRIPT [-n] [JAIL]
#   -n    dry run: print what would be done, change nothing
#   JAIL  the jail directory (default: the one above)
# POSIX sh (dash, busybox, FreeBSD sh, AIX ksh, Solaris 11 sh; on Solaris 10 use /usr/xpg4/bin/sh).
# Symlinks in the jail: one among a target's directories is followed only inside the jail, and only if this host
# has the same symlink (this script makes it) or its target is relative without ".."; anything else stops the script
# before it writes. A symlink at the target itself is replaced, never followed; a directory there stops the script.
# Root never follows or reads a host name a user could change, nor anything under a world-writable or sticky
# directory (/tmp: workload data); a secret reached through a symlink is not copied ("secret: not copied").
# Copies are staged in a root-only directory in the jail (mktemp -d) and moved into place; directories are root's,
# except the jail users' homes.
# setuid/setgid bits are dropped from copied files and device nodes${(input.keepSetuid ?? []).length ? ' (except the --keep-setuid paths)' : ''}.
# Programs' libraries: what this host's ${sh.listers.join(' or ')} lists for each executed program is copied too.
# Logging from inside the jail (${p.name}):
${syslog}# Paths below are single-quoted data: "$" and "\\" in them are literal.
# shellcheck disable=SC2016,SC1003
set -u
set -f
set -C
umask 077
PATH=${sh.path}
export PATH
LC_ALL=C
export LC_ALL
${
  sh.loaderEnv.length
    ? `# root's loader environment would change what ldd/dump answer (and what the copies are): cleared
unset ${sh.loaderEnv.join(' ')}
`
    : ''
}JAIL=${shQuote(input.jail)}
${LIB}
${renderKeepSetid(input.keepSetuid ?? [])}${renderDevOk(p, input.allowDevices ?? [])}${renderDevices(p)}${renderDevWord(sh)}${renderLister(sh)}
if [ -h "$JAIL" ]; then die "refusing: the jail root $JAIL is a symlink"; fi
if [ -d "$JAIL" ] && [ "$(cd "$JAIL" && pwd -P)" = / ]; then die "refusing: the jail root $JAIL is the host's /"; fi
if [ ! -d "$JAIL" ]; then
  if [ -e "$JAIL" ]; then die "refusing: the jail root $JAIL is not a directory"; fi
  did "create the jail root $JAIL (0755 root)"
  if [ "$dry" = 0 ]; then
    (umask 022 && mkdir -p "$JAIL") || die "cannot create $JAIL"
    chown -h 0:0 "$JAIL" || die "cannot chown $JAIL"
    chmod 755 "$JAIL" || die "cannot chmod $JAIL"
  fi
fi
if [ -d "$JAIL" ]; then check_jail; fi
JAILP=$JAIL
if [ -d "$JAIL" ]; then JAILP=$(cd "$JAIL" && pwd -P); fi

${renderUsers(input.users)}
${renderBody(n, p, input.users, sh)}
if [ "$dry" = 1 ]; then
  note "jailtrace: dry run, nothing changed: $done_n to do, $same_n up-to-date, $miss_n not on this host, $left_n not copied, $warn_n warnings"
else
  note "jailtrace: $done_n changed, $same_n up-to-date, $miss_n not on this host, $left_n not copied, $warn_n warnings"
fi
`;
}

/** The script's shell functions (see the header of renderHostScript's output). */
const LIB = `
die() {
  printf 'jailtrace: %s\\n' "$*" >&2
  exit 1
}
note() { printf '%s\\n' "$*"; }
warn() {
  warn_n=$((warn_n + 1))
  printf 'jailtrace: warning: %s\\n' "$*" >&2
}

dry=0
while [ "$#" -gt 0 ]; do
  case $1 in
    -n) dry=1 ;;
    -h | --help)
      note "usage: sh $0 [-n] [JAIL]"
      exit 0
      ;;
    --) shift; break ;;
    -*) die "unknown option $1 (usage: sh $0 [-n] [JAIL])" ;;
    *) break ;;
  esac
  shift
done
${SH_JAIL_ARG}
miss_n=0
warn_n=0
${SH_BOOKKEEPING}
left() {
  left_n=$((left_n + 1))
  note "not copied: $*"
}
missing() {
  miss_n=$((miss_n + 1))
  note "not on this host: $*"
}

# seen KEY: true if KEY was handled already; otherwise remembers it.
_seen='
'
seen() {
  case $_seen in
    *"
$1
"*) return 0 ;;
  esac
  _seen="$_seen$1
"
  return 1
}

# linkof PATH: sets _l to the target of symlink PATH, read from ls -ld ("PATH -> TARGET"): readlink is not POSIX.
linkof() {
  _l=$(ls -ld "$1") || die "cannot read symlink $1"
  case $_l in
    *" $1 -> "*) _l=\${_l#*" $1 -> "} ;;
    *) die "cannot read symlink $1 from: $_l" ;;
  esac
}

# modeof PERMS: sets _m (decimal) from an ls permission string such as drwxr-sr-t (ACL markers ignored).
modeof() {
  _m=0
  case $1 in ?r*) _m=$((_m + 256)) ;; esac
  case $1 in ??w*) _m=$((_m + 128)) ;; esac
  case $1 in ???[xs]*) _m=$((_m + 64)) ;; esac
  case $1 in ???[sS]*) _m=$((_m + 2048)) ;; esac
  case $1 in ????r*) _m=$((_m + 32)) ;; esac
  case $1 in ?????w*) _m=$((_m + 16)) ;; esac
  case $1 in ??????[xs]*) _m=$((_m + 8)) ;; esac
  case $1 in ??????[sSl]*) _m=$((_m + 1024)) ;; esac
  case $1 in ???????r*) _m=$((_m + 4)) ;; esac
  case $1 in ????????w*) _m=$((_m + 2)) ;; esac
  case $1 in ?????????[xt]*) _m=$((_m + 1)) ;; esac
  case $1 in ?????????[tT]*) _m=$((_m + 512)) ;; esac
}

octal() { printf '%05o' "$1"; }

# statof PATH: from ls -ldn (never follows a symlink), sets _ty (- d l c b p s D), _m, _n (links), _u, _g, and
# _maj/_min for device nodes. Returns 1 when PATH does not exist.
statof() {
  _ls=$(ls -ldn "$1" 2>/dev/null) || return 1
  # shellcheck disable=SC2086
  set -- $_ls
  _ty=\${1%"\${1#?}"}
  modeof "$1"
  _n=$2
  _u=$3
  _g=$4
  _maj=
  _min=
  case $_ty in
    c | b)
      # "major, minor" (Linux, Solaris, AIX, macOS before file_cmds-352, whose minor may be 0x%08x), or one value
      # (FreeBSD, macOS since file_cmds-352): dev_word decodes it as the kernel packs it.
      case $5 in
        *,?*)
          _maj=\${5%%,*}
          _min=\${5#*,}
          ;;
        *,)
          _maj=\${5%,}
          _min=$6
          ;;
        *)
          _maj=
          _min=$5
          ;;
      esac
      devnum "$_min" || die "cannot read the device number of $1 from: $_ls"
      _min=$_dn
      if [ -n "$_maj" ]; then
        devnum "$_maj" || die "cannot read the device number of $1 from: $_ls"
        _maj=$_dn
      else
        dev_word "$_min" || die "cannot read the device number of $1 from: $_ls (one value where this platform's ls prints major, minor)"
      fi
      ;;
  esac
  return 0
}

# devnum N: _dn from a decimal or 0x hex number as ls prints it; 1 when N is not one (nothing else reaches $(( ))).
devnum() {
  case $1 in
    '' | 0[xX]) return 1 ;;
    0[xX]*)
      case \${1#0[xX]} in *[!0-9a-fA-F]*) return 1 ;; esac
      _dn=$(($1))
      ;;
    *[!0-9]*) return 1 ;;
    *) _dn=$1 ;;
  esac
  return 0
}

# ---------------------------------------------------------------- the jail side (never follows a symlink out)

# trusted JAILPATH TARGET: the jail's symlink JAILPATH -> TARGET is the one this script makes (the host has it too).
trusted() {
  [ -h "$1" ] || return 1
  _tk=$_l
  linkof "$1"
  _th=$_l
  _l=$_tk
  [ "$_th" = "$_tk" ]
}

${SH_CONFINE_FUNCTIONS}

# mkdir_as JAILPATH MODE UID GID (MODE in decimal)
mkdir_as() {
  resolve "$1"
  if [ -h "$_t" ] || { [ -e "$_t" ] && [ ! -d "$_t" ]; }; then
    die "refusing $1: $_t exists and is not a directory (not following or deleting it)"
  fi
  if [ -d "$_t" ]; then
    statof "$_t"
    if [ "$_m $_u $_g" = "$2 $3 $4" ]; then
      same
      return 0
    fi
    did "fix $1 ($(octal "$_m") $_u:$_g -> $(octal "$2") $3:$4)"
  else
    did "mkdir $1"
    if [ "$dry" = 1 ]; then return 0; fi
    mkdir "$_t" || die "cannot create $_t"
  fi
  if [ "$dry" = 1 ]; then return 0; fi
  chown -h "$3:$4" "$_t" || die "cannot chown $_t"
  chmod "$(octal "$2")" "$_t" || die "cannot chmod $_t"
  _safe='
'
}

# home_of PATH: PATH is a jail user's home (sets _hu and _hg, its owner in the jail).
home_of() {
  case $_homes in
    *"
$1:"*)
      _hr=\${_homes#*"
$1:"}
      _hr=\${_hr%%"
"*}
      _hu=\${_hr%%:*}
      _hg=\${_hr#*:}
      return 0
      ;;
  esac
  return 1
}

# copy_dir HOSTPATH: the directory with the host's mode, owned by root (a jail user's home: by that user).
copy_dir() {
  statof "$1" || die "cannot stat $1"
  if home_of "$1"; then mkdir_as "$1" "$_m" "$_hu" "$_hg"; else mkdir_as "$1" "$_m" 0 0; fi
}

# copy_link HOSTPATH TARGET: the symlink as the host has it.
copy_link() {
${SH_SYMLINK_BODY}

# copy_file HOSTPATH: content by cp -p, the host's owner and mode (setuid/setgid stripped unless kept).
copy_file() {
  statof "$1" || die "cannot stat $1"
  _cm=$_m
  _cu=$_u
  _cg=$_g
  keep_setid "$1" || _cm=$((_cm & 1023))
  resolve "$1"
  not_dir "$1"
  if [ -f "$_t" ] && [ ! -h "$_t" ]; then
    statof "$_t"
    if [ "$_m $_u $_g $_n" = "$_cm $_cu $_cg 1" ] && cmp -s "$1" "$_t"; then
      same
      return 0
    fi
  fi
  did "copy $1"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  grab "$1" || die "refusing $1: it changed while it was copied (swapped for a symlink or another file)"
  chown -h "$_cu:$_cg" "$_tmp" || die "cannot chown $_tmp"
  chmod "$(octal "$_cm")" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

# write_file JAILPATH MODE UID GID: $_content, compared first (an up-to-date file is not touched).
write_file() {
  resolve "$1"
  not_dir "$1"
  if [ -f "$_t" ] && [ ! -h "$_t" ] && statof "$_t" && [ "$_m $_u $_g $_n" = "$2 $3 $4 1" ] &&
    printf '%s' "$_content" | cmp -s - "$_t"; then
    same
    return 0
  fi
  did "write $1"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  printf '%s' "$_content" >"$_tmp" || die "cannot write $_tmp"
  chown -h "$3:$4" "$_tmp" || die "cannot chown $_tmp"
  chmod "$(octal "$2")" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

# copy_dev HOSTPATH TYPE: a device node with the host's major/minor, mode and owner.
copy_dev() {
  statof "$1" || die "cannot stat $1"
  _cm=$((_m & 1023))
  _cu=$_u
  _cg=$_g
  _cmaj=$_maj
  _cmin=$_min
  if devfs_note "$1" "$2" "$_cmaj" "$_cmin"; then return 0; fi
  resolve "$1"
  not_dir "$1"
  if [ ! -h "$_t" ] && { { [ "$2" = c ] && [ -c "$_t" ]; } || { [ "$2" = b ] && [ -b "$_t" ]; }; }; then
    statof "$_t"
    if [ "$_m $_u $_g $_maj $_min" = "$_cm $_cu $_cg $_cmaj $_cmin" ]; then
      same
      return 0
    fi
  fi
  did "mknod $1 $2 $_cmaj $_cmin"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  mk_node "$_tmp" "$2" "$_cmaj" "$_cmin" "$(octal "$_cm")" || die "cannot mknod $_tmp"
  chown -h "$_cu:$_cg" "$_tmp" || die "cannot chown $_tmp"
  chmod "$(octal "$_cm")" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

# ---------------------------------------------------------------- the host side

# inside_jail HOSTPATH: the path is the jail itself or in it (never copy the jail into itself).
inside_jail() {
  case $1 in
    "$JAIL" | "$JAIL"/* | "$JAILP" | "$JAILP"/*) return 0 ;;
  esac
  return 1
}

# walk HOSTPATH MODE: copies HOSTPATH into the jail the way the host has it. Each component is looked at on the
# host: a symlink is recreated in the jail and the walk goes on at its target; a directory is made with the host's
# mode, owned by root (a jail user's home: by the user); the last component is copied by type. MODE "need" reports a
# path the host lacks, "want" does not. First, chain looks at every name on the way (symlinks resolved, nothing
# opened), and the path is not copied when one is a secret, or lies under a world-writable or sticky directory
# (workload data), or is a name someone other than root can change (in a directory a user can write: a user's home,
# their files under /srv...): root never follows or reads such a name.
walk() {
  _wok=0
  chain "$1"
  if [ -n "$_hs" ]; then
    skipped "secret: not copied: $1 ($_hs)"
    return 0
  fi
  if [ -n "$_ho" ]; then
    left "$1 (under the world-writable or sticky $_ho: workload data, never jail content)"
    return 0
  fi
  if [ -n "$_hx" ]; then
    left "$1 ($_hx: root never follows or reads a name a user controls)"
    return 0
  fi
  _wq=\${1#/}
  _wcur=
  _whops=0
  while [ -n "$_wq" ]; do
    case $_wq in
      */*)
        _wc=\${_wq%%/*}
        _wq=\${_wq#*/}
        ;;
      *)
        _wc=$_wq
        _wq=
        ;;
    esac
    case $_wc in
      '' | .) continue ;;
      ..)
        _wcur=\${_wcur%/*}
        continue
        ;;
    esac
    _wp=$_wcur/$_wc
    if is_secret "$_wp"; then
      skipped "secret: not copied: $1 ($_wp)"
      return 0
    fi
    if inside_jail "$_wp"; then
      left "$1 ($_wp is inside the jail)"
      return 0
    fi
    if [ -h "$_wp" ]; then
      _whops=$((_whops + 1))
      if [ "$_whops" -gt 40 ]; then
        warn "$1: too many levels of symlinks"
        return 0
      fi
      linkof "$_wp"
      _wl=$_l
      if ! seen "link:$_wp"; then copy_link "$_wp" "$_wl"; fi
      case $_wl in
        /*) _wcur= ;;
      esac
      _wq=\${_wl#/}\${_wq:+/$_wq}
      continue
    fi
    if [ ! -e "$_wp" ]; then
      if [ "$2" = need ]; then missing "$1"; fi
      return 0
    fi
    if [ -n "$_wq" ] || [ -d "$_wp" ]; then
      if [ ! -d "$_wp" ]; then
        warn "$1: $_wp is not a directory on this host"
        return 0
      fi
      if ! seen "dir:$_wp"; then copy_dir "$_wp"; fi
      _wcur=$_wp
      continue
    fi
    _wok=1
    if seen "obj:$_wp"; then return 0; fi
    if [ -f "$_wp" ]; then
      copy_file "$_wp"
    elif { [ -c "$_wp" ] || [ -b "$_wp" ]; } && ! dev_ok "$1" && ! dev_ok "$_wp"; then
      skipped "device not made: $1 ($_wp): ${DEVICE_NOT_MADE.replace(/^not made: /, '')}"
    elif [ -c "$_wp" ]; then
      copy_dev "$_wp" c
    elif [ -b "$_wp" ]; then
      copy_dev "$_wp" b
    else
      left "$_wp: a socket, FIFO or door: its server makes it"
    fi
    return 0
  done
}

need() { walk "$1" need; }
want() { walk "$1" want; }

# need_exec HOSTPATH: the program, its #! interpreter, and the libraries the host's tools list for it.
need_exec() {
  walk "$1" need
  if [ "$_wok" = 0 ] || seen "exec:$1" || [ ! -f "$1" ]; then return 0; fi
  _sb=$(dd if="$1" bs=128 count=1 2>/dev/null | sed -n '1s/^#![ 	]*\\([^ 	]*\\).*/\\1/p')
  case $_sb in
    /*) need_exec "$_sb" ;;
  esac
  libs_of "$1"
}

# libs_of HOSTFILE [MEMBER]: copies what list_libs prints (one path per line). ldd's answer is complete; what
# dump -H lists (direct imports, "@dump" first) is followed: each library's own imports, of an archive its member's.
libs_of() {
  if seen "libs:$1(\${2:-})"; then return 0; fi
  _lb=$(list_libs "$1" "\${2:-}")
  _lbf=0
  case $_lb in
    @dump*)
      _lbf=1
      _lb=\${_lb#@dump}
      ;;
  esac
  _lbifs=$IFS
  IFS='
'
  for _lbp in $_lb; do
    IFS=$_lbifs
    _lbm=
    case $_lbp in
      '? '*)
        warn "$1: \${_lbp#? }"
        continue
        ;;
      *?\\(*\\))
        _lbm=\${_lbp##*\\(}
        _lbm=\${_lbm%\\)}
        _lbp=\${_lbp%\\(*}
        ;;
    esac
    walk "$_lbp" need
    if [ "$_lbf" = 1 ]; then
      libs_of "$_lbp" "$_lbm"
      _lbf=1
    fi
  done
  IFS=$_lbifs
}

# host_has PATH: a library candidate exists on this host (a file; dump -H gives names to look up in its search path).
host_has() { [ -f "$1" ]; }

# mkdir_p_as JAILPATH UID GID: the missing directories of JAILPATH (root 0755; the last one UID:GID 0755).
mkdir_p_as() {
  _pq=\${1#/}
  _pp=
  while [ -n "$_pq" ]; do
    case $_pq in
      */*)
        _pc=\${_pq%%/*}
        _pq=\${_pq#*/}
        ;;
      *)
        _pc=$_pq
        _pq=
        ;;
    esac
    [ -n "$_pc" ] || continue
    _pp=$_pp/$_pc
    resolve "$_pp"
    if [ -n "$_pq" ]; then
      if [ -h "$_t" ] || [ -d "$_t" ]; then continue; fi
      mkdir_as "$_pp" 493 0 0
    elif [ -d "$_t" ] && [ ! -h "$_t" ] && statof "$_t" && [ "$_u $_g" != "$2 $3" ]; then
      mkdir_as "$_pp" "$_m" "$2" "$3"
    elif [ ! -h "$_t" ] && [ ! -d "$_t" ]; then
      mkdir_as "$_pp" 493 "$2" "$3"
    fi
  done
}
`;
