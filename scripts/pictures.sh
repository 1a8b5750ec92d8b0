#!/bin/sh
# Regenerate the pictures the guide shows (docs/pictures/*.svg) from the recorded traces in traces/linux/.
# Needs Graphviz (apt-get install graphviz), a built checkout (npm run build), and root (the explain picture reads a
# jail built from the sftp-server trace, in a scratch directory under /srv that is removed afterwards).
set -eu
cd "$(dirname "$0")/.."
out=docs/pictures
jt="node dist/src/cli.js"
tmp=$(mktemp -d /tmp/jailtrace-pictures-XXXXXX)
mkdir -p /srv
jail=$(mktemp -d /srv/jailtrace-pictures-XXXXXX)
trap 'rm -rf "$tmp" "$jail"' EXIT INT TERM
chmod 755 "$jail"
# the process tree of rssh's chroot helper: its chroot boundary and what failed inside it, in red
$jt tree --dot traces/linux/rssh-chain/f.strace | dot -Tsvg > "$out/tree-rssh-chain.svg"
# the rule chain that put the ELF interpreter into an sftp jail
cp traces/linux/sftp-server/f.strace "$tmp/sftp-server.strace"
$jt -q build "$jail/jail" --trace "$tmp/sftp-server.strace" --cwd / --output-dir "$tmp" >/dev/null
$jt explain /lib64/ld-linux-x86-64.so.2 --jail "$jail/jail" --dot | dot -Tsvg > "$out/explain-ld-so.svg"
ls -l "$out"
