#!/usr/bin/env bash
# skytune bench trends end to end: 12 short runs of a one-benchmark suite, the last six three times
# as slow, give one change whose first run is run 7, worse (wall time up); the first six alone (a
# flat history) give none; too few runs are said (exit 0); a missing history is exit 1.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }
suite=$SRC/tests/fixtures/bench/one-sleep.conf

for i in $(seq 12); do
        sleep=0.02; ((i > 6)) && sleep=0.06
        SKYTUNE_TEST_SLEEP=$sleep $S bench run "$suite" --history "$T/h.db" >/dev/null 2>&1 || fail "run $i"
        ((i <= 6)) && { SKYTUNE_TEST_SLEEP=$sleep $S bench run "$suite" --history "$T/flat.db" >/dev/null 2>&1 || fail "flat run $i"; }
done

[[ $(rc $S bench trends --json --min-segment 3 --history "$T/h.db") == 0 ]] || fail "trends: $(cat "$T/err")"
[[ $(jq -r .schema "$T/out") == skytune.bench-trends/1 && $(jq .runs "$T/out") == 12 ]] || fail "document: $(cat "$T/out")"
jq -e '.changes | length == 1' "$T/out" >/dev/null || fail "one change expected: $(jq -c .changes "$T/out")"
jq -e '.changes[0] | .run == 7 and .run_before == 6 and .benchmark == "sleep" and .metric == "wall_s" and
       .direction == "worse" and .magnitude > 0.5 and .mean_after > .mean_before' "$T/out" >/dev/null ||
        fail "the change: $(jq -c '.changes[0]' "$T/out")"
# The same in text, the suite named by its file.
[[ $(rc $S bench trends "$suite" --min-segment 3 --history "$T/h.db") == 0 ]] &&
        grep -q '^sleep wall_s: +[0-9.]* % worse .* from run 7 (20[0-9-]* [0-9:]* UTC)' "$T/out" || fail "text: $(cat "$T/out")"

[[ $(rc $S bench trends --json --min-segment 3 --history "$T/flat.db") == 0 ]] || fail "flat: $(cat "$T/err")"
jq -e '.changes == [] and .runs == 6' "$T/out" >/dev/null || fail "a flat history has no change: $(jq -c .changes "$T/out")"

# Too few runs for the default minimum segment (5): said, nothing found, exit 0.
[[ $(rc $S bench trends --history "$T/flat.db") == 0 ]] && grep -q 'need at least 2×min-segment runs (10).*have 6' "$T/err" ||
        fail "too few runs: $(cat "$T/err")"
# An unknown suite has no runs, a missing history is an error, bad arguments are usage.
[[ $(rc $S bench trends nosuch --history "$T/h.db" --json) == 0 ]] && jq -e '.runs == 0' "$T/out" >/dev/null || fail "unknown suite"
[[ $(rc $S bench trends one-sleep --json --min-segment 3 --history "$T/h.db") == 0 ]] && jq -e '.changes[0].run == 7' "$T/out" >/dev/null ||
        fail "suite by name: $(cat "$T/out" "$T/err")"
[[ $(rc $S bench trends --history "$T/none.db") == 1 ]] && grep -q 'cannot read the history' "$T/err" || fail "missing history: $(cat "$T/err")"
[[ $(rc $S bench trends --days 0 --history "$T/h.db") == 2 ]] || fail "--days 0 accepted"
[[ $(rc $S bench trends --bogus) == 2 ]] || fail "unknown option accepted"
echo ok
