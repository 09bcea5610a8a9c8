#!/usr/bin/env bash
# What limits the host during a load run (cli/load-host.c, docs/load.md "system" and "findings"):
# the host's series on the run's time axis (the real host: one point a second, CPU within 0..100 %),
# charted by --html, and --junit as skytune report writes it;
# a finding that begins mid-run is reported with the second and the load at which it began (a
# captured tree whose /proc/meminfo the test rewrites from 85 % to 99.9 % used while a ramp runs);
# a finding gets the changes `skytune plan` proposes for it (the opt-host tree: nginx near its
# nofile limit, the ulimit.nofile change); --no-system leaves both out; a bad --sysroot fails.
# Against the injecting test server on 127.0.0.1, each run a few seconds.
set -euo pipefail
build=$1 src=$2
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
source "$src/tests/integration/lib-testserver.sh"
start_testserver h --delay-ms 2
url=http://127.0.0.1:$port/
j() { jq -r "$1" "$tmp/$2.json"; }

# --- the real host, 4 s at 100/s.
"$skytune" load "$url" --rate 100 --duration 4 --out "$tmp/real.json" --threshold 'p99 < 5s' \
        --html "$tmp/real.html" --junit "$tmp/real.xml" >"$tmp/real.txt" 2>"$tmp/real.err" ||
        fail "load on the real host: $(cat "$tmp/real.err")"
# The reports written during the run: the host's charts in the HTML, the threshold in JUnit, the
# same XML that skytune report rebuilds from the saved document.
grep -q '<testcase .*name="p99 &lt; 5s"' "$tmp/real.xml" || fail "--junit: no test case for the threshold: $(head -c 600 "$tmp/real.xml")"
"$skytune" report "$tmp/real.json" --junit "$tmp/again.xml" || fail "skytune report --junit"
cmp -s "$tmp/real.xml" "$tmp/again.xml" || fail "--junit during the run differs from skytune report's"
# (Through a file: with pipefail, grep -q leaving early would make sed's SIGPIPE a failure.)
sed -n '/<section id="system">/,/<\/section>/p' "$tmp/real.html" >"$tmp/real.system"
grep -q '<svg' "$tmp/real.system" || fail "--html: no host chart in the system section"
within "$(j '.system.t_s | length' real)" 3 5 || fail "real host: $(j '.system.t_s | length' real) points for 4 s"
[[ $(j '[.system.planned[] | select(. != null) | select(. != 100)] | length' real) == 0 ]] ||
        fail "real host: the planned load beside the points is not the 100/s that ran"
[[ $(j '.system.series["cpu.utilization_pct"] | map(select(. != null and . >= 0 and . <= 100)) | length' real) -ge 3 ]] ||
        fail "real host: CPU utilisation not a percentage at each point: $(j '.system.series["cpu.utilization_pct"]' real)"
[[ $(j '.system.series | has("memory.used_pct")' real) == true ]] || fail "real host: no memory series"
[[ $(j '.findings | type' real) == array ]] || fail "real host: no findings array"
"$skytune" load "$url" --rate 100 --duration 1 --no-system --out "$tmp/none.json" >/dev/null 2>&1 || fail "--no-system run failed"
[[ $(j .system none) == null && $(j '.findings | length' none) == 0 ]] || fail "--no-system: the host was sampled"

# --- a finding that begins mid-run: memory 85 % used, then 99.9 % from about 3 s on; the run's
# average is over the rule's 90 %, and the crossing is when the tree changed, under the ramp's load.
root=$tmp/root
cp -a "$src/tests/fixtures/mem-idle" "$root"
meminfo() {   # meminfo USED_PERCENT: rewrite the file in place (the profiler keeps it open)
        awk -v pct="$1" '$1 == "MemTotal:" { t = $2 } $1 == "MemAvailable:" { $2 = int(t * (100 - pct) / 100) } { print }' \
                "$src/tests/fixtures/mem-idle/proc/meminfo" >"$tmp/meminfo.new"
        cat "$tmp/meminfo.new" >"$root/proc/meminfo"
}
meminfo 85
# 3 s on the run's own clock: from its first request at the server (/_stats, which it does not
# count), not from here, before a start-up that under ASan on a loaded host can take a second.
received() { curl -sf "http://127.0.0.1:$port/_stats" | jq .received; }
n0=$(received) || fail "no /_stats from the test server"
(for _ in $(seq 200); do [[ $(received) -gt $n0 ]] && break; sleep 0.05; done; sleep 3 && meminfo 99.9) &
pids+=($!)
"$skytune" stress --pattern gradual --from 10 --to 110 --ramp 10s "$url" --sysroot "$root" --out "$tmp/mem.json" \
        >"$tmp/mem.txt" 2>"$tmp/mem.err" || fail "stress with --sysroot: $(cat "$tmp/mem.err")"
f='.findings[] | select(.metric == "memory.used_pct")'
[[ -n $(j "$f" mem) ]] || fail "no memory finding: $(j .findings mem)"
within "$(j "$f | .began_at_s" mem)" 2.5 6 || fail "memory finding began at $(j "$f | .began_at_s" mem) s, want about 3-4 s"
within "$(j "$f | .load_at_begin" mem)" 25 70 || fail "memory finding under a load of $(j "$f | .load_at_begin" mem), want the ramp's 30-50/s"
within "$(j '.system.series["memory.used_pct"][0]' mem)" 84 86 || fail "memory series does not start at 85 %"
within "$(j '.system.series["memory.used_pct"][-1]' mem)" 99 100 || fail "memory series does not end at 99.9 %"
grep -q 'began at [0-9]* s, under a load of' "$tmp/mem.txt" || fail "the summary does not say when the finding began"

# --- the changes skytune plan proposes for a finding: nginx at 83 % of its nofile limit.
"$skytune" load "$url" --rate 50 --duration 2 --sysroot "$src/tests/fixtures/opt-host" --out "$tmp/opt.json" \
        >"$tmp/opt.txt" 2>"$tmp/opt.err" || fail "load with the opt-host tree: $(cat "$tmp/opt.err")"
f='.findings[] | select(.metric == "files.max_process_nofile_pct")'
[[ $(j "[$f | .changes[] | select(.rule == \"ulimit.nofile\" and .key == \"process:nginx:nofile\")] | length" opt) == 1 ]] ||
        fail "the nofile finding has not the ulimit.nofile change: $(j "[$f]" opt)"
grep -q 'change: ulimit process:nginx:nofile' "$tmp/opt.txt" || fail "the summary does not show the proposed change"
grep -q 'next: skytune plan' "$tmp/opt.txt" || fail "the summary does not say what to run next"
awk 'length > 80 { exit 1 }' "$tmp/opt.txt" || fail "the summary is wider than 80 columns"

rc=0
"$skytune" load "$url" --rate 10 --duration 1 --sysroot "$tmp/nonexistent" >/dev/null 2>"$tmp/bad.err" || rc=$?
[[ $rc -ne 0 ]] && grep -q -- '--sysroot' "$tmp/bad.err" || fail "a missing --sysroot: exit $rc, $(cat "$tmp/bad.err")"
echo "ok: host series, a finding's beginning and load, its proposed changes, --no-system, a bad --sysroot"
