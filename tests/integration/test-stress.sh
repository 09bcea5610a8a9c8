#!/usr/bin/env bash
# skytune stress against the injecting test server (tests/servers/skytune-testserver), whose capacity,
# delay and queue are known, so that what each pattern reports can be checked against what was set:
# a spike at 4x over a 300/s capacity degrades and recovers (and one that is too long for its base
# does not: exit 4); the breakpoint search finds the 300/s capacity; the gradual ramp's knee is near
# it; endurance finds the change point of a delay raised mid-run through /_control; usage errors
# exit 2; SIGINT exits 130 with the partial document written. Loopback only, about 2 minutes.
set -euo pipefail
build=$1 src=$2
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
source "$src/tests/integration/lib-testserver.sh"

# expect_usage WHAT ARGS...: exit 2 and a message on stderr that contains WHAT.
expect_usage() {
        local what=$1 rc=0
        shift
        "$skytune" stress "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
        [[ $rc -eq 2 ]] || fail "stress $*: exit $rc, want 2"
        grep -qF -- "$what" "$tmp/err" || fail "stress $*: the error does not name $what: $(cat "$tmp/err")"
}
expect_usage "--pattern" http://127.0.0.1:9/
expect_usage "spike" --pattern spiky http://127.0.0.1:9/
expect_usage "--rate" --pattern spike http://127.0.0.1:9/
expect_usage "URL" --pattern spike --rate 10
expect_usage "--factor" --pattern spike --rate 10 --factor lots http://127.0.0.1:9/
expect_usage "ftp://x/" --pattern spike --rate 10 ftp://x/
expect_usage "--interval" --pattern spike --rate 10 --interval 10ms http://127.0.0.1:9/
expect_usage "--interval" --pattern spike --rate 10 --interval 2m http://127.0.0.1:9/

# stress_run EXPECTED_EXIT NAME ARGS...: the document in $tmp/NAME.json, the summary in $tmp/NAME.txt.
stress_run() {
        local want=$1 name=$2 rc=0
        shift 2
        "$skytune" stress "$@" "http://127.0.0.1:$port/" --out "$tmp/$name.json" >"$tmp/$name.txt" 2>"$tmp/$name.err" || rc=$?
        [[ $rc -eq $want ]] || fail "stress $name: exit $rc, want $want: $(cat "$tmp/$name.err")"
        [[ $(jq -r .schema "$tmp/$name.json") == skytune.load/1 ]] || fail "stress $name: not a skytune.load/1 document"
}
j() { jq -r "$1" "$tmp/$2.json"; }

# --- spike: 100/s, 4x (400/s) for 3 s over a capacity of 300/s: 300 requests queue, and drain at
# 200/s once the base is back (about 1.5 s).
start_testserver s --capacity 300 --delay-ms 10
spike_run() {
        stress_run 0 spike --pattern spike --rate 100 --factor 4 --before 8s --spike 3s --after 10s --html "$tmp/spike.html"
}
spike_run
# A stall of the machine (10 ms on 2 of a window's 100 requests) after the drain puts a window out
# of the band and recovery 3 windows later; noise only ever makes it late, never early. A late one
# is run again, its per-second p99 shown, up to twice; a third late one, or an early one, fails.
for again in 1 2; do
        rec=$(j '.stress.spikes[0].recovery_s' spike)
        [[ $rec != null ]] && awk -v r="$rec" 'BEGIN { exit !(r > 1.65) }' || break
        echo "spike: recovery $rec s, late; the worst p99 (us) of each second after the spike, then once more ($again of 2):"
        jq -c '.stress.spikes[0].end_s as $e | [.intervals[] | select(.step == null and .start_s >= $e)
                | {s: ((.start_s - $e) | floor), p99: .latency_us.p99}] | group_by(.s) | map(max_by(.p99) | .p99)' \
                "$tmp/spike.json"
        spike_run
done
[[ $(j .stress.pattern spike) == spike && $(j .stress.analysed spike) == true ]] || fail "spike: no analysis"
base=$(j .stress.band.p99_median_us spike) peak=$(j '.stress.spikes[0].peak_p99_us' spike)
within "$peak" "$(awk -v b="$base" 'BEGIN { print 3 * b }')" 1e9 || fail "spike: peak p99 $peak us is not 3x the base's $base us"
# The queue of 300 at 300/s: about a second of latency at the peak.
within "$peak" 400000 2500000 || fail "spike: peak p99 $peak us, want about 1 s (a 300-deep queue at 300/s)"
within "$(j '.stress.spikes[0].served_fraction' spike)" 0.6 0.9 || fail "spike: served fraction, want about 300/400"
[[ $(j '.stress.spikes[0].recovered' spike) == true ]] || fail "spike: did not recover: $(cat "$tmp/spike.txt")"
# The server drains the 300 queued at 300 - 100 = 200/s: 1.5 s after the spike, found within 10 %.
within "$(j '.stress.spikes[0].recovery_s' spike)" 1.35 1.65 ||
        fail "spike: recovery time $(j '.stress.spikes[0].recovery_s' spike) s, want 1.5 s (the server's drain) +-10 %"
[[ $(j '[.markers[] | select(.kind == "recovered")] | length' spike) == 1 ]] || fail "spike: no recovered marker"
within "$(j '[.intervals[] | select(.step == null)] | length' spike)" 209 213 || fail "spike: not one total interval per 0.1 s"
grep -q 'recovered .* after the spike' "$tmp/spike.txt" || fail "spike: the summary does not say it recovered"
awk 'length > 80 { exit 1 }' "$tmp/spike.txt" || fail "spike: the summary is wider than 80 columns"
grep -q '<svg' "$tmp/spike.html" || fail "spike: the HTML report has no chart"
! grep -Eq '(src|href)="https?:' "$tmp/spike.html" || fail "spike: the HTML report loads something from the network"

