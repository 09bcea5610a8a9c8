#!/usr/bin/env bash
# skytune-monitor without libmicrohttpd (issue 15): in a private mount namespace the library's file
# is covered by an empty one. The daemon starts and samples; the API's first connection is refused
# and the log says why (dlerror's words) and which package to install; a SIGHUP once the library is
# back (the cover unmounted) serves /metrics again, without a restart.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root for a private mount namespace"; exit 77; }
command -v unshare >/dev/null && command -v curl >/dev/null || { echo "SKIP: unshare or curl missing"; exit 77; }
# This architecture's copy (a multiarch host may have an i386 one too).
lib=$(ldconfig -p | awk -v arch="/$(uname -m)-linux-gnu/" '$1 == "libmicrohttpd.so.12" && index($NF, arch) { print $NF; exit }')
[[ -n $lib ]] || { echo "SKIP: libmicrohttpd.so.12 not installed"; exit 77; }
lib=$(readlink -f "$lib")
unshare -m true 2>/dev/null || { echo "SKIP: cannot make a mount namespace here"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'flush = "0.4s";\nlisten = "127.0.0.1:%s";\n' "$port" >"$tmp/monitor.conf"
: >"$tmp/empty"

# Everything below runs in the namespace: the cover is never seen by the host.
unshare -m --propagation private bash -s -- "$mon" "$src" "$tmp" "$lib" "$port" <<'NS' || fail "(above)"
set -euo pipefail
mon=$1 src=$2 tmp=$3 lib=$4 port=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() { # FILE TEXT [COUNT]: up to 10 s for COUNT lines with TEXT in FILE
        for _ in $(seq 100); do (($(grep -c -- "$2" "$1" 2>/dev/null || true) >= ${3:-1})) && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}
mount --bind "$tmp/empty" "$lib"
"$mon" --config "$tmp/monitor.conf" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/m.db" --interval 0.2 \
        2>"$tmp/m.log" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://127.0.0.1:$port"
wait_for "$tmp/m.log" "sampling every 0.2 s"
url=http://127.0.0.1:$port/metrics
! curl -sf --max-time 5 -o /dev/null "$url" || fail "GET /metrics answered without libmicrohttpd"
wait_for "$tmp/m.log" "the HTTP server library cannot be loaded ("
grep -q "install libmicrohttpd12" "$tmp/m.log" || fail "the log names no package: $(cat "$tmp/m.log")"
grep -q "systemctl reload skytune-monitor" "$tmp/m.log" || fail "the log does not say a reload retries"
kill -0 $pid || fail "the daemon stopped without its HTTP library"
# Still refused: the socket is closed, not left to hang.
rc=0; curl -s --max-time 5 -o /dev/null "$url" || rc=$?
[[ $rc == 7 ]] || fail "after the failed load: curl exit $rc, want 7 (connection refused)"
# A reload without the library fails again, and says so again.
kill -HUP $pid
wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://127.0.0.1:$port" 2
! curl -sf --max-time 5 -o /dev/null "$url" || fail "served after a reload, still without libmicrohttpd"
wait_for "$tmp/m.log" "the HTTP server library cannot be loaded (" 2
# The library back, a reload serves.
umount "$lib"
kill -HUP $pid
wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://127.0.0.1:$port" 3
curl -sf --max-time 5 "$url" >"$tmp/metrics.txt" || fail "no /metrics after the library came back: $(cat "$tmp/m.log")"
grep -q '^skytune_collector_up' "$tmp/metrics.txt" || fail "/metrics: $(head -5 "$tmp/metrics.txt")"
grep -q libmicrohttpd /proc/$pid/maps || fail "libmicrohttpd not mapped after the reload"
NS
echo "ok: without libmicrohttpd the API refuses and says why; a reload once it is back serves"
