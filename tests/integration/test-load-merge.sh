#!/bin/bash
# skytune load merge on two real agents: `skytune load --rate R --segment 0/2` and `1/2`, started
# together by --start-at against the injecting test server (5 ms delay), merged into one document
# whose completed count is the agents' sum, whose rate is twice one agent's, whose p99 (from the
# added hdr histograms) lies between the agents' p99 and whose thresholds are judged again; a
# segment index given twice makes the merge invalid (exit 5), a document that is not a run exits 1
# naming it. Each agent carries its clock state (adjtimex) and the merge warns, exit unchanged,
# for an agent whose clock is not synchronized.
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-testserver.sh"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
start_testserver merge --delay-ms 5 --delay-spread-ms 4
url=http://127.0.0.1:$port/

# 3 s ahead: both agents (ASan start-up on a busy host) are waiting when it comes.
at=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S.%6NZ)
for i in 0 1; do
        "$skytune" load "$url" --rate 300 --duration 2 --segment $i/2 --start-at "$at" --no-system \
                --threshold 'p99 < 5s' --threshold 'error_rate < 1% for 1s' --out "$tmp/agent$i.json" \
                >/dev/null 2>"$tmp/agent$i.err" &
        pids+=($!)
done
wait "${pids[@]:1}" || fail "an agent failed: $(cat "$tmp"/agent*.err)"
"$skytune" load merge "$tmp/agent0.json" "$tmp/agent1.json" --out "$tmp/merged.json" >"$tmp/merged.txt" \
        2>"$tmp/merged.err" || fail "merge: exit $? ($(cat "$tmp/merged.err"))"
grep -q '^verdict: ' "$tmp/merged.txt" || fail "no verdict in the summary: $(cat "$tmp/merged.txt")"
awk 'length > 80 { exit 1 }' "$tmp/merged.txt" || fail "the summary is wider than 80 columns"
a0=$tmp/agent0.json a1=$tmp/agent1.json m=$tmp/merged.json
jq -e '.schema == "skytune.load/1" and .verdict.exit == 0 and (.client.agents | length) == 2
       and all(.thresholds[]; .passed)' "$m" >/dev/null || fail "merged: $(jq -c '[.verdict, .thresholds]' "$m")"
# Counters add up.
for what in completed ok sent attempted; do
        sum=$(jq -s "map(.total.$what) | add" "$a0" "$a1")
        [[ $(jq ".total.$what" "$m") == "$sum" && $sum -gt 400 ]] || fail "$what: merged $(jq ".total.$what" "$m"), sum $sum"
        iv=$(jq "[.intervals[] | select(.step == null) | .$what] | add" "$m")
        [[ $iv == "$sum" ]] || fail "$what: the merged intervals hold $iv, the agents $sum"
done
# The rate is twice one agent's.
r0=$(jq .total.completed_per_s "$a0") rm=$(jq .total.completed_per_s "$m")
within "$(awk -v a="$rm" -v b="$r0" 'BEGIN { print a / b }')" 1.85 2.15 || fail "merged rate $rm, one agent $r0"
within "$rm" 270 330 || fail "merged rate $rm, want about 300/s"
# The merged p99 comes from the union of the histograms: between the agents' (at bucket resolution).
lo=$(jq -s 'map(.total.latency_us.p99) | min' "$a0" "$a1") hi=$(jq -s 'map(.total.latency_us.p99) | max' "$a0" "$a1")
p99=$(jq .total.latency_us.p99 "$m")
within "$p99" "$(awk -v v="$lo" 'BEGIN { print v * 0.998 }')" "$(awk -v v="$hi" 'BEGIN { print v * 1.002 }')" ||
        fail "merged p99 $p99 outside the agents' $lo .. $hi"
[[ $(jq .total.latency_us.count "$m") == $(jq -s 'map(.total.latency_us.count) | add' "$a0" "$a1") ]] ||
        fail "the merged histogram does not count every answered request"
