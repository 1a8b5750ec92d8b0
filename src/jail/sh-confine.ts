/**
 * Shell snippets of the generated sh script (src/script/host-script.ts, for a host without Node). The confinement
 * functions first; the script defines `die`, `note`, `linkof` (sets _l to a symlink's target) and `trusted JAILPATH
 * TARGET` (a symlink the script itself makes) before them.
 */
import { SYSTEM_DIRS } from './system-dirs.js';

/** The rows of src/jail/system-dirs.ts as one sh `case` pattern (`/` is refused on its own, as an empty JAIL). */
const SYSTEM_DIR_PATTERNS = SYSTEM_DIRS.filter((r) => r.dir !== '/')
  .flatMap((r) => (r.below ? [r.dir, `${r.dir}/*`] : [r.dir]))
  .join('|');

/**
 * Normalize the jail argument (absolute, no trailing slash, never `/` nor one of the system's directories, as given
 * or resolved with `pwd -P`) and start the counters.
 */
export const SH_JAIL_ARG = `if [ "$#" -gt 0 ]; then JAIL=$1; fi
case $JAIL in
  /*) ;;
  *) JAIL=$(pwd)/$JAIL ;;
esac
while :; do
  case $JAIL in
    */) JAIL=\${JAIL%/} ;;
    *) break ;;
  esac
done
[ -n "$JAIL" ] || die "refusing to use / as the jail"
_real=$(cd -P -- "$JAIL" 2>/dev/null && pwd -P) || _real=$JAIL
for _j in "$JAIL" "$_real"; do
  case $_j in
    ${SYSTEM_DIR_PATTERNS}) die "refusing to build a jail in $_j: it is one of the running system's directories" ;;
  esac
done

done_n=0
same_n=0`;

/**
 * The staging directory: every file, node or symlink is made in `$_stage` (root only, 0700, in the jail root so the
 * final `mv` is a rename on the jail's file system) and moved into place. It is made once per run by `stage` with
 * `mktemp -d`, or, where `mktemp -d` is missing (old AIX, Solaris 10), by `mkdir` of a random name (mkdir is atomic,
 * fails on an existing name and never follows a final symlink), and removed at exit. Names inside it are a counter:
 * only root can see or change them. `did`/`same`/`skipped` count (and, with -n, only print) what the script does.
 */
export const SH_BOOKKEEPING = `_stage=
_tmp=
_sn=0
left_n=0
cleanup() {
  if [ -n "$_stage" ]; then rm -rf "$_stage"; fi
}
trap cleanup 0
trap 'exit 1' 1 2 15

did() {
  done_n=$((done_n + 1))
  if [ "$dry" = 1 ]; then note "would $*"; else note "$*"; fi
}
same() { same_n=$((same_n + 1)); }
# skipped MESSAGE: a source not copied (a secret, workload data); counted in left_n.
skipped() {
  left_n=$((left_n + 1))
  note "$*"
}

# rnd: 16 hex digits from /dev/urandom (or, without it, the clock, the pid and awk's rand).
rnd() {
  if [ -r /dev/urandom ]; then
    od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \\n'
  else
    awk -v p="$$" 'BEGIN { srand(); printf "%x%x", p, int(rand() * 2147483647) }'
  fi
}

stage() {
  [ -z "$_stage" ] || return 0
  if command -v mktemp >/dev/null 2>&1 && _stage=$(mktemp -d "$JAIL/.jailtrace-stage.XXXXXX" 2>/dev/null) && [ -n "$_stage" ]; then
    :
  else
    _stage=
    for _si in 1 2 3 4 5; do
      _sc=$JAIL/.jailtrace-stage.$(rnd)
      if (umask 077 && mkdir "$_sc") 2>/dev/null; then
        _stage=$_sc
        break
      fi
    done
    [ -n "$_stage" ] || die "cannot create a staging directory in $JAIL"
  fi
  if [ -h "$_stage" ] || [ ! -d "$_stage" ] || ! root_only "$_stage"; then die "refusing the staging directory $_stage: not a root-only directory"; fi
  chmod 700 "$_stage" || die "cannot chmod $_stage"
}`;

