#!/usr/bin/env bash
# skytune bench trends end to end: 12 short runs of a one-benchmark suite, the last six ten times
# as slow (a loaded machine must not blur the step), give one change whose first run is run 7, worse
# (wall time up), its transactions unknown (no helper), the series' 12 points in two segments; the
# first six alone (a flat history) give none; too few runs are said (exit 0); a missing history is
# exit 1; a series of more changes than kept (32) says so in the document and on stderr.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }
suite=$SRC/tests/fixtures/bench/one-sleep.conf
# No helper to ask: every run's transactions are unknown (test-helper-bench-tx.sh has a real one).
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus

for i in $(seq 12); do
        sleep=0.02; ((i > 6)) && sleep=0.2
        SKYTUNE_TEST_SLEEP=$sleep $S bench run "$suite" --history "$T/h.db" >/dev/null 2>&1 || fail "run $i"
        ((i <= 6)) && { SKYTUNE_TEST_SLEEP=$sleep $S bench run "$suite" --history "$T/flat.db" >/dev/null 2>&1 || fail "flat run $i"; }
done

[[ $(rc $S bench trends --json --min-segment 3 --history "$T/h.db") == 0 ]] || fail "trends: $(cat "$T/err")"
[[ $(jq -r .schema "$T/out") == skytune.bench-trends/1 && $(jq .runs "$T/out") == 12 ]] || fail "document: $(cat "$T/out")"
jq -e '.changes | length == 1' "$T/out" >/dev/null || fail "one change expected: $(jq -c .changes "$T/out")"
jq -e '.changes[0] | .run == 7 and .run_before == 6 and .benchmark == "sleep" and .metric == "wall_s" and
       .direction == "worse" and .magnitude > 0.5 and .mean_after > .mean_before and .transactions == null' "$T/out" >/dev/null ||
        fail "the change: $(jq -c '.changes[0]' "$T/out")"
# The same in text, the suite named by its file.
[[ $(rc $S bench trends "$suite" --min-segment 3 --history "$T/h.db") == 0 ]] &&
        grep -q '^sleep wall_s: +[0-9.]* % worse .* from run 7 (20[0-9-]* [0-9:]* UTC)' "$T/out" &&
        grep -q '^    transactions: unknown (skytune-helper was not reachable' "$T/out" || fail "text: $(cat "$T/out")"
jq -e '.tuning == [] and (.metrics[0].points | length) == 12 and (.metrics[0].segments | map(.runs)) == [6, 6]' \
        <($S bench trends --json --min-segment 3 --history "$T/h.db") >/dev/null || fail "points, segments, tuning"

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
# A staircase of 34 levels (340 imported runs, 33 changes): a series keeps 32 and says so, in the
# document and on stderr; the runs were not capped.
python3 - "$T/stairs.ndjson" <<'PY'
import json, sys, time
now = int(time.time() * 1e6) - 400 * 1000000
with open(sys.argv[1], "w") as f:
    for i in range(340):
        t = now + i * 1000000
        f.write(json.dumps({"schema": "skytune.bench-run/1", "suite": "stairs", "suite_digest": "00112233aabbccdd",
                            "skytune_version": "0.1.0", "started_us": t, "finished_us": t + 5,
                            "fingerprint": {"hard": {}, "soft": {}},
                            "benchmarks": [{"name": "b", "kind": "command", "config_digest": "feedfeedfeedfeed",
                                            "repetition_started_us": [t],
                                            "metrics": [{"name": "ops", "unit": "1/s", "higher_is_better": True,
                                                         "samples": [100 + 10 * (i // 10) + (i % 7) * 0.1]}]}]}) + "\n")
PY
$S bench import "$T/stairs.ndjson" --history "$T/stairs.db" 2>/dev/null || fail "import of the staircase"
[[ $(rc $S bench trends stairs --json --history "$T/stairs.db") == 0 ]] || fail "staircase: $(cat "$T/err")"
jq -e '(.changes | length) == 32 and .metrics[0].changes_capped == true and .runs_capped == false' "$T/out" >/dev/null ||
        fail "capped changes: $(jq -c '[(.changes | length), .metrics[0].changes_capped, .runs_capped]' "$T/out")"
grep -q 'b ops: more than 32 changes; only the first 32 are shown' "$T/err" || fail "no warning: $(cat "$T/err")"
[[ $(rc $S bench trends --json --min-segment 3 --history "$T/h.db") == 0 ]] && ! grep -q 'more than' "$T/err" &&
        jq -e '.runs_capped == false and .metrics[0].changes_capped == false' "$T/out" >/dev/null ||
        fail "uncapped: $(cat "$T/err")"
[[ $(rc $S bench trends --days 0 --history "$T/h.db") == 2 ]] || fail "--days 0 accepted"
[[ $(rc $S bench trends --bogus) == 2 ]] || fail "unknown option accepted"
echo ok