# Intervals on the one time axis: as many as one agent's, each the sum of the two.
[[ $(jq '.intervals | length' "$m") == $(jq '.intervals | length' "$a0") ]] ||
        fail "merged $(jq '.intervals | length' "$m") intervals, one agent $(jq '.intervals | length' "$a0")"

# Each agent records its host clock from adjtimex at the start and the end; the offset stands in
# clock_offset_s only when the clock is synchronized (this machine may well not be).
for a in "$a0" "$a1"; do
        jq -e '.client.segment as $s | $s.clock as $c
               | ($c.source == "adjtimex") and ($c.synchronized | type) == "boolean"
               and all([$c, $c.end][]; (.offset_s | type) == "number" and (.offset_s | fabs) < 1000
                                      and .esterror_s >= 0 and .maxerror_s >= 0 and .maxerror_s <= 16.1)
               and (if $c.synchronized then $s.clock_offset_s == $c.offset_s else $s.clock_offset_s == null end)' \
                "$a" >/dev/null || fail "$a: clock $(jq -c .client.segment "$a")"
done
# The merge reports the agents' start spread and worst clock error, and warns (without failing)
# for each agent whose clock is not synchronized.
jq -e '.client.clock as $k | ($k.start_spread_s >= 0 and $k.start_spread_s < 0.5) and $k.limit_s == 0.1
       and $k.max_clock_error_s == ([.client.agents[].clock | ., .end | [(.offset_s | fabs), .maxerror_s] | max] | max)
       and ([$k.warnings[] | select(.kind == "unsynchronized") | .file] | sort)
           == ([.client.agents[] | select(.clock.synchronized == false or .clock.end.synchronized == false) | .file] | sort)' \
        "$m" >/dev/null || fail "merged clock: $(jq -c .client.clock "$m")"
for f in $(jq -r '.client.clock.warnings[].file' "$m"); do
        grep -q "^.*$f: the agent.*run chrony or NTP" "$tmp/merged.err" || fail "no warning for $f: $(cat "$tmp/merged.err")"
done

# The merged run is a run like any other for the reports.
"$skytune" report "$m" --html "$tmp/merged.html" --junit "$tmp/merged.xml" 2>"$tmp/report.err" ||
        fail "skytune report of the merged run: $(cat "$tmp/report.err")"
grep -q 'data-verdict="pass"' "$tmp/merged.html" || fail "the merged report's verdict is not pass"

# The same agent twice: invalid (exit 5), the reason names both files.
cp "$a0" "$tmp/copy.json"
rc=0
"$skytune" load merge "$a0" "$tmp/copy.json" --json >"$tmp/dup.json" 2>"$tmp/dup.err" || rc=$?
[[ $rc == 5 ]] || fail "a duplicate segment exited $rc, not 5"
jq -e '.verdict.exit == 5 and (.verdict.reason | test("both segment 0/2"))' "$tmp/dup.json" >/dev/null ||
        fail "duplicate: $(jq -c .verdict "$tmp/dup.json")"
grep -q "copy.json are both segment 0/2" "$tmp/dup.err" || fail "no message for the duplicate: $(cat "$tmp/dup.err")"
# One agent alone is not the whole load either.
rc=0
"$skytune" load merge "$a1" >/dev/null 2>"$tmp/one.err" || rc=$?
[[ $rc == 5 ]] || fail "one agent of two exited $rc, not 5"
# Not a run: exit 1, naming the file.
echo '{"schema": "skytune.profile/1"}' >"$tmp/profile.json"
rc=0
"$skytune" load merge "$a0" "$tmp/profile.json" >/dev/null 2>"$tmp/bad.err" || rc=$?
[[ $rc == 1 ]] && grep -q "profile.json" "$tmp/bad.err" || fail "a profile document: exit $rc, $(cat "$tmp/bad.err")"
echo "ok: two agents merged: $(jq .total.completed "$m") requests at $rm/s, p99 $p99 us (agents $lo .. $hi)"
