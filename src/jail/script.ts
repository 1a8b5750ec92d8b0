/**
 * Renders a Plan as a portable POSIX sh script, for building the jail where jailtrace itself does not run.
 *
 * The script is plain POSIX sh (no arrays, no `local`, no `[[`, no `$'…'`): dash, busybox sh, FreeBSD sh, AIX ksh and
 * Solaris 11 /bin/sh (ksh93). Solaris 10's /bin/sh is a pre-POSIX Bourne shell: run the script with /usr/xpg4/bin/sh.
 *
 * Symlink rule (sh has no lstat/openat, so it is simpler than confine.ts but in the same spirit): before each change,
 * the target's directory components are walked under the jail with `[ -h ]`. A symlink component is followed (inside the
 * jail, by the script itself) only if it is one the plan creates (same path and target), or if its target is relative
 * and has no `..` component; any other symlink (absolute target, or `..`) stops the script with exit 1. A non-directory
 * component stops it too. The final component is never followed: a symlink there is removed before the new file is
 * renamed into place (mv would otherwise move *into* a symlinked directory), and a directory there stops the script.
 * It acts only where root alone can change things: the jail root and the directories it walks must be root's (else
 * it stops), each file is staged in a root-only `mktemp -d` directory in the jail and moved into place, and a source
 * is read only when no name on its host chain is a secret or could be changed by a user (sh-confine.ts, and "The sh
 * script" in docs/security.md).
 *
 * Idempotence: an action whose target already matches is skipped (files: same content by `cmp`, mode, owner, one link;
 * symlinks: same target; device nodes: same type, major/minor, mode, owner; directories: mode and owner).
 */
import type { Platform } from '../syscalls.js';
import { displayPath } from './render.js';
import { effectiveMode, octal, planSymlinks, validatePlan, type Action, type Plan } from '../plan/plan.js';
import { SH_BOOKKEEPING, SH_CONFINE_FUNCTIONS, SH_JAIL_ARG, SH_SYMLINK_BODY } from './sh-confine.js';

export interface ShScriptOptions {
  platform: Platform;
  /** Jail paths that keep setuid/setgid bits (stripped otherwise, as applyPlan does). */
  keepSetuid?: ReadonlySet<string>;
}

/** What differs per platform, as data. */
interface ShPlatform {
  path: string;
  /** Linux mknod takes `-m MODE`; the others need a chmod afterwards. */
  mknodModeFlag: boolean;
}

const SH_PLATFORMS: Record<Platform, ShPlatform> = {
  linux: { path: '/usr/sbin:/usr/bin:/sbin:/bin', mknodModeFlag: true },
  solaris: { path: '/usr/xpg4/bin:/usr/bin:/usr/sbin:/sbin', mknodModeFlag: false },
  aix: { path: '/usr/bin:/usr/sbin:/sbin:/bin', mknodModeFlag: false },
  freebsd: { path: '/bin:/usr/bin:/sbin:/usr/sbin', mknodModeFlag: false },
  macos: { path: '/bin:/usr/bin:/sbin:/usr/sbin', mknodModeFlag: false },
};

/** Single-quotes a word for sh: `it's` → `'it'\''s'`. Safe for any string without NUL (newlines included). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `ls -ln` permission string for a mode: `('d', 0o1777)` → `drwxrwxrwt`. */
export function permString(type: 'd' | '-' | 'c' | 'b' | 'l', mode: number): string {
  const bit = (m: number, c: string): string => (mode & m ? c : '-');
  const special = (x: number, s: number, lower: string): string => (mode & s ? (mode & x ? lower : lower.toUpperCase()) : bit(x, 'x'));
  return (
    type +
    bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't')
  );
}

const chmodMode = (mode: number): string => octal(mode, 5); // 5 digits: GNU chmod keeps a dir's setgid on 4-digit modes

/** Heredoc delimiter that is not a line of `content`. */
function delimiter(content: string): string {
  const lines = new Set(content.split('\n'));
  let d = 'JAILTRACE_EOF';
  for (let i = 1; lines.has(d); i++) d = `JAILTRACE_EOF_${i}`;
  return d;
}

