#!/usr/bin/env bash
# skytune-monitor as a process: on a fixture tree its samples are the fixture's values (the same the
# profile reports) and on the real /proc every collector's series fills at the interval; SIGTERM
# writes what is pending (exit 0), SIGINT too (exit 130); after kill -9 the store is readable, holds
# everything up to the last flush, and the next run appends to it; SIGHUP with a broken file keeps
# the configuration in use and says file:line, with a good one applies it; a second daemon on the
# same store is refused; a foreign file is moved aside, not deleted; readiness and status reach
# NOTIFY_SOCKET; alert rules fire and resolve on the fixture's values (a rule kept across a reload or
# a restart, kill -9 included, keeps its state), a broken rule file stops the start and not a
# reload; --check reports mistakes at file:line and exits 1.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
# Every daemon here has the HTTP API off: tests run side by side, and the default port 9677 is one
# (test-monitor-http.sh tests the API on a port of its own).
off='listen = "off";'
empty=$tmp/empty.conf
echo "$off" >"$empty"

# count STORE SERIES: samples of SERIES in the last hour.
count() {
        "$sky" monitor query "$2" --store "$1" --since 1h --step 1h --json |
                python3 -c 'import json,sys; print(sum(b["count"] for b in json.load(sys.stdin)["buckets"]))'
}
# wait_for FILE TEXT: up to 10 s for TEXT in FILE.
wait_for() {
        for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}

# --- a fixture tree: the values are the fixture's
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/fx.db" --interval 0.2 \
        --duration 1.5 2>"$tmp/fx.log" || fail "fixture run: $(cat "$tmp/fx.log")"
"$sky" monitor query memory.used_pct --store "$tmp/fx.db" --since 1h --step 1h --json >"$tmp/fx.json"
python3 - "$tmp/fx.json" <<'PY' || fail "memory.used_pct on the fixture is not the fixture's 1.95 %"
import json, sys
b = json.load(open(sys.argv[1]))["buckets"]   # two when the run crossed an hour
assert b and all(x["min"] == x["max"] == 1.95 for x in b) and sum(x["count"] for x in b) >= 5, b
PY
[ "$(count "$tmp/fx.db" tasks.threads)" -ge 5 ] || fail "tasks.threads: fewer than 5 samples in 1.5 s at 0.2 s"

# --- the real /proc, stopped by SIGTERM before any timed flush: the pending samples are written
printf '%s\nflush = "30m";\n' "$off" >"$tmp/late.conf"
"$mon" --config "$tmp/late.conf" --store "$tmp/real.db" --interval 0.2 2>"$tmp/real.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/real.log" "sampling every 0.2 s"
sleep 1.5
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ $rc = 0 ] || fail "SIGTERM: exit $rc, not 0: $(cat "$tmp/real.log")"
n=$(count "$tmp/real.db" cpu.utilization_pct)
[ "$n" -ge 5 ] || fail "SIGTERM: $n cpu.utilization_pct samples written, want >= 5"
"$sky" monitor series --store "$tmp/real.db" --json >"$tmp/series.json"
python3 - "$tmp/series.json" <<'PY' || fail "the real /proc's series"
import json, sys
names = {s["name"] for s in json.load(open(sys.argv[1]))["series"]}
for want in ["cpu.utilization_pct", "memory.used_pct", "memory.psi_some_pct", "tasks.threads", "files.allocated",
             "network.tcp.curr_estab", "monitor.cpu_us", "monitor.missed_total"]:
    assert want in names, (want, sorted(names))
assert len(names) >= 40, len(names)
PY

# --- SIGINT: the same, exit 130
"$mon" --config "$tmp/late.conf" --store "$tmp/int.db" --interval 0.2 2>"$tmp/int.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/int.log" "sampling every"
sleep 1        # a rate needs two ticks, and a late tick is skipped: 0.5 s could give one sample
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, not 130"
[ "$(count "$tmp/int.db" cpu.utilization_pct)" -ge 2 ] || fail "SIGINT: the pending samples were not written"

