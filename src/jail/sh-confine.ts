/**
 * Shell snippets shared by both generated sh scripts (src/jail/script.ts for a Linux plan, src/script/host-script.ts for
 * a host without Node). The confinement functions first; each script defines `die`, `note`, `linkof` (sets _l to a
 * symlink's target) and `trusted JAILPATH TARGET` (a symlink the script itself makes) before them.
 */

/** Normalize the jail argument (absolute, no trailing slash, never `/`) and start the counters. */
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

done_n=0
same_n=0`;

/** The temp file removed on exit or signal; `did`/`same` count (and, with -n, only print) what the script does. */
export const SH_BOOKKEEPING = `_tmp=
cleanup() {
  if [ -n "$_tmp" ]; then rm -f "$_tmp"; fi
}
trap cleanup 0
trap 'exit 1' 1 2 15

did() {
  done_n=$((done_n + 1))
  if [ "$dry" = 1 ]; then note "would $*"; else note "$*"; fi
}
same() { same_n=$((same_n + 1)); }`;

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

export const SH_CONFINE_FUNCTIONS = `# resolve JAILPATH: sets _t (host path of the target) with its directories resolved inside the jail. A symlink
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
  done
  _t=$JAIL$_dir/$_name
}

# not_dir JAILPATH: the final component must not be a real directory (never deleted).
not_dir() {
  if [ -d "$_t" ] && [ ! -h "$_t" ]; then die "refusing $1: $_t is a directory where a file should be"; fi
}

newtmp() {
  _tmp=$JAIL$_dir/.jailtrace-tmp-$$
  if [ -h "$_tmp" ] || [ -e "$_tmp" ]; then rm -f "$_tmp" || die "cannot remove stale $_tmp"; fi
}

# put JAILPATH: renames $_tmp over $_t. A symlink at $_t is removed first: mv would follow it into a directory.
put() {
  if [ -h "$_t" ]; then rm -f "$_t" || die "cannot remove symlink $_t"; fi
  not_dir "$1"
  mv -f "$_tmp" "$_t" || die "cannot rename $_tmp to $_t"
  _tmp=
}`;