# A spike too long for its base: 600/s for 3 s queues 900, which 3 s at 100/s cannot drain: exit 4.
stress_run 4 long --pattern spike --rate 100 --factor 6 --before 6s --spike 3s --after 3s
[[ $(j '.stress.spikes[0].recovered' long) == false && $(j .verdict.exit long) == 4 ]] || fail "long spike: recovered?"
grep -q 'NOT RECOVERED' "$tmp/long.txt" || fail "long spike: the summary does not say it did not recover"
kill "$pid"

# --- breakpoint: the 300/s capacity, with a p99 SLO of 100 ms (a queue above capacity breaks it).
start_testserver b --capacity 300 --delay-ms 5
stress_run 0 bp --pattern breakpoint --start 100 --increment 100 --step 3s --sustain 1s --slo-p99 100ms --repeats 1 --rest 1s \
        --slo-lateness 50ms --html "$tmp/bp.html"
[[ $(j .stress.client_bound bp) == false ]] || fail "breakpoint: client-bound against a 300/s server"
within "$(j .stress.last_good bp)" 250 330 || fail "breakpoint: last good $(j .stress.last_good bp), want about 300"
within "$(j .stress.first_bad bp)" 300 420 || fail "breakpoint: first bad $(j .stress.first_bad bp), want just above 300"
holds=$(j '.stress.holds | length' bp)
within "$holds" 5 20 || fail "breakpoint: $holds holds"
# One phase per run: a hold extended (unsteady) is run again, a phase more for the same entry of holds.
within "$(j '.steps[0].phases | length' bp)" "$holds" "$((holds + 4))" || fail "breakpoint: not one phase per hold run"
# The holds on one time axis: total records in order, one a second, and the run as long as the holds.
[[ $(j '[.intervals[] | select(.step == null) | .index] | . == ([range(length)])' bp) == true ]] ||
        fail "breakpoint: the total records' indices are not 0, 1, 2 ..."
[[ $(j '[.intervals[] | select(.step == null) | .start_s] | . == sort' bp) == true ]] || fail "breakpoint: times go back"
within "$(j .duration_s bp)" "$(j "$holds * 3" bp)" "$(j "$holds * 3 + .stress.rested_s + $holds" bp)" ||
        fail "breakpoint: duration $(j .duration_s bp) s for $holds holds of 3 s"
grep -q 'last good .* first bad' "$tmp/bp.txt" || fail "breakpoint: the summary gives no capacity"
sed -n '/<section id="stress">/,/<\/section>/p' "$tmp/bp.html" >"$tmp/bp.section"
grep -q 'last good .* first bad' "$tmp/bp.section" && grep -q 'id="chart-stress-rate"' "$tmp/bp.section" ||
        fail "breakpoint: the HTML report has no stress section with the capacity and the p99-by-rate chart"

# --- gradual: 50 -> 500/s over 20 s; p99 bends where the queue starts, near 300/s.
stress_run 0 ramp --pattern gradual --from 50 --to 500 --ramp 20s
[[ $(j .stress.knee.found ramp) == true ]] || fail "gradual: no knee: $(cat "$tmp/ramp.txt")"
within "$(j .stress.knee.rate ramp)" 200 450 || fail "gradual: knee at $(j .stress.knee.rate ramp)/s, want near 300/s"
[[ $(j '[.markers[] | select(.kind == "knee")] | length' ramp) == 1 ]] || fail "gradual: no knee marker"
kill "$pid"

# --- endurance: 100/s for 40 s; the delay goes from 5 to 100 ms at 20 s: a change point there.
# Windows of 4 s: their medians outlast a one-second hiccup of a busy machine.
start_testserver e --delay-ms 5
(sleep 20 && curl -sf "http://127.0.0.1:$port/_control?delay_ms=100" >/dev/null) &
pids+=($!)
stress_run 0 endure --pattern endurance --rate 100 --hold 40s --window 4s
[[ $(j .stress.drift.p99_us.change endure) == true ]] || fail "endurance: no change point: $(cat "$tmp/endure.txt")"
within "$(j .stress.drift.p99_us.change_s endure)" 14 26 || fail "endurance: change at $(j .stress.drift.p99_us.change_s endure) s"
within "$(j '.stress.drift.p99_us.after / .stress.drift.p99_us.before' endure)" 3 100 || fail "endurance: the change is not 5 -> 100 ms"
[[ $(j .stress.drift.server_rss_bytes endure) == null ]] || fail "endurance: an RSS drift with no server named"

# --- SIGINT during the run: exit 130, the results so far written and marked.
rc=0
"$skytune" stress --pattern spike --rate 50 --before 20s --spike 5s --after 20s "http://127.0.0.1:$port/" \
        --out "$tmp/int.json" >/dev/null 2>"$tmp/int.err" &
spid=$!
sleep 3
kill -INT "$spid"
wait "$spid" || rc=$?
[[ $rc -eq 130 ]] || fail "SIGINT: exit $rc, want 130: $(cat "$tmp/int.err")"
[[ $(j .interrupted int) == true ]] || fail "SIGINT: the document is not marked interrupted"
within "$(j .duration_s int)" 2 6 || fail "SIGINT: the run went on for $(j .duration_s int) s"
echo "ok: stress spike, long spike (exit 4), breakpoint, gradual, endurance, usage, SIGINT"
