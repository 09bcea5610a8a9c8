#!/usr/bin/env bash
# skytune-monitor's application metrics (docs/monitor.md, Application metrics): on a fixture tree,
# with app_socket in a temporary directory, records sent as datagrams (python3) come out of `skytune
# monitor query` as the right rate, error share and p95; the socket is mode 0666, a stale one is
# replaced and it is removed at stop; bad records are counted by reason and logged once with the
# field; past app_max_series new endpoints are dropped and counted; an alert rule reads the series; a
# second daemon leaves a live socket alone, and a file that is no socket too; SIGHUP applies a new
# app_max_series and keeps the socket; a missing directory is a warning naming the path and the
# daemon runs on; "off" makes no socket; `skytune monitor summary` reads the endpoint back; a stop
# between ticks stores the records since the last one; GET /metrics has them as Prometheus histograms.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
fixture=$src/tests/fixtures/captured-vm
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/run" "$tmp/alerts"
sock=$tmp/run/app.sock

# field STORE SERIES FIELD: over the last hour, FIELD of the samples: count, min, max or sum.
field() {
        "$sky" monitor query "$2" --store "$1" --since 1h --step 1h --json | python3 -c '
import json, sys
b = json.load(sys.stdin)["buckets"]
f = sys.argv[1]
if f == "count": print(sum(x["count"] for x in b))
elif f == "sum": print(round(sum(x["avg"] * x["count"] for x in b), 3))
elif f == "min": print(min(x["min"] for x in b) if b else "none")
else: print(max(x["max"] for x in b) if b else "none")' "$3"
}
# wait_for FILE TEXT: up to 10 s for TEXT in FILE.
wait_for() {
        for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}
# send SOCKET FILE: each paragraph of FILE (blank-line separated) is one datagram.
send() {
        python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for d in open(sys.argv[2]).read().split("\n\n"):
    if d.strip():
        s.sendto(d.encode(), sys.argv[1])
PY
}
# within A B TOL: |A - B| <= TOL.
within() { python3 -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(abs(a - b) > t)' "$1" "$2" "$3"; }

# A stale socket from a daemon that died: replaced.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$sock"
# The HTTP API off in every daemon here: tests run side by side (the default port is one).
cat >"$tmp/m.conf" <<CONF
listen = "off";
app_socket = "$sock";
app_max_series = 3;
CONF
cat >"$tmp/alerts/app.conf" <<'RULES'
rules = ( { name = "AppErrors"; expr = "app.api_v1_x.GET.errors_pct"; warn = 5; crit = 50; no_data = "keep"; } );
RULES
"$mon" --config "$tmp/m.conf" --sysroot "$fixture" --alerts "$tmp/alerts" --store "$tmp/app.db" --interval 0.5 \
        2>"$tmp/app.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/app.log" "sampling every 0.5 s"
grep -q "$sock: reading application metrics (at most 3 endpoints and metrics)" "$tmp/app.log" ||
        fail "no line about the socket: $(cat "$tmp/app.log")"
[ "$(stat -c %a "$sock")" = 666 ] || fail "the socket's mode is $(stat -c %a "$sock"), not 666"
# A second daemon (another store) on the same socket: it leaves the live one alone and runs without.
"$mon" --config "$tmp/m.conf" --sysroot "$fixture" --alerts "$tmp/alerts" --store "$tmp/second.db" --interval 0.2 \
        --duration 0.5 2>"$tmp/second.log" || fail "a second daemon on the socket: $(cat "$tmp/second.log")"
grep -q "warning: $sock: another process reads this socket" "$tmp/second.log" ||
        fail "the second daemon did not say the socket is taken: $(cat "$tmp/second.log")"
[ -S "$sock" ] || fail "the second daemon removed the first one's socket"

# 100 requests of 1 .. 100 ms in one datagram (one interval), every tenth a 500; then a custom gauge
# and counter, endpoints past the cap, and bad records.
python3 - >"$tmp/records" <<'PY'
import json
print("\n".join(json.dumps({"timestamp": 1765000000.0, "endpoint": "/api/v1/x", "method": "GET", "response_time": i,
                            "status_code": 500 if i % 10 == 0 else 200, "success": i % 10 != 0, "user_id": "u1",
                            "tenant_id": "t1", "request_size": 100, "response_size": 500}) for i in range(1, 101)))
print()
print('{"metric": "queue.depth", "value": 42, "unit": "count_now"}\n{"metric": "jobs", "value": 3, "unit": "count"}')
print()
# The drops in one datagram, so that one wake-up reads them all and the one log line counts all five
# whatever the host's load (in two, a wake-up between them logs the first alone).
print('{"endpoint": "/b", "response_time": 1}\n{"endpoint": "/c", "response_time": 1}')
print('not json\n{"endpoint": "/api/v1/x"\n{"endpoint": "/api/v1/x", "response_time": -5}')
PY
send "$sock" "$tmp/records"
wait_for "$tmp/app.log" "alert AppErrors firing"
sleep 1.2
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ $rc = 0 ] || fail "SIGTERM: exit $rc: $(cat "$tmp/app.log")"
[ ! -e "$sock" ] || fail "the socket was not removed at stop"

