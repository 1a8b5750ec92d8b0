#!/bin/sh
# The README's first command ends here: build a jail for sftp + scp for a demo user, prove it works with a real sftp
# session inside it, and show why one file that no trace shows is there. Run as root from the repository.
set -eu
cd "$(dirname "$0")/.."
JAIL=${JAIL:-/srv/jailtrace-demo}
DEMO_USER=${DEMO_USER:-jtdemo}
jt() { node dist/src/cli.js "$@"; }
say() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates a user, mknod and chroot)" >&2; exit 2; }
id "$DEMO_USER" >/dev/null 2>&1 || { say "creating the demo user $DEMO_USER"; useradd -m -s /bin/sh "$DEMO_USER"; }
# a fresh private dir: a fixed name in /tmp is anyone's to plant a symlink at, and this runs as root
traces=$(mktemp -d /tmp/jailtrace-demo-traces.XXXXXX)

say "jailtrace build $JAIL --profile sftp --profile scp --user $DEMO_USER --fix-perms"
jt build "$JAIL" --profile sftp --profile scp --user "$DEMO_USER" --fix-perms --output-dir "$traces"

say "jailtrace verify $JAIL (runs sftp and scp inside the jail under strace)"
jt verify "$JAIL" --output-dir "$traces"

say "a real sftp session as $DEMO_USER inside the jail"
work=$(mktemp -d)
printf 'jailtrace demo\n' > "$work/hello.txt"
home=$(getent passwd "$DEMO_USER" | cut -d: -f6)
ids="$(id -u "$DEMO_USER"):$(id -g "$DEMO_USER")"
printf 'cd %s\nput hello.txt\nls -l\nget hello.txt back.txt\nrm hello.txt\n' "$home" > "$work/batch"
(cd "$work" && sftp -b batch -D "/usr/sbin/chroot --userspec=$ids $JAIL /usr/lib/openssh/sftp-server")
cmp "$work/hello.txt" "$work/back.txt" && echo "bytes intact"
rm -rf "$work"

say "what is in the jail ($(find "$JAIL" -type f | wc -l) files) and why the loader is there"
find "$JAIL" -path "$JAIL/.jailtrace" -prune -o \( -type f -o -type l -o -type c \) -print | sed "s|^$JAIL||" | sort
jt explain /lib64/ld-linux-x86-64.so.2 --jail "$JAIL"
say "done: $JAIL works for sftp and scp (remove it with: rm -rf $JAIL; the traces are in $traces)"
