#!/bin/sh
# Build and install rssh 2.3.4 (the real restricted shell the front-door tests log in through) from
# ../shared/rssh/rssh-2.3.4.tar.gz, as ../shared/rssh/README.md says: /usr/local/bin/rssh and the setuid
# /usr/local/libexec/rssh_chroot_helper. Used by .ci/run and by test/frontdoor/rssh.ts; run as root.
#
#   scripts/install-rssh.sh [--if-present] [TARBALL]
#
# Exit 0: installed, or already there (nothing done), or (with --if-present) no tarball: nothing to install, said so.
# Exit 3: the tarball is missing. Exit 1: the build or the install failed (the output says where). Serialised with a
# lock, so parallel callers build it once.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if_present=false
if [ "${1-}" = --if-present ]; then if_present=true; shift; fi
tarball=${1:-$here/../shared/rssh/rssh-2.3.4.tar.gz}
sha256=f30c6a760918a0ed39cf9e49a49a76cb309d7ef1c25a66e77a41e2b1d0b40cd9

installed() { [ -x /usr/local/bin/rssh ] && [ -u /usr/local/libexec/rssh_chroot_helper ]; }

installed && exit 0
[ "$(id -u)" = 0 ] || { echo "install-rssh: run as root (it installs a setuid helper into /usr/local)" >&2; exit 1; }
if [ ! -f "$tarball" ]; then
  if $if_present; then echo "install-rssh: no $tarball: rssh not installed (its tests skip and say why)"; exit 0; fi
  echo "install-rssh: no $tarball (../shared/rssh is not beside this checkout)" >&2
  exit 3
fi
for tool in gcc make; do
  command -v "$tool" >/dev/null || { echo "install-rssh: $tool is needed (apt-get install -y gcc make)" >&2; exit 1; }
done

# /run is root's and not writable by others: no user can plant the lock file.
exec 9>/run/jailtrace-install-rssh.lock
flock 9
installed && exit 0 # another caller installed it while we waited

got=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$got" = "$sha256" ] || { echo "install-rssh: $tarball has sha256 $got, expected $sha256 (../shared/rssh/README.md)" >&2; exit 1; }

work=$(mktemp -d /tmp/jailtrace-rssh-build.XXXXXX) # private (0700): a fixed name in /tmp is anyone's to plant
trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
cd "$work/rssh-2.3.4"
log=$work/build.log
if ! { ./configure --prefix=/usr/local --sysconfdir=/etc --with-scp=/usr/bin/scp \
        --with-sftp-server=/usr/lib/openssh/sftp-server && make && make install; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "install-rssh: building rssh failed (last lines above)" >&2
  exit 1
fi
installed || { echo "install-rssh: make install ran but /usr/local/bin/rssh or the setuid helper is missing" >&2; exit 1; }
echo "install-rssh: installed /usr/local/bin/rssh and /usr/local/libexec/rssh_chroot_helper (rssh 2.3.4)"