db=$tmp/app.db
s=app.api_v1_x.GET
within "$(field "$db" $s.requests sum)" 100 0 || fail "requests summed over the run: $(field "$db" $s.requests sum), want 100"
# A tick more than half an interval late harvests over two slots (the rates halve) and counts as
# missed: the rates are exact only without a miss.
missed=$(field "$db" monitor.missed_total max)
[ "$missed" != none ] || fail "no monitor.missed_total"
if within "$missed" 0 0; then
        total=$(field "$db" $s.requests_per_s sum)
        within "$total" 200 0.01 || fail "requests_per_s summed over the run is $total, want 200 (100 requests, 0.5 s intervals)"
        within "$(field "$db" $s.requests_per_s max)" 200.0 0 || fail "requests_per_s max: $(field "$db" $s.requests_per_s max)"
        within "$(field "$db" $s.response_bytes_per_s max)" 100000.0 0 || fail "response_bytes_per_s"
else
        echo "note: $missed ticks missed (a loaded host): requests_per_s and response_bytes_per_s not checked"
fi
within "$(field "$db" $s.errors_pct count)" 1 0 || fail "errors_pct: samples only for intervals with requests"
within "$(field "$db" $s.errors_pct max)" 10.0 0 || fail "errors_pct: $(field "$db" $s.errors_pct max), want 10"
p95=$(field "$db" $s.latency_p95_ms max)
within "$p95" 95 0.95 || fail "latency_p95_ms: $p95, want 95 within 1 %"
within "$(field "$db" $s.latency_p50_ms max)" 50 0.5 || fail "latency_p50_ms"
within "$(field "$db" $s.latency_mean_ms max)" 50.5 0.001 || fail "latency_mean_ms"
within "$(field "$db" custom.queue.depth max)" 42.0 0 || fail "custom.queue.depth"
within "$(field "$db" custom.jobs sum)" 3.0 0 || fail "custom.jobs (a counter): $(field "$db" custom.jobs sum)"
within "$(field "$db" monitor.app_records_total max)" 102.0 0 || fail "monitor.app_records_total"
within "$(field "$db" monitor.app_dropped.bad_json max)" 2.0 0 || fail "monitor.app_dropped.bad_json"
within "$(field "$db" monitor.app_dropped.bad_field max)" 1.0 0 || fail "monitor.app_dropped.bad_field"
# The cap: /api/v1/x GET, queue.depth and jobs are kept; /b and /c are not.
within "$(field "$db" monitor.app_dropped.over_cap max)" 2.0 0 || fail "monitor.app_dropped.over_cap"
"$sky" monitor series --store "$db" | grep -q "app\.b\." && fail "a series past app_max_series was kept"
# skytune monitor summary over the same store: the requests from the rate, the success rate and
# the mean weighted by them, the worst second's P95.
"$sky" monitor summary --store "$db" --minutes 10 --json >"$tmp/summary.json" || fail "monitor summary"
python3 - "$tmp/summary.json" <<'PY' || fail "monitor summary: $(cat "$tmp/summary.json")"
import json, sys
d = json.load(open(sys.argv[1]))
[e] = [e for e in d["endpoints"] if e["endpoint"] == "api_v1_x"]
assert e["method"] == "GET" and e["requests"] == 100, e
assert abs(e["success_pct"] - 90) < 1e-6 and abs(e["mean_ms"] - 50.5) < 1e-3, e
assert abs(e["p95_ms_worst_s"] - 95) <= 0.95, e
assert d["application"]["requests"] == 100, d["application"]
assert any(h["series"] == "memory.used_pct" for h in d["host"]), d["host"]
PY
# One line for the drops of that minute, naming the last one's reason.
[ "$(grep -c "dropped .* application records" "$tmp/app.log")" = 1 ] ||
        fail "want one line about the dropped records: $(cat "$tmp/app.log")"