function renderAction(a: Action, keepSetuid: boolean): string {
  const q = shQuote;
  const mode = effectiveMode(a, keepSetuid);
  switch (a.kind) {
    case 'mkdir':
      return `do_mkdir ${q(a.path)} ${chmodMode(mode)} ${a.uid} ${a.gid} ${q(`${permString('d', mode)} ${a.uid} ${a.gid}`)}\n`;
    case 'copy':
      return `do_copy ${q(a.path)} ${q(a.source)} ${chmodMode(mode)} ${a.uid} ${a.gid} ${q(`${permString('-', mode)} ${a.uid} ${a.gid}`)}\n`;
    case 'symlink':
      return `do_symlink ${q(a.path)} ${q(a.target)}\n`;
    case 'mknod':
      return `do_mknod ${q(a.path)} ${a.type} ${a.major} ${a.minor} ${chmodMode(mode)} ${a.uid} ${a.gid} ${q(`${permString(a.type, mode)} ${a.uid} ${a.gid}`)}\n`;
    case 'write': {
      const args = `${q(a.path)} ${chmodMode(mode)} ${a.uid} ${a.gid} ${q(`${permString('-', mode)} ${a.uid} ${a.gid}`)}`;
      if (!a.content.endsWith('\n')) return `_content=${q(a.content)}\ndo_write ${args} var\n`; // a heredoc always ends in \n
      const d = delimiter(a.content);
      return `do_write ${args} <<'${d}'\n${a.content}${d}\n`;
    }
  }
}

function renderTrusted(plan: Plan): string {
  const links = [...planSymlinks(plan)];
  if (links.length === 0) return 'trusted() { return 1; }\n';
  const arms = links.map(([p, t]) => `    ${shQuote(p)}) [ "$2" = ${shQuote(t)} ] && return 0 ;;\n`).join('');
  return `trusted() {\n  case $1 in\n${arms}  esac\n  return 1\n}\n`;
}

