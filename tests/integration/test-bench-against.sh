#!/usr/bin/env bash
# skytune bench run SUITE --against REF: both suites in the same rounds, their order swapped every
# round (A B, B A, ...); both runs recorded under their own names; SUITE compared with REF across
# their different configurations: a sleep twice as long is regressed with its gate failed (exit 4,
# JUnit and HTML written), the other way round improved (exit 0); a reference with the suite's own
# name, or without a same-named benchmark, is refused before anything runs (exit 2).
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }
suite() { # NAME SLEEP [GATE]
        local gate=""
        [[ -n ${3:-} ]] && gate=" gates = ( { metric = \"wall_s\"; max_regression = $3; } );"
        printf 'name = "%s";\nrepetitions = 8;\nwarmup = 1;\nbenchmarks = ( { name = "s"; kind = "command"; command = "sleep %s"; metrics = [ "wall_s" ];%s } );\n' \
                "$1" "$2" "$gate" >"$T/$1.conf"
}
suite slow 0.08 10.0
suite fast 0.04

[[ $(rc $S bench run "$T/slow.conf" --against "$T/fast.conf" --history "$T/h.db" --json --junit "$T/j.xml" --html "$T/c.html") == 4 ]] ||
        fail "a regression past its gate: exit not 4: $(cat "$T/err")"
jq -e '.a.id == 1 and .b.id == 2 and .metrics[0].verdict == "regressed" and .metrics[0].gate.status == "failed"' "$T/out" >/dev/null ||
        fail "comparison: $(jq -c '{a: .a.id, b: .b.id, m: .metrics[0]}' "$T/out")"
grep -q 'run 1 of suite fast recorded' "$T/err" && grep -q 'run 2 of suite slow recorded' "$T/err" || fail "records: $(cat "$T/err")"
grep -q '<failure' "$T/j.xml" && grep -q '<svg' "$T/c.html" || fail "reports"
# The order swaps every round: each side writes its name to a log; 1 warm-up and 2 repetitions are
# rounds 1 to 3: A B, B A, A B (A the suite, B the reference).
for n in one two; do
        printf 'name = "%s";\nrepetitions = 2;\nwarmup = 1;\nbenchmarks = ( { name = "s"; kind = "command"; command = "echo %s >>%s"; } );\n' \
                "$n" "$n" "$T/order.log" >"$T/$n.conf"
done
$S bench run "$T/one.conf" --against "$T/two.conf" --history "$T/o.db" >/dev/null 2>"$T/err" || [[ $? == [45] ]] ||
        fail "one against two: $(cat "$T/err")"
[[ $(tr '\n' ' ' <"$T/order.log") == "one two two one one two " ]] || fail "rounds are not A B, B A, A B: $(tr '\n' ' ' <"$T/order.log")"
[[ $(rc $S bench run "$T/slow.conf" --against "$T/slow.conf" --history "$T/h.db") == 2 ]] &&
        grep -q "both named 'slow': give the reference .*slow.conf its own name" "$T/err" || fail "same name: $(cat "$T/err")"
printf 'name = "other";\nbenchmarks = ( { name = "t"; kind = "command"; command = "true"; } );\n' >"$T/other.conf"
[[ $(rc $S bench run "$T/slow.conf" --against "$T/other.conf" --history "$T/h.db") == 2 ]] &&
        grep -q "benchmark s of suite slow has no counterpart in the reference other" "$T/err" || fail "no counterpart: $(cat "$T/err")"
[[ $(rc $S bench run "$T/slow.conf" --junit "$T/x.xml" --history "$T/h.db") == 2 ]] && grep -q 'give --against REF' "$T/err" ||
        fail "--junit without --against"
[[ $(rc $S bench run "$T/fast.conf" --against "$T/slow.conf" --history "$T/h.db" --json) == 0 ]] &&
        jq -e '.metrics[0].verdict == "improved" and .a.id == 3 and .b.id == 4' "$T/out" >/dev/null || fail "improved: $(cat "$T/err")"
echo ok
