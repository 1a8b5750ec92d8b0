#!/bin/sh
# The demo's last act: a real sftp session through a real sshd into a jail, as a user would arrive.
# Usage: sh scripts/demo-sshd.sh JAIL USER   (as root; JAIL built by jailtrace build ... --user USER)
#
# A throwaway sshd listens on 127.0.0.1 only, on a free port, with its own config, host key and pid file, all in a
# fresh root-owned directory under /etc/ssh (outside every jail; sshd's StrictModes refuses keys under /tmp). It has
# UsePAM no, public keys only, and `Match User USER` with `ChrootDirectory JAIL`. The client logs in with a key made
# for this run, puts a file, lists, gets it back and compares the bytes; sshd is then stopped by its pid.
set -eu
JAIL=$1
DEMO_USER=$2
SFTP_SERVER=${SFTP_SERVER:-/usr/lib/openssh/sftp-server}
say() { printf '%s\n' "$*"; }

[ -x /usr/sbin/sshd ] || { echo "demo: /usr/sbin/sshd is missing: apt-get install -y openssh-server" >&2; exit 2; }

# With UsePAM no, sshd refuses an account whose password field starts with "!" (useradd's default: locked) even for
# a key login. "*" means no password can match, without the lock.
case "$(getent shadow "$DEMO_USER" | cut -d: -f2)" in
  '!'*) say "unlocking $DEMO_USER for key logins (password field ! -> *: still no password login)"; usermod -p '*' "$DEMO_USER" ;;
esac

dir=$(mktemp -d /etc/ssh/jailtrace-demo.XXXXXX)   # root's, 0700 until the keys are in place
work=$(mktemp -d /tmp/jailtrace-demo-client.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
  rm -rf "$dir" "$work"
}
trap cleanup EXIT INT TERM

ssh-keygen -q -t ed25519 -N '' -C jailtrace-demo-host -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -C jailtrace-demo-client -f "$work/id"
mkdir "$dir/keys"
cp "$work/id.pub" "$dir/keys/$DEMO_USER"
chmod 644 "$dir/keys/$DEMO_USER"
chmod 755 "$dir" "$dir/keys"        # sshd reads the user's keys file with the user's rights
mkdir -p /run/sshd                  # sshd's privilege separation directory (Debian makes it at boot)

# a free port on loopback, asked of the kernel
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

cat > "$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $dir/keys/%u
StrictModes yes
Subsystem sftp $SFTP_SERVER
AllowUsers $DEMO_USER
Match User $DEMO_USER
    ChrootDirectory $JAIL
    AllowTcpForwarding no
    X11Forwarding no
    PermitTTY no
EOF
/usr/sbin/sshd -t -f "$dir/sshd_config"
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
i=0
while [ ! -s "$dir/sshd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat "$dir/sshd.pid")
say "sshd pid $pid on 127.0.0.1:$port (config $dir/sshd_config)"

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$work/known_hosts"
head -c 100000 /dev/urandom > "$work/upload.bin"
printf 'put upload.bin\nls -l\nget upload.bin back.bin\nrm upload.bin\n' > "$work/batch"
say "sftp -b batch -P $port $DEMO_USER@127.0.0.1"
rc=0
(cd "$work" && sftp -b batch -P "$port" -i "$work/id" -o IdentitiesOnly=yes -o BatchMode=yes \
  -o UserKnownHostsFile="$work/known_hosts" -o StrictHostKeyChecking=yes "$DEMO_USER@127.0.0.1") || rc=$?
if [ $rc -ne 0 ]; then
  echo "demo: the sftp session through sshd failed (exit $rc); sshd's log:" >&2
  sed 's/^/  /' "$dir/sshd.log" >&2
  exit 1
fi
up=$(sha256sum < "$work/upload.bin" | cut -d' ' -f1)
back=$(sha256sum < "$work/back.bin" | cut -d' ' -f1)
[ "$up" = "$back" ] || { echo "demo: the download differs from the upload" >&2; exit 1; }
say "bytes intact: sha256 $up both ways"
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
say "sshd (pid $pid) stopped"
pid=
