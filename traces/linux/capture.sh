#!/bin/sh
# capture.sh - regenerate the real strace captures under traces/linux/.
#
# Run as root on Linux with strace (written against strace 6.1, Debian 12),
# gcc, openssh-client (scp, sftp) and openssh-sftp-server installed:
#
#     sh traces/linux/capture.sh
#
# Output layout (relative to this script's directory):
#     <workload>/<flagset>.strace     one file (strace -o FILE, or 2> FILE)
#     <workload>/ff/trace.<PID>       strace -ff -o <workload>/ff/trace
#     capture.log                     every command line run, date, strace -V,
#                                     uname -r, and strace's own stderr
# Workloads: probe (test/fixtures/probe.c), scp-upload (scp -t sink fed an
# scp-protocol upload on stdin), sftp-server (real sftp client in batch mode
# talking to a traced /usr/lib/openssh/sftp-server through sftp -D).
#
# Paths are fixed (/tmp/jt-probe-bin, /tmp/jt-probe-work, /tmp/jt-scp-dst,
# /tmp/jt-sftp-work) so the traced paths are the same on every run; only
# PIDs, addresses and timestamps change. Every traced command runs under
# `env -i` with a small fixed environment so that -v captures do not leak the
# caller's environment.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SRC=$ROOT/test/fixtures/probe.c
OUT=$HERE
LOG=$OUT/capture.log
# Run everything from / so the initial cwd (visible with -y as AT_FDCWD</>)
# does not depend on where the script was started.
cd /

BIN_DIR=/tmp/jt-probe-bin
PROBE=$BIN_DIR/probe
PROBE_WORK=/tmp/jt-probe-work
SCP_DST=/tmp/jt-scp-dst
SFTP_WORK=/tmp/jt-sftp-work
SFTP_SERVER=/usr/lib/openssh/sftp-server
STRACE=strace   # by name (PATH lookup), so notices read "strace: ..." as for a user
command -v strace >/dev/null || { echo "capture.sh: strace missing" >&2; exit 1; }

# Fixed environment of every traced process (see -v captures).
set -- PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C
CLEAN_ENV="$*"
set --

die() { echo "capture.sh: $*" >&2; exit 1; }
log() { printf '%s\n' "$*" >>"$LOG"; }
# run CMD...: record the command line in capture.log, then run it.
run() { log "\$ $*"; "$@"; }

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$SFTP_SERVER" ] || die "$SFTP_SERVER missing (apt-get install openssh-sftp-server)"
command -v scp >/dev/null || die "scp missing"
command -v sftp >/dev/null || die "sftp missing"

: >"$LOG"
log "# capture.sh run $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
log "# uname -r: $(uname -r)"
log "# uname -m: $(uname -m)"
log "# $($STRACE -V | head -1)"
log "# $(ldd --version | head -1)"
log "# $(ssh -V 2>&1)"
log "# environment of traced processes: env -i $CLEAN_ENV"

# Check that every strace flag used below exists in this strace.
for flag in -f -ff -tt -T -ttt -r -t -y -yy -x -xx -v -s -z -Z -qq -e; do
    if ! $STRACE -h 2>&1 | grep -q -- "$flag"; then
        log "# WARNING: strace -h does not mention $flag"
    fi
done

# ---------------------------------------------------------------- build probe
rm -rf "$BIN_DIR"
mkdir -p "$BIN_DIR"
run gcc -O0 -Wall -pthread -o "$PROBE" "$SRC" -ldl

# ---------------------------------------------------------------- probe
fresh_probe_work() {
    rm -rf "$PROBE_WORK"
    mkdir -p "$PROBE_WORK"
}

# probe_o NAME STRACE-FLAGS...: strace FLAGS -o probe/NAME.strace probe WORK
probe_o() {
    name=$1; shift
    fresh_probe_work
    f=$OUT/probe/$name.strace
    rm -f "$f"
    log "\$ env -i $CLEAN_ENV strace${*:+ $*} -o $f $PROBE $PROBE_WORK 2>>capture.log"
    # shellcheck disable=SC2086
    env -i $CLEAN_ENV "$STRACE" "$@" -o "$f" "$PROBE" "$PROBE_WORK" 2>>"$LOG" \
        || die "probe $name failed (see $LOG)"
}