/** A POSIX sh script that builds `plan` (see the header comment). Takes `[-n] [JAIL]`; JAIL defaults to plan.jail. */
export function renderShScript(plan: Plan, opts: ShScriptOptions): string {
  validatePlan(plan);
  const pf = SH_PLATFORMS[opts.platform];
  const mknod = pf.mknodModeFlag
    ? `mknod -m "$5" "$_tmp" "$2" "$3" "$4" || die "cannot mknod $_tmp"`
    : `mknod "$_tmp" "$2" "$3" "$4" || die "cannot mknod $_tmp"`;
  const n = plan.actions.length;
  const body = plan.actions
    .map((a, i) => `# ${i + 1}/${n} ${a.kind} ${displayPath(a.path)} — ${displayPath(a.reason)}\n${renderAction(a, opts.keepSetuid?.has(a.path) ?? false)}`)
    .join('');
  return `#!/bin/sh
# Generated by jailtrace (${opts.platform}): builds the jail ${displayPath(plan.jail)} (${n} action${n === 1 ? '' : 's'}).
# Usage: sh THIS-SCRIPT [-n] [JAIL]
#   -n    dry run: print what would be done, change nothing
#   JAIL  the jail directory (default: the one above)
# POSIX sh (dash, busybox, FreeBSD sh, AIX ksh, Solaris 11 sh; on Solaris 10 use /usr/xpg4/bin/sh).
# Symlinks: a symlink in a target's directories is followed only inside the jail, and only if this script creates it
# or its target is relative without "..". Anything else (absolute target, "..") stops the script before it writes.
# A symlink at the target itself is replaced, never followed; a directory there stops the script.
# The jail root and the directories written in must be root's alone; files are staged in a root-only directory
# (mktemp -d, JAIL/.jailtrace-stage.*) and moved into place. A source whose host path passes through a secret or a
# name a user could change is not copied.
# Paths and contents below are single-quoted data: "$" and a final "\\" in them are literal.
# shellcheck disable=SC2016,SC1003
set -u
set -f
set -C
umask 077
PATH=${pf.path}
export PATH

die() {
  printf 'jailtrace: %s\\n' "$*" >&2
  exit 1
}
note() { printf '%s\\n' "$*"; }

dry=0
if [ "$#" -gt 0 ] && [ "$1" = -n ]; then
  dry=1
  shift
fi
JAIL=${shQuote(plan.jail)}
${SH_JAIL_ARG}
${SH_BOOKKEEPING}

${renderTrusted(plan)}
# linkof PATH: sets _l to the target of symlink PATH.
linkof() {
  if command -v readlink >/dev/null 2>&1; then
    _l=$(readlink "$1") || die "cannot read symlink $1"
  else
    _l=$(ls -ld "$1") || die "cannot read symlink $1"
    _l=\${_l#*" $1 -> "}
  fi
}

# perms PATH: sets _perms ("drwxr-xr-x UID GID"), _links and _dev ("MAJOR, MINOR" for device nodes) from ls -ln.
perms() {
  # shellcheck disable=SC2046
  set -- $(ls -ldn "$1")
  _perms="\${1%[.+@]} $3 $4"
  _links=$2
  _dev="\${5-} \${6-}"
}

${SH_CONFINE_FUNCTIONS}

# do_mkdir PATH MODE UID GID PERMS
do_mkdir() {
  if [ "$1" = / ]; then _t=$JAIL; else resolve "$1"; fi
  if [ -h "$_t" ] || { [ -e "$_t" ] && [ ! -d "$_t" ]; }; then
    die "refusing $1: $_t exists and is not a directory (not following or deleting it)"
  fi
  if [ -d "$_t" ]; then
    perms "$_t"
    if [ "$_perms" = "$5" ]; then
      same
      return 0
    fi
    did "fix $1 ($_perms -> $5)"
  else
    did "mkdir $1"
    if [ "$dry" = 1 ]; then return 0; fi
    mkdir "$_t" || die "cannot create $_t"
  fi
  if [ "$dry" = 1 ]; then return 0; fi
  chown -h "$3:$4" "$_t" || die "cannot chown $_t"
  chmod "$2" "$_t" || die "cannot chmod $_t"
  _safe='
'
}

# do_copy PATH SOURCE MODE UID GID PERMS
do_copy() {
  resolve "$1"
  not_dir "$1"
  [ -f "$2" ] || die "cannot copy $2: missing or not a regular file"
  host_ok "$2" || return 0
  if [ -f "$_t" ] && [ ! -h "$_t" ]; then
    perms "$_t"
    if [ "$_perms" = "$6" ] && [ "$_links" = 1 ] && cmp -s "$2" "$_t"; then
      same
      return 0
    fi
  fi
  did "copy $2 -> $1"
  if [ "$dry" = 1 ]; then return 0; fi
  # the plan names a regular file: a symlink or anything else there now was swapped in since (refused, never followed)
  if [ -h "$2" ] || [ ! -f "$2" ]; then die "refusing $1: the source $2 is no longer a regular file (changed since the plan was made)"; fi
  newtmp
  grab "$2" || die "refusing $1: the source $2 changed while it was copied (swapped for a symlink or another file)"
  chown -h "$4:$5" "$_tmp" || die "cannot chown $_tmp"
  chmod "$3" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

# do_write PATH MODE UID GID PERMS [var]: content from stdin (a here-doc), or from $_content with "var".
# The content is read into $_content first (the trailing "x" keeps final newlines) so an up-to-date file is compared
# without creating a temp file (which would touch the directory's mtime).
same_file() {
  [ -f "$_t" ] && [ ! -h "$_t" ] && perms "$_t" && [ "$_perms" = "$1" ] && [ "$_links" = 1 ]
}
do_write() {
  resolve "$1"
  not_dir "$1"
  if [ "\${6-stdin}" != var ]; then
    _content=$(cat; echo x)
    _content=\${_content%x}
  fi
  if same_file "$5" && printf '%s' "$_content" | cmp -s - "$_t"; then
    same
    return 0
  fi
  did "write $1"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  printf '%s' "$_content" >"$_tmp" || die "cannot write $_tmp"
  chown -h "$3:$4" "$_tmp" || die "cannot chown $_tmp"
  chmod "$2" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

# do_symlink PATH TARGET
do_symlink() {
${SH_SYMLINK_BODY}

# do_mknod PATH TYPE MAJOR MINOR MODE UID GID PERMS
do_mknod() {
  resolve "$1"
  not_dir "$1"
  if [ ! -h "$_t" ] && { { [ "$2" = c ] && [ -c "$_t" ]; } || { [ "$2" = b ] && [ -b "$_t" ]; }; }; then
    perms "$_t"
    if [ "$_perms" = "$8" ] && [ "$_dev" = "$3, $4" ]; then
      same
      return 0
    fi
  fi
  did "mknod $1 $2 $3 $4"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  ${mknod}
  chown -h "$6:$7" "$_tmp" || die "cannot chown $_tmp"
  chmod "$5" "$_tmp" || die "cannot chmod $_tmp"
  put "$1"
}

if [ -h "$JAIL" ]; then die "refusing: the jail root $JAIL is a symlink"; fi
if [ -d "$JAIL" ] && [ "$(cd "$JAIL" && pwd -P)" = / ]; then die "refusing: the jail root $JAIL is the host's /"; fi
if [ ! -d "$JAIL" ]; then
  if [ -e "$JAIL" ]; then die "refusing: the jail root $JAIL is not a directory"; fi
  if [ "$dry" = 1 ]; then note "would create the jail root $JAIL"; else mkdir -p "$JAIL" || die "cannot create $JAIL"; fi
fi
if [ -d "$JAIL" ]; then check_jail; fi

${body}
if [ "$dry" = 1 ]; then
  note "jailtrace: dry run, nothing changed: $done_n to do, $same_n up-to-date"
else
  note "jailtrace: $done_n changed, $same_n up-to-date"
fi
if [ "$left_n" -gt 0 ]; then note "jailtrace: $left_n not copied (secrets, or names a user controls)"; fi
`;
}