/** Body of the symlink function (JAILPATH TARGET): up to date when the link already points there, else made beside and renamed over. */
export const SH_SYMLINK_BODY = `  resolve "$1"
  if [ -h "$_t" ]; then
    linkof "$_t"
    if [ "$_l" = "$2" ]; then
      same
      return 0
    fi
  fi
  not_dir "$1"
  did "symlink $1 -> $2"
  if [ "$dry" = 1 ]; then return 0; fi
  newtmp
  ln -s "$2" "$_tmp" || die "cannot create symlink $_tmp"
  put "$1"
}`;

/**
 * Secret paths as sh `case` patterns: the same list as SECRET_PATTERNS in src/expand/classify.ts (test/jail/sh-confine.test.ts
 * checks both agree). `path` rows match the whole path (`*` crosses `/` in a case pattern); `dir`+`base` rows match the
 * directory and the last name separately (where a regex says `[^/]*`).
 */
export const SECRET_SH_GLOBS: ReadonlyArray<{ path: string } | { dir: string; base: string }> = [
  // a name and its backup copies (NAME, NAME-, NAME~, NAME.*), in its own directory only
  ...[
    '/etc/shadow',
    '/etc/gshadow',
    '/etc/master.passwd',
    '/etc/spwd.db',
    '/etc/security/passwd',
    '/var/backups/shadow',
    '/var/backups/gshadow',
    '/var/backups/master.passwd',
    '/var/backups/spwd.db',
  ].flatMap((n) => {
    const dir = n.slice(0, n.lastIndexOf('/'));
    const base = n.slice(n.lastIndexOf('/') + 1);
    return [
      { dir, base },
      { dir, base: `${base}[-~]` },
      { dir, base: `${base}.*` },
    ];
  }),
  ...['', '[-~]', ...['bak', 'old', 'orig', 'save', 'dpkg-old', 'dpkg-dist', 'ucf-old', 'rpmsave'].map((x) => `.${x}`)].map((x) => ({
    dir: '/etc/ssh',
    base: `*_key${x}`,
  })),
  { path: '/root' },
  { path: '/root/*' },
  { path: '/etc/sudoers*' },
  ...['ssl/private'].flatMap((n) => [{ path: `/etc/${n}` }, { path: `/etc/${n}/*` }]),
  { dir: '*/.ssh', base: 'id_*' },
  { path: '*.key' },
  { path: '/etc/krb5.keytab' },
  { dir: '*', base: 'privkey*.pem' },
  { path: '/etc/security/opasswd' },
];

function renderIsSecret(): string {
  const paths = SECRET_SH_GLOBS.flatMap((r) => ('path' in r ? [r.path] : []));
  const pairs = SECRET_SH_GLOBS.flatMap((r) => ('dir' in r ? [r] : []));
  return `# is_secret HOSTPATH: a name that is never copied (src/expand/classify.ts SECRET_PATTERNS).
is_secret() {
  case $1 in
    ${paths.join(' | ')}) return 0 ;;
  esac
  _sd=\${1%/*}
  _sb=\${1##*/}
${pairs.map((r) => `  case $_sd in ${r.dir}) case $_sb in ${r.base}) return 0 ;; esac ;; esac\n`).join('')}  return 1
}`;
}

/**
 * Host-side checks shared by both scripts: which directories only root controls, which are open to everyone, which
 * names are secrets; `host_ok` walks a source's chain of names, `grab` copies a file and checks it was not swapped.
 */
