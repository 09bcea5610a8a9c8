#!/usr/bin/env bash
# The server's processes beside a load run (--server-pid, --server-unit; docs/load.md "system.server",
# profiler/proc-tree.c): against the injecting test server on 127.0.0.1 (which forks a child, so its
# tree is two processes), the series are on the host's time axis, its CPU shows, its RSS is that of
# the tree as /proc says (VmRSS of the server and its children, read by the test mid-run), threads and
# fds are there; a server that exits mid-run leaves null from then on, a warning, and a run that goes
# on; a PID that is no process fails naming it; endurance with --server-pid gives the RSS drift.
# systemd is not PID 1 where this runs (a container), so --server-unit is run on a fixture tree
# (tests/fixtures/server-tree: web.service's cgroup with a child cgroup, a stopped unit).
set -euo pipefail
build=$1 src=$2
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
source "$src/tests/integration/lib-testserver.sh"
start_testserver s --delay-ms 2
url=http://127.0.0.1:$port/ spid=$pid
j() { jq -r "$1" "$tmp/$2.json"; }

# The VmRSS of PID and every descendant, in bytes.
tree_rss() {
        local p kb=0 todo=("$1")
        while ((${#todo[@]})); do
                p=${todo[0]} todo=("${todo[@]:1}")
                kb=$((kb + $(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)))
                for c in $(awk -v p="$p" '{ sub(/.*\) /, ""); if ($2 == p) print FILENAME }' /proc/[0-9]*/stat 2>/dev/null |
                        cut -d/ -f3); do todo+=("$c"); done
        done
        echo $((kb * 1024))
}

# --- 4 s at 200/s, the test reading the tree's RSS at 2 s.
"$skytune" load "$url" --rate 200 --duration 4 --server-pid "$spid" --out "$tmp/run.json" >"$tmp/run.txt" \
        2>"$tmp/run.err" &
load=$!
sleep 2
rss=$(tree_rss "$spid")
wait "$load" || fail "load --server-pid: $(cat "$tmp/run.err")"
n=$(j '.system.t_s | length' run)
((n >= 3)) || fail "$n points on the time axis for 4 s"
[[ $(j .system.server.pid run) == "$spid" && $(j .system.server.unit run) == null ]] ||
        fail "server: $(j -c .system.server run)"
for s in cpu_pct rss_bytes threads fds; do
        [[ $(j ".system.server.series.$s | length" run) == "$n" ]] ||
                fail "server $s: $(j ".system.server.series.$s | length" run) points, t_s has $n"
        [[ $(j "[.system.server.series.$s[] | select(. == null)] | length" run) == 0 ]] ||
                fail "server $s has null points while the server ran: $(j -c ".system.server.series.$s" run)"
done
[[ $(j '[.system.server.series.cpu_pct[] | select(. > 0)] | length' run) -ge 1 ]] ||
        fail "the server used no CPU under 200 requests/s: $(j -c .system.server.series.cpu_pct run)"
mid=$(j '.system.server.series.rss_bytes | sort | .[length / 2 | floor]' run)
within "$mid" "$(awk -v r="$rss" 'BEGIN { print r * 0.9 }')" "$(awk -v r="$rss" 'BEGIN { print r * 1.1 }')" ||
        fail "server RSS $mid bytes, /proc says $rss for the tree of $spid"
[[ $(j '[.system.server.series.threads[] | select(. >= 1)] | length' run) == "$n" ]] ||
        fail "server threads: $(j -c .system.server.series.threads run)"
[[ $(j '[.system.server.series.fds[] | select(. >= 3)] | length' run) == "$n" ]] ||
        fail "server fds: $(j -c .system.server.series.fds run)"

# --- a server that exits 3 s into a 5 s run: null from then, a warning, the run written.
start_testserver short --lifetime 3
rc=0
"$skytune" load "http://127.0.0.1:$port/" --rate 50 --duration 5 --server-pid "$pid" --out "$tmp/short.json" \
        >/dev/null 2>"$tmp/short.err" || rc=$?
[[ -s $tmp/short.json ]] || fail "no document when the server exited mid-run (exit $rc): $(cat "$tmp/short.err")"
grep -q -- "--server-pid $pid: the server's processes are gone" "$tmp/short.err" ||
        fail "no warning that the server is gone: $(cat "$tmp/short.err")"
[[ $(j '.system.server.series.rss_bytes[0] | type' short) == number && $(j '.system.server.series.rss_bytes[-1]' short) == null ]] ||
        fail "server gone: RSS $(j -c .system.server.series.rss_bytes short)"
[[ $(j '.system.server.series.fds | length' short) == "$(j '.system.t_s | length' short)" ]] ||
        fail "server gone: the series left the time axis"

# --- no such process; a unit and a PID together.
rc=0
"$skytune" load "$url" --rate 10 --duration 1 --server-pid 999999 >/dev/null 2>"$tmp/nopid.err" || rc=$?
[[ $rc == 1 ]] && grep -q -- '--server-pid 999999: no process 999999' "$tmp/nopid.err" ||
        fail "--server-pid 999999: exit $rc, $(cat "$tmp/nopid.err")"
rc=0
"$skytune" stress --pattern endurance --rate 10 --hold 2s "$url" --server-pid 999999 >/dev/null 2>"$tmp/nopid2.err" || rc=$?
[[ $rc == 1 ]] && grep -q -- '--server-pid 999999' "$tmp/nopid2.err" || fail "stress --server-pid 999999: exit $rc"
rc=0
"$skytune" load "$url" --server-pid "$spid" --server-unit web --no-system >/dev/null 2>"$tmp/both.err" || rc=$?
[[ $rc == 2 ]] && grep -q -- '--server-unit' "$tmp/both.err" || fail "--server-pid with --server-unit: exit $rc"
rc=0
"$skytune" stress --pattern endurance --rate 10 "$url" --server-pid "$spid" --no-system >/dev/null 2>"$tmp/nosys.err" || rc=$?
[[ $rc == 2 ]] && grep -q -- '--no-system' "$tmp/nosys.err" || fail "--server-pid with --no-system: exit $rc"

# --- endurance: the server's RSS drift is measured (one window a second).
"$skytune" stress --pattern endurance --rate 100 --hold 6s --window 1s "$url" --server-pid "$spid" \
        --out "$tmp/endure.json" >"$tmp/endure.txt" 2>"$tmp/endure.err" || fail "endurance: $(cat "$tmp/endure.err")"
[[ $(j '.stress.drift.server_rss_bytes | type' endure) == object ]] ||
        fail "endurance: no RSS drift: $(j -c .stress.drift endure)"
within "$(j .stress.drift.server_rss_bytes.start endure)" "$(awk -v r="$rss" 'BEGIN { print r * 0.5 }')" \
        "$(awk -v r="$rss" 'BEGIN { print r * 2 }')" || fail "endurance: RSS drift starts at $(j .stress.drift.server_rss_bytes.start endure)"
grep -q 'server RSS  *[0-9.]* MiB to [0-9.]* MiB, slope' "$tmp/endure.txt" || fail "endurance summary: $(grep 'server RSS' "$tmp/endure.txt")"

# --- --server-unit on the fixture tree: web.service is 100, 101 and, in its child cgroup, 102 and 103.
fx=$src/tests/fixtures/server-tree
"$skytune" load "$url" --rate 10 --duration 2 --sysroot "$fx" --server-unit web --out "$tmp/unit.json" >/dev/null \
        2>"$tmp/unit.err" || fail "--server-unit on the fixture: $(cat "$tmp/unit.err")"
[[ $(j .system.server.unit unit) == web.service && $(j .system.server.pid unit) == 100 ]] ||
        fail "--server-unit: $(j -c .system.server unit)"
[[ $(j '.system.server.series.rss_bytes | unique' unit | jq -c .) == "[$((7500 * 1024))]" ]] ||
        fail "--server-unit RSS: $(j -c .system.server.series.rss_bytes unit)"
[[ $(j '.system.server.series.threads | unique' unit | jq -c .) == "[8]" && $(j '.system.server.series.fds | unique' unit | jq -c .) == "[10]" ]] ||
        fail "--server-unit threads and fds: $(j -c .system.server.series unit)"
for u in nginx stopped.service; do
        rc=0
        "$skytune" load "$url" --rate 10 --duration 1 --sysroot "$fx" --server-unit "$u" >/dev/null 2>"$tmp/u.err" || rc=$?
        [[ $rc == 1 ]] && grep -q -- "--server-unit $u: .*\(no cgroup named nginx.service\|not running\)" "$tmp/u.err" ||
                fail "--server-unit $u: exit $rc, $(cat "$tmp/u.err")"
done
echo "ok: server series on the time axis (CPU, RSS as /proc says, threads, fds), a server gone mid-run, no such PID, endurance's RSS drift, --server-unit on a fixture"