# --- kill -9 after flushes: readable, nothing flushed is lost, the next run appends
printf '%s\nflush = "0.4s";\n' "$off" >"$tmp/fast.conf"
"$mon" --config "$tmp/fast.conf" --store "$tmp/kill.db" --interval 0.2 2>"$tmp/kill.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/kill.log" "sampling every"
sleep 2
kill -9 $pid; wait $pid 2>/dev/null || true
n1=$(count "$tmp/kill.db" cpu.utilization_pct)
[ "$n1" -ge 6 ] || fail "kill -9: $n1 samples readable after 2 s at 0.2 s flushed every 0.4 s, want >= 6"
"$mon" --config "$tmp/fast.conf" --store "$tmp/kill.db" --interval 0.2 --duration 1 2>"$tmp/kill2.log" ||
        fail "the run after kill -9: $(cat "$tmp/kill2.log")"
grep -q "moved\|kept as" "$tmp/kill2.log" && fail "the run after kill -9 moved the store aside: $(cat "$tmp/kill2.log")"
n2=$(count "$tmp/kill.db" cpu.utilization_pct)
[ "$n2" -ge $((n1 + 3)) ] || fail "the run after kill -9 added $((n2 - n1)) samples, want >= 3"

# --- one writer: a second daemon on the same store is refused
"$mon" --config "$empty" --store "$tmp/kill.db" --interval 0.2 2>"$tmp/one.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/one.log" "sampling every"
rc=0; "$mon" --config "$empty" --store "$tmp/kill.db" --duration 1 2>"$tmp/two.log" || rc=$?
[ $rc = 1 ] && grep -q "another skytune-monitor writes this store" "$tmp/two.log" ||
        fail "a second writer: exit $rc: $(cat "$tmp/two.log")"
kill -TERM $pid; wait $pid

# --- SIGHUP: a broken file keeps the configuration in use, a good one is applied
conf=$tmp/reload.conf
printf '%s\ninterval = 0.2;\n' "$off" >"$conf"
"$mon" --config "$conf" --store "$tmp/hup.db" 2>"$tmp/hup.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/hup.log" "sampling every 0.2 s"
printf '%s\ninterval = 0.2;\nflush = "soon";\n' "$off" >"$conf"
kill -HUP $pid
wait_for "$tmp/hup.log" "keeping the configuration in use"
grep -q "$conf:3: 'flush' must be a period" "$tmp/hup.log" || fail "SIGHUP: no file:line: $(cat "$tmp/hup.log")"
kill -0 $pid || fail "SIGHUP with a broken file stopped the daemon"
printf '%s\ninterval = 0.5;\nflush = "2s";\n' "$off" >"$conf"
kill -HUP $pid
wait_for "$tmp/hup.log" "configuration reloaded: a sample every 0.5 s, written every 2 s"
kill -TERM $pid; wait $pid || fail "after reloads: exit $?"

# --- a foreign file is moved aside and kept
echo "not a store" >"$tmp/foreign.db"
"$mon" --config "$empty" --store "$tmp/foreign.db" --interval 0.2 --duration 0.5 2>"$tmp/foreign.log" ||
        fail "a foreign store: $(cat "$tmp/foreign.log")"
aside=$(ls "$tmp"/foreign.db.corrupt-* 2>/dev/null | head -1)
[ -n "$aside" ] && [ "$(cat "$aside")" = "not a store" ] || fail "the foreign file was not kept aside: $(ls "$tmp")"
grep -q "kept as $aside" "$tmp/foreign.log" || fail "the move was not reported: $(cat "$tmp/foreign.log")"

# --- sd_notify: READY=1, then STATUS with the counts
python3 - "$mon" "$tmp/fast.conf" "$tmp/notify.db" "$tmp/notify.sock" <<'PY' || fail "sd_notify"
import os, socket, subprocess, sys
mon, conf, store, path = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=path)
p = subprocess.Popen([mon, "--config", conf, "--store", store, "--interval", "0.2", "--duration", "1.5"], env=env,
                     stderr=subprocess.DEVNULL)
msgs = []
try:
    while not any("STOPPING=1" in m for m in msgs):
        msgs.append(s.recv(4096).decode())
finally:
    assert p.wait(10) == 0
ready = [m for m in msgs if "READY=1" in m]
assert ready and "STATUS=sampling every 0.2 s into " + store in ready[0], msgs
assert any(m.startswith("STATUS=") and " series, " in m and " samples stored" in m for m in msgs), msgs
PY