grep -q "$sock: dropped 5 application records; the last: bad_field 'response_time' must be" "$tmp/app.log" ||
        fail "the drop line names no field: $(cat "$tmp/app.log")"

# A directory that is not there: a warning naming the path; the daemon samples on.
printf 'listen = "off";\napp_socket = "%s";\n' "$tmp/nodir/app.sock" >"$tmp/nodir.conf"
"$mon" --config "$tmp/nodir.conf" --sysroot "$fixture" --store "$tmp/nodir.db" --interval 0.2 --duration 1 \
        2>"$tmp/nodir.log" || fail "a missing socket directory stopped the daemon: $(cat "$tmp/nodir.log")"
grep -q "warning: $tmp/nodir/app.sock: its directory is missing" "$tmp/nodir.log" ||
        fail "no warning naming the path: $(cat "$tmp/nodir.log")"
[ "$(field "$tmp/nodir.db" memory.used_pct count)" -ge 3 ] || fail "no samples without the socket"

# A file that is no socket at the path: left alone, with a warning.
echo "keep me" >"$tmp/run/file.sock"
printf 'listen = "off";\napp_socket = "%s";\n' "$tmp/run/file.sock" >"$tmp/file.conf"
"$mon" --config "$tmp/file.conf" --sysroot "$fixture" --store "$tmp/file.db" --interval 0.2 --duration 0.5 \
        2>"$tmp/file.log" || fail "a file at the socket's path: $(cat "$tmp/file.log")"
grep -q "warning: $tmp/run/file.sock: not a socket, left alone" "$tmp/file.log" || fail "no warning: $(cat "$tmp/file.log")"
[ "$(cat "$tmp/run/file.sock")" = "keep me" ] || fail "the file at the socket's path was changed"

# SIGHUP: a new app_max_series applies (a new endpoint is kept); a new app_socket takes a restart.
printf 'listen = "off";\napp_socket = "%s";\napp_max_series = 1;\n' "$sock" >"$tmp/hup.conf"
"$mon" --config "$tmp/hup.conf" --sysroot "$fixture" --alerts "$tmp/alerts" --store "$tmp/hup.db" --interval 0.2 \
        2>"$tmp/hup.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/hup.log" "reading application metrics (at most 1 "
printf '{"endpoint": "/one", "response_time": 1}\n\n{"endpoint": "/two", "response_time": 1}\n' >"$tmp/two"
send "$sock" "$tmp/two"
printf 'listen = "off";\napp_socket = "%s";\napp_max_series = 2;\n' "$tmp/run/other.sock" >"$tmp/hup.conf"
sleep 0.5
kill -HUP $pid
wait_for "$tmp/hup.log" "'app_socket' changed to $tmp/run/other.sock: that takes a restart"
wait_for "$tmp/hup.log" "configuration reloaded"
send "$sock" "$tmp/two"
sleep 0.6
kill -TERM $pid; wait $pid || fail "after the reload: exit $?"
within "$(field "$tmp/hup.db" app.two.GET.requests sum)" 1 0 ||
        fail "after raising app_max_series, /two: $(field "$tmp/hup.db" app.two.GET.requests sum) records (want 1)"
# (the rate only without a missed tick, as above)
if within "$(field "$tmp/hup.db" monitor.missed_total max)" 0 0; then
        within "$(field "$tmp/hup.db" app.two.GET.requests_per_s sum)" 5 0.01 ||
                fail "after raising app_max_series, /two: $(field "$tmp/hup.db" app.two.GET.requests_per_s sum) per s (want 1 record)"
fi
within "$(field "$tmp/hup.db" monitor.app_dropped.over_cap max)" 1 0 || fail "before the reload, /two was not over the cap"

# Stop between ticks: the records since the last one are stored as a last, shorter interval.
printf 'listen = "off";\napp_socket = "%s";\n' "$sock" >"$tmp/last.conf"
"$mon" --config "$tmp/last.conf" --sysroot "$fixture" --store "$tmp/last.db" --interval 30 2>"$tmp/last.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/last.log" "reading application metrics"
for i in 1 2 3 4 5 6 7; do printf '{"endpoint": "/late", "response_time": %d}\n' $i; done >"$tmp/late"
send "$sock" "$tmp/late"
sleep 0.3
kill -TERM $pid; wait $pid || fail "stop between ticks: exit $?"
within "$(field "$tmp/last.db" app.late.GET.requests sum)" 7 0 ||
        fail "records before a stop between ticks: $(field "$tmp/last.db" app.late.GET.requests sum) stored, want 7"