export const SH_HOST_CHECKS = `# root_only DIR: a directory only root can change (owner root; not writable by a group or by others; no ACL).
# Sets _rou (owner) and _rop (permissions).
root_only() {
  _ro=$(ls -ldn "$1" 2>/dev/null) || return 1
  # shellcheck disable=SC2086
  set -- $_ro
  _rop=$1
  _rou=$3
  [ "$3" = 0 ] || return 1
  case $1 in
    d*) ;;
    *) return 1 ;;
  esac
  # group-writable, whatever the group; and an ACL (a trailing +: ls shows only its mask in the group bits, so a
  # user's write grant would not show)
  case $1 in ?????w*) return 1 ;; esac
  case $1 in ????????w*) return 1 ;; esac
  case $1 in *+) return 1 ;; esac
  return 0
}

# open_dir DIR: a world-writable or sticky directory (/tmp, /var/tmp, /dev/shm...): anything in it is a user's.
open_dir() {
  _od=$(ls -ldn "$1" 2>/dev/null) || return 1
  case $_od in
    ????????w* | ?????????[tT]*) return 0 ;;
  esac
  return 1
}

${renderIsSecret()}

# rooted DIR NAME: only root can change what NAME in DIR is: DIR is root-only, or DIR is root's and sticky (/tmp)
# and NAME is root's (the sticky bit keeps others from renaming or removing it).
rooted() {
  root_only "$1" && return 0
  [ "$_rou" = 0 ] || return 1
  case $_rop in
    ?????????[tT]*) ;;
    *) return 1 ;;
  esac
  _rn=$(ls -ldn "$1/$2" 2>/dev/null) || return 1
  # shellcheck disable=SC2086
  set -- $_rn
  [ "$3" = 0 ]
}

# chain HOSTPATH: looks at HOSTPATH on the host one name at a time, reading symlinks (at most 40) without opening
# anything, and sets _hr (the resolved path), _hs (the first secret name on the way, if any), _hx (the first name a
# user could change: in a directory that is not root's alone) and _ho (the first world-writable or sticky directory
# on the way).
chain() {
  _hq=\${1#/}
  _hcur=
  _hhops=0
  _hs=
  _hx=
  _ho=
  while [ -n "$_hq" ]; do
    case $_hq in
      */*)
        _hc=\${_hq%%/*}
        _hq=\${_hq#*/}
        ;;
      *)
        _hc=$_hq
        _hq=
        ;;
    esac
    case $_hc in
      '' | .) continue ;;
      ..)
        _hcur=\${_hcur%/*}
        continue
        ;;
    esac
    _hp=$_hcur/$_hc
    if is_secret "$_hp"; then
      _hs=$_hp
      return 0
    fi
    if [ -z "$_ho" ] && [ -n "$_hcur" ] && open_dir "$_hcur"; then _ho=$_hcur; fi
    if [ -z "$_hx" ] && { [ -h "$_hp" ] || [ -e "$_hp" ]; } && ! rooted "\${_hcur:-/}" "$_hc"; then
      _hx="$_hp is in \${_hcur:-/} ($_rop, owner uid $_rou), which someone other than root can change"
    fi
    if [ -h "$_hp" ]; then
      _hhops=$((_hhops + 1))
      [ "$_hhops" -le 40 ] || break
      linkof "$_hp"
      case $_l in
        /*) _hcur= ;;
      esac
      _hq=\${_l#/}\${_hq:+/$_hq}
      continue
    fi
    _hcur=$_hp
  done
  _hr=$_hcur
  return 0
}

# host_ok HOSTPATH: HOSTPATH may be read by root: no secret among the names on its chain (symlinks resolved), and
# no name on it a user could change (swap for a symlink, a FIFO, another file). Otherwise prints why, counted as not
# copied, and says no.
host_ok() {
  chain "$1"
  if [ -n "$_hs" ]; then
    skipped "secret: not copied: $1 ($_hs)"
    return 1
  fi
  if [ -n "$_hx" ]; then
    skipped "not copied: $1 ($_hx: root never follows or reads a name a user controls)"
    return 1
  fi
  return 0
}

# grab HOSTFILE: cp -p into the staged $_tmp, then checks HOSTFILE is still the same regular file, not a symlink,
# with the same bytes: a name swapped for a symlink during the copy (cp follows it) is caught and the copy dropped.
grab() {
  [ ! -h "$1" ] && [ -f "$1" ] || return 1
  _g1=$(ls -lnid "$1") || return 1
  cp -p "$1" "$_tmp" || die "cannot copy $1 to $_tmp"
  _g2=$(ls -lnid "$1" 2>/dev/null) || return 1
  [ ! -h "$1" ] && [ "$_g1" = "$_g2" ] && cmp -s "$1" "$_tmp"
}

# check_jail: the jail root is a directory only root can change, under directories no user can rename (owned by root,
# and writable by others only when sticky): the staging directory and every rename happen below it.
check_jail() {
  root_only "$JAIL" || die "refusing: the jail root $JAIL is not a root-only directory (owned by uid $_rou, $_rop)"
  _ja=\${JAIL%/*}
  while [ -n "$_ja" ]; do
    _jl=$(ls -ldn "$_ja") || die "cannot stat $_ja"
    # shellcheck disable=SC2086
    set -- $_jl
    case $1 in
      ?????????[tT]*) ;;
      ????????w*) die "refusing: $_ja (above the jail root) is writable by others: a user could swap the jail" ;;
      ?????w*) [ "$4" = 0 ] || die "refusing: $_ja (above the jail root) is writable by group $4: a user could swap the jail" ;;
    esac
    [ "$3" = 0 ] || die "refusing: $_ja (above the jail root) is owned by uid $3: a user could swap the jail"
    _ja=\${_ja%/*}
  done
}`;