# --- alert rules: evaluated at each tick; a broken file stops the start, not a reload
mkdir -p "$tmp/alerts"
cat >"$tmp/alerts/t.conf" <<'RULES'
rules = (
  { name = "FixtureMemory"; expr = "memory.used_pct"; warn = 1; crit = 1.9;
    annotations = { summary = "used {{ value }} %"; }; },
  { name = "NoData"; expr = "disk.devices.nosuchdisk.util_pct"; warn = 1; no_data = "alert"; },
  { name = "Quiet"; expr = "memory.used_pct"; warn = 50; },
  { name = "Later"; expr = "memory.used_pct"; warn = 1; for = "1h"; }
);
RULES
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/al.db" --interval 0.2 \
        --duration 1 --alerts "$tmp/alerts" 2>"$tmp/al.log" || fail "alerts: $(cat "$tmp/al.log")"
grep -q "4 alert rules loaded" "$tmp/al.log" || fail "alerts: not loaded: $(cat "$tmp/al.log")"
[ "$(grep -c 'alert FixtureMemory firing (crit): memory.used_pct = 1.95336; used 1.953 %' "$tmp/al.log")" = 1 ] ||
        fail "FixtureMemory did not fire once at crit: $(cat "$tmp/al.log")"
[ "$(grep -c 'alert NoData firing (warn): disk.devices.nosuchdisk.util_pct = no data' "$tmp/al.log")" = 1 ] ||
        fail "NoData (no_data = alert) did not fire once: $(cat "$tmp/al.log")"
grep -q "alert Quiet\|alert Later" "$tmp/al.log" && fail "a rule below its level, or pending, was told: $(cat "$tmp/al.log")"
printf 'rules = ({ name = "Bad"; expr = "memory.used_pct"; });\n' >"$tmp/alerts/u.conf"
rc=0; "$mon" --config "$empty" --store "$tmp/al2.db" --duration 1 --alerts "$tmp/alerts" 2>"$tmp/al2.log" || rc=$?
[ $rc = 1 ] && grep -q "$tmp/alerts/u.conf:1: rule 'Bad' has neither 'warn' nor 'crit'" "$tmp/al2.log" ||
        fail "a broken rule file at start: exit $rc: $(cat "$tmp/al2.log")"
rm "$tmp/alerts/u.conf"
rc=0; "$mon" --config "$empty" --store "$tmp/al2.db" --duration 1 --alerts "$tmp/no-such-dir" 2>"$tmp/al2.log" || rc=$?
[ $rc = 1 ] && grep -q "cannot read the alert rule directory $tmp/no-such-dir" "$tmp/al2.log" ||
        fail "a missing --alerts directory: exit $rc: $(cat "$tmp/al2.log")"
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/al3.db" --interval 0.2 \
        --alerts "$tmp/alerts" 2>"$tmp/al3.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/al3.log" "alert FixtureMemory firing"
printf 'rules = ({ name = "Bad"; expr = "memory.used_pct"; });\n' >"$tmp/alerts/u.conf"
kill -HUP $pid
wait_for "$tmp/al3.log" "keeping the rules in use"
grep -q "$tmp/alerts/u.conf:1: rule 'Bad' has neither" "$tmp/al3.log" || fail "the reload's rule error lacks file:line"
rm "$tmp/alerts/u.conf"
sed -i 's/warn = 1; crit = 1.9;/warn = 5; crit = 9;/' "$tmp/alerts/t.conf"
kill -HUP $pid
wait_for "$tmp/al3.log" "alert FixtureMemory resolved: memory.used_pct = 1.95336"
kill -TERM $pid; wait $pid || fail "alerts: exit $?"

# --- alert states survive a restart (kill -9 included): no second "firing"; a rule that no longer
# holds resolves on the next run, from the kept state
sed -i 's/warn = 5; crit = 9;/warn = 1; crit = 1.9;/' "$tmp/alerts/t.conf"
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/keep.db" --interval 0.2 \
        --duration 1 --alerts "$tmp/alerts" 2>"$tmp/keep1.log" || fail "keep: $(cat "$tmp/keep1.log")"
grep -q "alert FixtureMemory firing (crit)" "$tmp/keep1.log" || fail "keep: the first run did not fire: $(cat "$tmp/keep1.log")"
# The second run: "Later" waits 1 s instead of an hour, fires, and is killed right after.
mkdir -p "$tmp/alerts-soon"
sed 's/for = "1h";/for = "1s";/' "$tmp/alerts/t.conf" >"$tmp/alerts-soon/t.conf"
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/keep.db" --interval 0.2 \
        --alerts "$tmp/alerts-soon" 2>"$tmp/keep2.log" &
