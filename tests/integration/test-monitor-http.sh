#!/usr/bin/env bash
# skytune-monitor's loopback HTTP API, on ports this test picks (never the default 9677, which other
# tests and a running service may hold): GET /metrics passes `promtool check metrics`, its values are
# the store's (`skytune monitor query`), its health families say the collectors are up; GET
# /api/v1/status is skytune.monitor-status/1 with the daemon's figures; another path is 404, another
# method 405 with Allow, both JSON; past the connection limit it serves again; listen = "off" serves
# nothing; an address that is not loopback
# is refused at file:line; a busy port stops the start with a message that names it, and on SIGHUP
# keeps the listener in use; a reload with another `listen` rebinds (IPv6 [::1] too, where the host
# has it), and "off" stops serving.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
command -v curl >/dev/null || { echo "SKIP: curl missing (scripts/install-deps.sh --test)"; exit 77; }
command -v promtool >/dev/null || { echo "SKIP: promtool missing (apt-get install prometheus)"; exit 77; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
fixture=$src/tests/fixtures/captured-vm

# free_port [HOST]: a port nothing listens on now (the kernel's pick for port 0).
free_port() {
        python3 -c 'import socket, sys
h = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET)
s.bind((h, 0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
}
# wait_for FILE TEXT: up to 10 s for TEXT in FILE.
wait_for() {
        for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}
# refused URL: nothing answers there.
refused() {
        local rc=0
        curl -s -o /dev/null --max-time 5 "$1" || rc=$?
        [ $rc = 7 ] || fail "$1: curl exit $rc, want 7 (connection refused)"
}

p1=$(free_port)
conf=$tmp/monitor.conf
printf 'flush = "0.4s";\nlisten = "127.0.0.1:%s";\n' "$p1" >"$conf"
"$mon" --config "$conf" --sysroot "$fixture" --store "$tmp/m.db" --interval 0.2 2>"$tmp/m.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://127.0.0.1:$p1"
wait_for "$tmp/m.log" "sampling every 0.2 s"
sleep 1.2   # samples, and a flush for the query below
# Before its first connection the daemon maps neither libmicrohttpd (nor GnuTLS) nor libpq (no DSN):
# they are loaded at their first use (docs/monitor.md, Figures: 5 MB of RSS together).
! grep -E 'libmicrohttpd|libgnutls|libpq|libcrypto' /proc/$pid/maps >/dev/null ||
        fail "mapped before any use: $(grep -oE '[^/]*(microhttpd|gnutls|pq|crypto)[^/]*$' /proc/$pid/maps | sort -u)"

# --- GET /metrics: the exposition format, valid for promtool, the store's values
url=http://127.0.0.1:$p1
curl -sf -D "$tmp/h.txt" "$url/metrics" >"$tmp/metrics.txt" || fail "GET /metrics: $(cat "$tmp/m.log")"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/h.txt" || fail "GET /metrics: $(cat "$tmp/h.txt")"
grep -q libmicrohttpd /proc/$pid/maps || fail "libmicrohttpd not mapped after the first request"
promtool check metrics <"$tmp/metrics.txt" >"$tmp/promtool.txt" 2>&1 ||
        fail "promtool check metrics: $(cat "$tmp/promtool.txt")"
"$sky" monitor query memory.used_pct --store "$tmp/m.db" --since 1h --step 1h --json >"$tmp/q.json"
python3 - "$tmp/metrics.txt" "$tmp/q.json" <<'PY' || fail "/metrics: $(head -c 3000 "$tmp/metrics.txt")"
import json, sys
samples = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    name, value = line.rsplit(" ", 1)
    assert name not in samples, ("twice", name)
    samples[name] = float(value)
buckets = json.load(open(sys.argv[2]))["buckets"]
stored = buckets[-1]["max"]                                # memory.used_pct, percent, at scale 2
served = samples["skytune_memory_used_ratio"]              # the same series as a ratio
assert abs(served * 100 - stored) < 0.01, (served, stored)
assert samples['skytune_collector_up{collector="memory"}'] == 1, samples
assert samples['skytune_collector_up{collector="cpu"}'] == 1, samples
assert samples["skytune_monitor_series"] >= 20, samples["skytune_monitor_series"]
assert samples["skytune_monitor_interval_seconds"] == 0.2
assert samples["skytune_monitor_ticks_total"] >= 5
assert samples["skytune_monitor_store_size_bytes"] > 0
assert 'skytune_build_info{version="' in "".join(samples), samples.keys()
gauges = [n for n in samples if n.startswith("skytune_") and "{" not in n]
assert len(gauges) >= 20, gauges
PY

# --- GET /api/v1/status
curl -sf -D "$tmp/sh.txt" "$url/api/v1/status" >"$tmp/status.json" || fail "GET /api/v1/status"
grep -qi '^Content-Type: application/json' "$tmp/sh.txt" || fail "GET /api/v1/status: $(cat "$tmp/sh.txt")"
python3 - "$tmp/status.json" "$tmp/m.db" "127.0.0.1:$p1" <<'PY' || fail "/api/v1/status: $(cat "$tmp/status.json")"
import json, sys, datetime
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.monitor-status/1", d
assert d["interval_s"] == 0.2 and d["series"] >= 20 and d["series_forgotten"] == 0 and d["ticks"] >= 5 and d["missed"] >= 0, d
assert d["store"]["path"] == sys.argv[2] and d["store"]["bytes"] > 0, d
assert d["listen"] == sys.argv[3] and d["version"], d
started = datetime.datetime.fromisoformat(d["started"].replace("Z", "+00:00"))
last = datetime.datetime.fromisoformat(d["last_sample"].replace("Z", "+00:00"))
assert started <= last + datetime.timedelta(seconds=1), d
assert set(d["dropped"]) == {"overflow", "series", "order", "value"}, d
PY

# --- other paths and methods: 404 and 405, JSON; HEAD is GET without the body
code=$(curl -s -o "$tmp/404.json" -w '%{http_code}' "$url/nope")
[ "$code" = 404 ] || fail "GET /nope: $code"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["error"] and "/metrics" in d["paths"], d' \
        "$tmp/404.json" || fail "404 body: $(cat "$tmp/404.json")"
code=$(curl -s -o "$tmp/405.json" -D "$tmp/405.h" -w '%{http_code}' -X POST -d x=1 "$url/metrics")
[ "$code" = 405 ] || fail "POST /metrics: $code"
grep -qi '^Allow: GET, HEAD' "$tmp/405.h" || fail "405 without Allow: $(cat "$tmp/405.h")"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["error"]' "$tmp/405.json" || fail "405 body"
# DNS rebinding: a page under another name pointed at 127.0.0.1 is refused; loopback names pass.
code=$(curl -s -o "$tmp/421.json" -w '%{http_code}' -H 'Host: attacker.example:9677' "$url/api/v1/status")
[ "$code" = 421 ] || fail "a foreign Host: $code, want 421"
for host in localhost:1 127.0.0.1 '[::1]:9677'; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "$url/api/v1/status")
        [ "$code" = 200 ] || fail "Host $host: $code, want 200"
done
code=$(curl -s -o "$tmp/head.out" -w '%{http_code}' -I "$url/metrics")
[ "$code" = 200 ] || fail "HEAD /metrics: $code"
# Keep-alive: two GETs on one connection.
curl -sv -o /dev/null -o /dev/null "$url/metrics" "$url/api/v1/status" 2>"$tmp/keep.txt" || fail "two GETs"
grep -q "Re-using existing connection" "$tmp/keep.txt" || fail "no keep-alive: $(grep '^[<*]' "$tmp/keep.txt")"

# --- past the connection limit (32): 40 connections held, 10 of them half a request, then closed
# all at once (the process exits); each time the server serves again (MHD's listen socket is back in
# its epoll set: http-server.c, run()). Without that, about one round in five stalled for ever.
for round in 1 2 3 4 5 6 7 8; do
        python3 - "$p1" <<'PY' || fail "40 connections (round $round)"
import os, socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) for _ in range(40)]
for s in held[:10]:
    s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
