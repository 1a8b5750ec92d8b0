#!/bin/sh
# The README's first command ends here: build a jail for sftp + scp for a demo user, verify it, show why one file that
# no trace shows is there, and end with a real sftp session through a real sshd on loopback (127.0.0.1, a free port, its
# own config and host key, ChrootDirectory for the demo user), stopped by its pid. Run as root from the repository.
set -eu
cd "$(dirname "$0")/.."
JAIL=${JAIL:-/srv/jailtrace-demo}
DEMO_USER=${DEMO_USER:-jtdemo}
jt() { node dist/src/cli.js "$@"; }
say() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates a user, mknod and chroot)" >&2; exit 2; }
made_user=false
id "$DEMO_USER" >/dev/null 2>&1 || { say "creating the demo user $DEMO_USER"; useradd -m -s /bin/sh "$DEMO_USER"; made_user=true; }
# a fresh private dir: a fixed name in /tmp is anyone's to plant a symlink at, and this runs as root
traces=$(mktemp -d /tmp/jailtrace-demo-traces.XXXXXX)

# the profiles run the servers as sshd does, through the user's login shell (/bin/sh -c '/usr/lib/openssh/sftp-server'),
# so the shell sshd will run inside the jail is traced too
say "jailtrace build $JAIL --profile sftp --profile scp --user $DEMO_USER --fix-perms"
jt build "$JAIL" --profile sftp --profile scp --user "$DEMO_USER" --fix-perms --output-dir "$traces"

say "jailtrace verify $JAIL (runs sftp and scp inside the jail under strace)"
jt verify "$JAIL" --output-dir "$traces"

say "what is in the jail ($(find "$JAIL" -type f | wc -l) files) and why the loader is there"
find "$JAIL" -path "$JAIL/.jailtrace" -prune -o \( -type f -o -type l -o -type c \) -print | sed "s|^$JAIL||" | sort
jt explain /lib64/ld-linux-x86-64.so.2 --jail "$JAIL"

say "a real sftp session as $DEMO_USER through a real sshd on 127.0.0.1 (ChrootDirectory $JAIL)"
sh scripts/demo-sshd.sh "$JAIL" "$DEMO_USER"
say "done: $JAIL works for sftp and scp through sshd"
# everything the demo made, as one command to paste: the jail, the traces, and the user if the demo created it
undo="rm -rf '$JAIL' '$traces'"
if $made_user; then undo="$undo && userdel -r '$DEMO_USER'"; fi
echo "to remove everything the demo made: $undo"