pid=$!; pids+=($pid)
wait_for "$tmp/keep2.log" "alert FixtureMemory: firing (crit) as before the restart"
wait_for "$tmp/keep2.log" "alert Later firing (warn)"
# The state is kept just after the line is logged: kill -9 only once the store has it.
kept=
for _ in $(seq 100); do
        "$sky" alerts --store "$tmp/keep.db" --json 2>/dev/null | python3 -c '
import json, sys
sys.exit(not any(a["name"] == "Later" and a["state"] == "firing" for a in json.load(sys.stdin)["alerts"]))' 2>/dev/null && { kept=1; break; }
        sleep 0.1
done
[ -n "$kept" ] || fail "keep: Later firing never reached the store: $("$sky" alerts --store "$tmp/keep.db" 2>&1)"
kill -9 $pid; wait $pid 2>/dev/null || true
grep -q "alert FixtureMemory firing\|alert NoData firing" "$tmp/keep2.log" && fail "keep: fired again after a restart: $(cat "$tmp/keep2.log")"
sed 's/warn = 1; crit = 1.9;/warn = 5; crit = 9;/' "$tmp/alerts/t.conf" >"$tmp/alerts-raised.conf"
mkdir -p "$tmp/alerts2"; mv "$tmp/alerts-raised.conf" "$tmp/alerts2/t.conf"
"$mon" --config "$empty" --sysroot "$src/tests/fixtures/captured-vm" --store "$tmp/keep.db" --interval 0.2 \
        --duration 1 --alerts "$tmp/alerts2" 2>"$tmp/keep3.log" || fail "keep 3: $(cat "$tmp/keep3.log")"
grep -q "alert FixtureMemory resolved: memory.used_pct = 1.95336" "$tmp/keep3.log" ||
        fail "keep: after kill -9 the kept firing state did not resolve: $(cat "$tmp/keep3.log")"
# "Later" fired in the killed run only: kept, it is firing here without a second event.
grep -q "alert Later: firing (warn) as before the restart" "$tmp/keep3.log" ||
        fail "keep: the state written just before kill -9 was not restored: $(cat "$tmp/keep3.log")"
grep -q "alert Later firing" "$tmp/keep3.log" && fail "keep: Later fired again after kill -9: $(cat "$tmp/keep3.log")"
# skytune alerts reads the kept states beside (or after) the daemon.
"$sky" alerts --store "$tmp/keep.db" --json >"$tmp/alerts.json" || fail "skytune alerts --json"
python3 - "$tmp/alerts.json" <<'PY' || fail "skytune alerts: not the kept states"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.alerts/1", d
got = {a["name"]: (a["state"], a["level"]) for a in d["alerts"]}
assert got["Later"] == ("firing", "warn") and got["NoData"] == ("firing", "warn"), got
assert got["FixtureMemory"] == ("resolved", "none"), got
assert [a["state"] for a in d["alerts"]][:2] == ["firing", "firing"], d["alerts"]
PY
"$sky" alerts --store "$tmp/keep.db" | grep -q "^  Later  *firing  *warn  *since " || fail "skytune alerts: the text"
rc=0; "$sky" alerts --store "$tmp/none.db" 2>"$tmp/none.log" || rc=$?
[ $rc = 1 ] && grep -q "no store there" "$tmp/none.log" || fail "skytune alerts without a store: exit $rc"

# --- --check and usage errors
printf 'interval = 1;\nmax_series = "many";\n' >"$tmp/bad.conf"
rc=0; "$mon" --check --config "$tmp/bad.conf" 2>"$tmp/check.log" || rc=$?
[ $rc = 1 ] && grep -q "$tmp/bad.conf:2: 'max_series' must be a number" "$tmp/check.log" ||
        fail "--check of a bad file: exit $rc: $(cat "$tmp/check.log")"
"$mon" --check --config "$tmp/fast.conf" >"$tmp/check.out" || fail "--check of a good file"
grep -q "a sample every 1 s, written every 0.4 s" "$tmp/check.out" || fail "--check: $(cat "$tmp/check.out")"
rc=0; "$mon" --check --config "$tmp/none.conf" 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "--check of a missing file named with --config: exit $rc"
rc=0; "$mon" --interval 0.01 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "--interval 0.01: exit $rc, not 2"
echo "PASS"