time.sleep(0.3)
os._exit(0)
PY
        curl -sf --max-time 4 -o /dev/null "$url/metrics" ||
                fail "no answer after the connection limit was reached (round $round)"
done

# --- a busy port: the start fails and says which address and what to do
rc=0; "$mon" --config "$conf" --store "$tmp/two.db" --duration 2 2>"$tmp/busy.log" || rc=$?
[ $rc = 1 ] || fail "a second daemon on a busy port: exit $rc: $(cat "$tmp/busy.log")"
grep -q "$conf: cannot serve the HTTP API on 127.0.0.1:$p1: Address already in use; another program" \
        "$tmp/busy.log" || fail "the busy port's message: $(cat "$tmp/busy.log")"

# --- SIGHUP with another port: rebinds, the old port is closed
p2=$(free_port)
printf 'flush = "0.4s";\nlisten = "127.0.0.1:%s";\n' "$p2" >"$conf"
kill -HUP $pid
wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://127.0.0.1:$p2"
curl -sf "http://127.0.0.1:$p2/metrics" | promtool check metrics >/dev/null || fail "after the rebind: $p2"
refused "$url/metrics"

# --- SIGHUP to a busy port: the listener in use stays
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$tmp/holder.port" &
holder=$!; pids+=($holder)
wait_for "$tmp/holder.port" "[0-9]"
p3=$(cat "$tmp/holder.port")
printf 'flush = "0.4s";\nlisten = "127.0.0.1:%s";\n' "$p3" >"$conf"
kill -HUP $pid
wait_for "$tmp/m.log" "keeping the HTTP API on 127.0.0.1:$p2"
grep -q "cannot serve the HTTP API on 127.0.0.1:$p3: Address already in use" "$tmp/m.log" ||
        fail "the reload's busy port: $(cat "$tmp/m.log")"