export const SH_CONFINE_FUNCTIONS = `${SH_HOST_CHECKS}

# resolve JAILPATH: sets _t (host path of the target) with its directories resolved inside the jail. A symlink
# among them is followed (inside the jail) only if \`trusted\` says this script makes it, or if its target is
# relative without ".."; anything else stops the script before it writes.
resolve() {
  _name=\${1##*/}
  _rest=\${1%/*}
  _rest=\${_rest#/}
  _dir=
  _hops=0
  while [ -n "$_rest" ]; do
    case $_rest in
      */*)
        _c=\${_rest%%/*}
        _rest=\${_rest#*/}
        ;;
      *)
        _c=$_rest
        _rest=
        ;;
    esac
    case $_c in
      '' | .) continue ;;
      ..)
        _dir=\${_dir%/*}
        continue
        ;;
    esac
    if [ -h "$JAIL$_dir/$_c" ]; then
      _hops=$((_hops + 1))
      [ "$_hops" -le 40 ] || die "refusing $1: too many levels of symlinks"
      linkof "$JAIL$_dir/$_c"
      if ! trusted "$_dir/$_c" "$_l"; then
        case $_l in
          /*) die "refusing $1: $_dir/$_c is a symlink to $_l, an absolute path this script did not create; it would lead out of the jail" ;;
        esac
        case /$_l/ in
          */../*) die "refusing $1: $_dir/$_c is a symlink to $_l, which contains .." ;;
        esac
      fi
      case $_l in
        /*) _dir= ;;
      esac
      _rest=\${_l#/}\${_rest:+/$_rest}
      continue
    fi
    if [ -e "$JAIL$_dir/$_c" ] && [ ! -d "$JAIL$_dir/$_c" ]; then
      die "refusing $1: $_dir/$_c is not a directory"
    fi
    _dir=$_dir/$_c
    if [ -d "$JAIL$_dir" ] && ! safe_seen "$_dir"; then
      root_only "$JAIL$_dir" || die "refusing $1: $JAIL$_dir is not a root-only directory (owned by uid $_rou, $_rop): a user could swap what is below it"
      safe_add "$_dir"
    fi
  done
  _t=$JAIL$_dir/$_name
}

# safe_seen JAILDIR: JAILDIR was found root-only in this run (only root can change that; the mkdir functions forget
# the list when they change a directory's owner or mode).
_safe='
'
safe_seen() {
  case $_safe in
    *"
$1
"*) return 0 ;;
  esac
  return 1
}
safe_add() {
  _safe="$_safe$1
"
}

# not_dir JAILPATH: the final component must not be a real directory (never deleted).
not_dir() {
  if [ -d "$_t" ] && [ ! -h "$_t" ]; then die "refusing $1: $_t is a directory where a file should be"; fi
}

# newtmp: a fresh name in the staging directory (private to root: nothing there can be planted or swapped).
newtmp() {
  stage
  _sn=$((_sn + 1))
  _tmp=$_stage/$_sn
}

# put JAILPATH: renames $_tmp over $_t. A symlink at $_t is removed first: mv would follow it into a directory.
put() {
  if [ -h "$_t" ]; then rm -f "$_t" || die "cannot remove symlink $_t"; fi
  not_dir "$1"
  mv -f "$_tmp" "$_t" || die "cannot rename $_tmp to $_t"
  _tmp=
}`;