within "$(field "$tmp/last.db" app.late.GET.latency_mean_ms max)" 4 0.001 || fail "the last interval's mean latency"

# GET /metrics: the records as a Prometheus histogram per endpoint and method, cumulative buckets
# counted exactly (1 ms and 2 s are bounds: a record of exactly one counts in it), promtool clean.
if command -v curl >/dev/null && command -v promtool >/dev/null; then
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        printf 'listen = "127.0.0.1:%s";\napp_socket = "%s";\n' "$port" "$sock" >"$tmp/prom.conf"
        "$mon" --config "$tmp/prom.conf" --sysroot "$fixture" --store "$tmp/prom.db" --interval 0.5 2>"$tmp/prom.log" &
        pid=$!; pids+=($pid)
        wait_for "$tmp/prom.log" "reading application metrics"
        wait_for "$tmp/prom.log" "serving /metrics"
        for ms in 0.5 1 7 2000 2000.5 70000; do printf '{"endpoint": "/hist", "response_time": %s}\n' $ms; done >"$tmp/h1"
        printf '{"endpoint": "/hist", "method": "POST", "response_time": 30, "status_code": 503}\n' >>"$tmp/h1"
        send "$sock" "$tmp/h1"
        sleep 0.8 # a tick in between: the buckets stay cumulative
        printf '{"endpoint": "/hist", "response_time": 0.9}\n' >"$tmp/h2"
        send "$sock" "$tmp/h2"
        sleep 0.3
        curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/prom.txt" || fail "GET /metrics: $(cat "$tmp/prom.log")"
        promtool check metrics <"$tmp/prom.txt" >"$tmp/promtool.txt" 2>&1 ||
                fail "promtool check metrics: $(cat "$tmp/promtool.txt")"
        python3 - "$tmp/prom.txt" <<'PY' || fail "/metrics histograms: $(grep skytune_app_request "$tmp/prom.txt")"
import sys
got = {}
for line in open(sys.argv[1]):
    if line.startswith("skytune_app_request"):
        k, v = line.rsplit(" ", 1)
        got[k] = float(v)
h = "skytune_app_request_duration_seconds"
want = {}
les = ["0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2", "5", "10", "+Inf"]
for le, g, p in zip(les, [3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 6, 6, 7], [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]):
    want[h + '_bucket{endpoint="hist",method="GET",le="%s"}' % le] = g
    want[h + '_bucket{endpoint="hist",method="POST",le="%s"}' % le] = p
want[h + '_count{endpoint="hist",method="GET"}'] = 7
want[h + '_sum{endpoint="hist",method="GET"}'] = (500 + 1000 + 7000 + 2000000 + 2000500 + 60000000 + 900) / 1e6
want[h + '_count{endpoint="hist",method="POST"}'] = 1
want[h + '_sum{endpoint="hist",method="POST"}'] = 0.03
want['skytune_app_request_errors_total{endpoint="hist",method="GET"}'] = 0
want['skytune_app_request_errors_total{endpoint="hist",method="POST"}'] = 1
bad = [(k, v, got.get(k)) for k, v in want.items() if got.get(k) is None or abs(got[k] - v) > 1e-9]
extra = sorted(set(got) - set(want))
if bad or extra:
    print("want/got:", bad, "unexpected:", extra, file=sys.stderr)
    sys.exit(1)
PY
        kill -TERM $pid; wait $pid || fail "the /metrics daemon: exit $?"
else
        echo "note: curl or promtool missing: /metrics histograms not checked"
fi

# off: no socket, no application series.
printf 'listen = "off";\napp_socket = "off";\n' >"$tmp/off.conf"
"$mon" --config "$tmp/off.conf" --sysroot "$fixture" --store "$tmp/off.db" --interval 0.2 --duration 0.6 \
        2>"$tmp/off.log" || fail "app_socket off: $(cat "$tmp/off.log")"
"$sky" monitor series --store "$tmp/off.db" | grep -q "monitor.app_records_total" && fail "off still counts records"
"$mon" --config "$tmp/off.conf" --check | grep -q "application metrics off" || fail "--check does not say off"
echo "ok: application metrics"