curl -sf "http://127.0.0.1:$p2/api/v1/status" >/dev/null || fail "the listener in use did not stay"
kill $holder

# --- IPv6 loopback, where the host has it
if p6=$(free_port ::1 2>/dev/null); then
        printf 'listen = "[::1]:%s";\n' "$p6" >"$conf"
        kill -HUP $pid
        wait_for "$tmp/m.log" "serving /metrics and /api/v1/status on http://\[::1\]:$p6"
        curl -sfg "http://[::1]:$p6/metrics" | promtool check metrics >/dev/null || fail "[::1]:$p6"
        refused "http://127.0.0.1:$p2/metrics"
else
        echo "SKIP (IPv6): no ::1 on this host"
fi

# --- SIGHUP with "off": nothing serves; SIGTERM still exits 0
printf 'listen = "off";\n' >"$conf"
kill -HUP $pid
wait_for "$tmp/m.log" "is off"
refused "http://127.0.0.1:$p2/metrics"
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ $rc = 0 ] || fail "SIGTERM with the API: exit $rc: $(cat "$tmp/m.log")"

# --- listen = "off" from the start: no listener, no message about one
p4=$(free_port)
printf 'listen = "off";\n' >"$tmp/off.conf"
"$mon" --config "$tmp/off.conf" --sysroot "$fixture" --store "$tmp/off.db" --interval 0.2 --duration 1 \
        2>"$tmp/off.log" || fail "listen = off: $(cat "$tmp/off.log")"
grep -q "serving /metrics" "$tmp/off.log" && fail "listen = off served: $(cat "$tmp/off.log")"

# --- not loopback: refused at file:line, at start and by --check
printf 'interval = 1;\nlisten = "0.0.0.0:%s";\n' "$p4" >"$tmp/any.conf"
rc=0; "$mon" --config "$tmp/any.conf" --store "$tmp/any.db" --duration 1 2>"$tmp/any.log" || rc=$?
[ $rc = 1 ] || fail "listen = 0.0.0.0: exit $rc"
grep -q "$tmp/any.conf:2: 'listen' = \"0.0.0.0:$p4\" is not a loopback address" "$tmp/any.log" ||
        fail "listen = 0.0.0.0: $(cat "$tmp/any.log")"
grep -q "add api_token_file" "$tmp/any.log" || fail "listen = 0.0.0.0 does not say what to add: $(cat "$tmp/any.log")"
[ ! -e "$tmp/any.db" ] || fail "listen = 0.0.0.0: a store was made before the configuration was refused"
rc=0; "$mon" --check --config "$tmp/any.conf" 2>"$tmp/anycheck.log" || rc=$?
[ $rc = 1 ] && grep -q "any.conf:2: 'listen'" "$tmp/anycheck.log" || fail "--check of listen = 0.0.0.0: exit $rc"
"$mon" --check --config "$tmp/off.conf" | grep -q "the HTTP API (/metrics, /api/v1/status): off" || fail "--check off"
echo "PASS"
