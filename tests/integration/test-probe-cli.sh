#!/usr/bin/env bash
# skytune probe end to end on tiny budgets: every local probe gives one sample per round in the
# skytune.probe/1 document, the disk probe leaves nothing in its directory, also when interrupted
# with SIGINT mid-run (the rounds done are reported, the cut round is dropped), and refuses a
# directory that does not exist with a reason.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$tmp/disk"

"$skytune" probe cpu,sched net disk --duration 0.1 --rounds 2 --dir "$tmp/disk" --json >"$tmp/p.json"
j=$tmp/p.json
jq -e '.schema == "skytune.probe/1"' "$j" >/dev/null || fail "schema"
[[ $(jq -r '[.probes[].name] | join(",")' "$j") == "cpu,sched,net,disk" ]] || fail "probes in order: $(jq -c '[.probes[].name]' "$j")"
jq -e '[.probes[] | .rounds == 2] | all' "$j" >/dev/null || fail "2 rounds each"
jq -e '[.probes[].metrics[] | (.samples | length) == 2] | all' "$j" >/dev/null || fail "one sample per round"
jq -e '[.probes[].metrics[].samples[] | . != null and . >= 0] | all' "$j" >/dev/null || fail "a sample is missing or negative"
jq -e '.probes[] | select(.name == "disk") | .round_info[0].detail.dir' "$j" >/dev/null || fail "disk detail"
[[ -z $(ls -A "$tmp/disk") ]] || fail "disk probe left files: $(ls -A "$tmp/disk")"

# Human output lists each probe.
"$skytune" probe cpu --duration 0.05 --rounds 1 | grep -q '^cpu: 1 round' || fail "human output"

# SIGINT in the middle of a disk run: exit 130, fewer rounds marked interrupted, no files.
"$skytune" probe disk --duration 0.5 --rounds 20 --dir "$tmp/disk" --json >"$tmp/int.json" &
pid=$!
# Before its first round the probe lays out its 64 MiB file (O_TMPFILE: nothing to see in the
# directory), which on a shared disk can take longer than a round: the signal goes in once the
# process has written that much (/proc/PID/io wchar), after a few rounds' time.
for _ in $(seq 300); do
        w=$(awk '$1 == "wchar:" { print $2 }' /proc/$pid/io 2>/dev/null) || w=
        [[ ${w:-0} -ge $((64 << 20)) ]] && break
        sleep 0.1
done
sleep 1.5
kill -INT $pid
rc=0; wait $pid || rc=$?
[[ $rc -eq 130 ]] || fail "interrupted run exited $rc"
jq -e '.interrupted == true and .probes[0].interrupted == true' "$tmp/int.json" >/dev/null || fail "the interrupted run is not marked"
n=$(jq '.probes[0].rounds' "$tmp/int.json")
[[ $n -ge 1 && $n -lt 20 ]] || fail "interrupted run reports $n rounds"
jq -e '.probes[0].round_info | all(.wall_s >= 0.45)' "$tmp/int.json" >/dev/null || fail "a cut-short round was kept"
[[ -z $(ls -A "$tmp/disk") ]] || fail "interrupted disk probe left files"

# A directory that does not exist: exit 1 with the reason and the way out.
rc=0; "$skytune" probe disk --duration 0.1 --rounds 1 --dir "$tmp/nope" 2>"$tmp/err" >/dev/null || rc=$?
[[ $rc -eq 1 ]] || fail "missing --dir exited $rc"
grep -q -- '--dir' "$tmp/err" || fail "error does not name --dir: $(cat "$tmp/err")"

# A comparison with a saved run: every metric gets a verdict (whatever it is on a shared machine).
"$skytune" probe cpu --duration 0.05 --rounds 5 --out "$tmp/base.json" >/dev/null
"$skytune" probe cpu --duration 0.05 --rounds 5 --baseline "$tmp/base.json" --json >"$tmp/cmp.json"
jq -e '.comparison.schema == "skytune.verify/1" and (.comparison.metrics | length) == 3' "$tmp/cmp.json" >/dev/null || fail "comparison"
jq -e '[.comparison.metrics[].verdict | IN("improved", "regressed", "unchanged", "inconclusive")] | all' "$tmp/cmp.json" >/dev/null ||
        fail "verdicts: $(jq -c '[.comparison.metrics[].verdict]' "$tmp/cmp.json")"
"$skytune" probe cpu --duration 0.05 --rounds 5 --baseline "$tmp/base.json" | grep -q '^Compared with' || fail "human comparison"
rc=0; "$skytune" probe cpu --baseline "$tmp/p.json.missing" >/dev/null 2>&1 || rc=$?
[[ $rc -eq 2 ]] || fail "missing --baseline file exited $rc"

# Usage errors.
for args in "--rounds 0" "--duration x" "cpu --arrival poisson" "--header nocolon --url http://127.0.0.1:1/"; do
        rc=0; "$skytune" probe $args >/dev/null 2>&1 || rc=$?
        [[ $rc -eq 2 ]] || fail "'probe $args' exited $rc, want 2"
done
# To a file first: grep -q would quit before the help ends, and SIGPIPE fail the pipeline.
"$skytune" probe --help >"$tmp/help.txt" && grep -q 'coordinated omission' "$tmp/help.txt" || fail "--help"
echo ok