mkdir -p "$OUT/probe"
probe_o f        -f
probe_o f-tt-T   -f -tt -T
probe_o f-ttt    -f -ttt
probe_o f-r      -f -r
probe_o f-t      -f -t
probe_o nof
probe_o f-y      -f -y
probe_o f-yy     -f -yy
probe_o f-xx     -f -xx
probe_o f-x      -f -x
probe_o f-v      -f -v
probe_o f-s256   -f -s 256
probe_o f-z      -f -z
probe_o f-Z      -f -Z
probe_o f-efile  -f -e trace=%file,%process,%network
probe_o f-efile-old -f -e trace=file,process,network
probe_o f-qq     -f -qq
probe_o f-combo  -f -tt -T -y -s 128

# -ff: one file per pid/tid
fresh_probe_work
rm -rf "$OUT/probe/ff"
mkdir -p "$OUT/probe/ff"
log "\$ env -i $CLEAN_ENV strace -ff -o $OUT/probe/ff/trace $PROBE $PROBE_WORK 2>>capture.log"
# shellcheck disable=SC2086
env -i $CLEAN_ENV "$STRACE" -ff -o "$OUT/probe/ff/trace" "$PROBE" "$PROBE_WORK" 2>>"$LOG" \
    || die "probe ff failed"

# stderr: strace's output AND the probe's own stderr both go to the file
fresh_probe_work
f=$OUT/probe/f-stderr.strace
log "\$ env -i $CLEAN_ENV strace -f $PROBE $PROBE_WORK 2>$f"
# shellcheck disable=SC2086
env -i $CLEAN_ENV "$STRACE" -f "$PROBE" "$PROBE_WORK" 2>"$f" || die "probe f-stderr failed"

# ---------------------------------------------------------------- scp-upload
# scp -t DIR is the "sink" end of the legacy scp protocol (what sshd runs for
# an upload). Protocol: sink sends \0 (ready); source sends
# "C0644 <size> <name>\n"; sink acks \0; source sends <size> bytes and \0;
# sink acks \0; source closes stdin. The sink reads its stdin in order, so the
# whole upload can be piped at once; the three \0 acks land in ACKS.
SCP_NAME=upload.txt
SCP_DATA='jailtrace scp payload 1
'
ACKS=/tmp/jt-scp-acks

scp_input() {
    printf 'C0644 %d %s\n' "${#SCP_DATA}" "$SCP_NAME"
    printf '%s' "$SCP_DATA"
    printf '\0'
}

scp_check() {
    [ "$(od -An -c "$ACKS" | tr -d ' \n')" = '\0\0\0' ] || die "scp $1: unexpected acks: $(od -c "$ACKS")"
    [ "$(cat "$SCP_DST/$SCP_NAME"; echo x)" = "${SCP_DATA}x" ] || die "scp $1: upload content mismatch"
}

fresh_scp() { rm -rf "$SCP_DST" "$ACKS"; mkdir -p "$SCP_DST"; }

# scp_o NAME STRACE-FLAGS...
scp_o() {
    name=$1; shift
    fresh_scp
    f=$OUT/scp-upload/$name.strace
    rm -f "$f"
    log "\$ scp_input | env -i $CLEAN_ENV strace $* -o $f scp -t $SCP_DST >$ACKS 2>>capture.log"
    # shellcheck disable=SC2086
    scp_input | env -i $CLEAN_ENV "$STRACE" "$@" -o "$f" scp -t "$SCP_DST" >"$ACKS" 2>>"$LOG" \
        || die "scp $name failed"
    scp_check "$name"
}

mkdir -p "$OUT/scp-upload"
log "# scp_input = printf 'C0644 %d %s\\n' ${#SCP_DATA} $SCP_NAME; printf '%s' 'jailtrace scp payload 1\\n'; printf '\\0'"
scp_o f        -f
scp_o f-tt-T-y -f -tt -T -y
scp_o f-efile  -f -e trace=%file,%process,%network

fresh_scp
rm -rf "$OUT/scp-upload/ff"; mkdir -p "$OUT/scp-upload/ff"
log "\$ scp_input | env -i $CLEAN_ENV strace -ff -o $OUT/scp-upload/ff/trace scp -t $SCP_DST >$ACKS 2>>capture.log"
# shellcheck disable=SC2086
scp_input | env -i $CLEAN_ENV "$STRACE" -ff -o "$OUT/scp-upload/ff/trace" scp -t "$SCP_DST" >"$ACKS" 2>>"$LOG" \
    || die "scp ff failed"
scp_check ff

fresh_scp
f=$OUT/scp-upload/f-stderr.strace
log "\$ scp_input | env -i $CLEAN_ENV strace -f scp -t $SCP_DST >$ACKS 2>$f"
# shellcheck disable=SC2086
scp_input | env -i $CLEAN_ENV "$STRACE" -f scp -t "$SCP_DST" >"$ACKS" 2>"$f" \
    || die "scp f-stderr failed"
scp_check f-stderr

# ---------------------------------------------------------------- sftp-server
# The real sftp client in batch mode; -D runs the given command line directly
# (OpenSSH splits it into words itself, argv_split(), and execvp()s it - no
# shell), so the traced server is "strace FLAGS -o FILE sftp-server".
# The client runs in $SFTP_WORK, which is also the server's cwd.
BATCH=/tmp/jt-sftp-batch
SFTP_OUT=/tmp/jt-sftp-stdout

cat >"$BATCH" <<EOF
cd $SFTP_WORK/remote
lcd $SFTP_WORK/local
ls -l
put upload.txt
get existing.txt
mkdir newdir
rename upload.txt newdir/renamed.txt
rm newdir/renamed.txt
rmdir newdir
-ls -l does-not-exist.txt
EOF

fresh_sftp() {
    rm -rf "$SFTP_WORK" "$SFTP_OUT"
    mkdir -p "$SFTP_WORK/local" "$SFTP_WORK/remote"
    printf 'sftp upload payload\n' >"$SFTP_WORK/local/upload.txt"
    printf 'sftp download payload\n' >"$SFTP_WORK/remote/existing.txt"
}

sftp_check() {
    cmp -s "$SFTP_WORK/local/existing.txt" "$SFTP_WORK/remote/existing.txt" \
        || die "sftp $1: get did not arrive"
    [ ! -e "$SFTP_WORK/remote/upload.txt" ] && [ ! -e "$SFTP_WORK/remote/newdir" ] \
        || die "sftp $1: rename/rm/rmdir did not happen"
    grep -q 'existing.txt' "$SFTP_OUT" || die "sftp $1: ls -l output missing"
}

# sftp_run NAME STDERR-FILE SERVER-COMMAND-LINE
sftp_run() {
    name=$1; err=$2; server=$3
    fresh_sftp
    log "\$ cd $SFTP_WORK && env -i $CLEAN_ENV sftp -b $BATCH -D '$server' >$SFTP_OUT 2>$err"
    # shellcheck disable=SC2086
    (cd "$SFTP_WORK" && env -i $CLEAN_ENV sftp -b "$BATCH" -D "$server" >"$SFTP_OUT" 2>"$err") \
        || die "sftp $name failed"
    sftp_check "$name"
}

mkdir -p "$OUT/sftp-server"
log "# sftp batch file $BATCH:"
sed 's/^/#   /' "$BATCH" >>"$LOG"
d=$OUT/sftp-server
rm -f "$d"/*.strace
rm -rf "$d/ff"; mkdir -p "$d/ff"
sftp_run f        /tmp/jt-sftp-stderr "$STRACE -f -o $d/f.strace $SFTP_SERVER"
cat /tmp/jt-sftp-stderr >>"$LOG"
sftp_run f-tt-T-y /tmp/jt-sftp-stderr "$STRACE -f -tt -T -y -o $d/f-tt-T-y.strace $SFTP_SERVER"
cat /tmp/jt-sftp-stderr >>"$LOG"
sftp_run f-efile  /tmp/jt-sftp-stderr "$STRACE -f -e trace=%file,%process,%network -o $d/f-efile.strace $SFTP_SERVER"
cat /tmp/jt-sftp-stderr >>"$LOG"
sftp_run ff       /tmp/jt-sftp-stderr "$STRACE -ff -o $d/ff/trace $SFTP_SERVER"
cat /tmp/jt-sftp-stderr >>"$LOG"
# strace's stderr is the client's stderr: both land in the file
sftp_run f-stderr "$d/f-stderr.strace" "$STRACE -f $SFTP_SERVER"
rm -f /tmp/jt-sftp-stderr

log "# done $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
echo "capture.sh: done; see $LOG"
du -sh "$OUT"
