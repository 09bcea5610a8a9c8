#!/usr/bin/env bash
# skytune apply --verify end to end: a private system bus activates skytune-helper on a fixture
# sysroot; a local HTTP server (tests/integration/probe/server.py, 127.0.0.1) takes its response
# delay from the fixture's vm.swappiness file (value / 10 ms), so a plan that lowers the value is a
# helpful change and one that raises it a harmful one. The alternating A/B rounds switch the plan on
# and off through the helper; the verdicts must be improved and regressed, a harmful plan is rolled
# back with --rollback-on-regression (exit 1, the fixture value restored), a helpful one is kept.
# Both runs store their verdicts with their last transaction (AnnotateTransaction): skytune history
# shows them, --json in full, and `skytune history ID` as the table; an interrupted run is rolled
# back and stores what it measured with its error.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
export SKYTUNE_SYSROOT=$ROOT
swp=$ROOT/proc/sys/vm/swappiness
[[ $(cat "$swp") == 60 ]] || bus_fail "fixture vm.swappiness is $(cat "$swp"), expected 60"

python3 "$BUS_SRC/tests/integration/probe/server.py" --port-file "$BUS_TMP/port" --lifetime 90 \
        --delay-file "$swp" --delay-scale 0.1 &
server=$!
# bus_teardown exits with the status it finds in $?: hand it the script's, not kill's.
trap 'rc=$?; kill $server 2>/dev/null; set +e; (exit $rc); bus_teardown' EXIT
for _ in $(seq 100); do [[ -s $BUS_TMP/port ]] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$BUS_TMP/port")/
# 9 rounds a side: with 7 a single swapped pair on a busy machine (ctest -j, a build) already leaves a
# secondary metric inconclusive after the Holm adjustment over 11 of them.
R=9

verify() {      # verify VALUE [ARGS...]: apply a plan setting vm.swappiness to VALUE, with --verify
        local value=$1
        shift
        echo "sysctl vm.swappiness $value" | make_plan >"$BUS_TMP/plan.json"
        "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --json --verify --probes http --url "$url" \
                --rounds $R --round-duration 0.2 "$@" >"$BUS_TMP/out.json"
}
verdict() { jq -r --arg m "$1" '.verify.metrics[] | select(.metric == $m) | .verdict' "$BUS_TMP/out.json"; }
metrics() { jq -c '.verify.metrics[] | [.metric, .baseline_median, .candidate_median, .p_adjusted, .verdict, .contaminated]' "$BUS_TMP/out.json"; }

# Helpful: 6 ms -> 1 ms per response.
verify 10 || bus_fail "helpful verify exited $?"
[[ $(verdict successful_rps) == improved ]] || bus_fail "helpful: successful_rps $(verdict successful_rps): $(metrics)"
[[ $(verdict latency_p50_ms) == improved ]] || bus_fail "helpful: latency_p50_ms $(verdict latency_p50_ms): $(metrics)"
jq -e '.rolled_back == false and (.transaction_id | type == "string")' "$BUS_TMP/out.json" >/dev/null || bus_fail "helpful change not kept"
jq -e --argjson r $R '.verify.rounds.baseline == $r and .verify.rounds.candidate == $r' "$BUS_TMP/out.json" >/dev/null || bus_fail "rounds"
[[ $(cat "$swp") == 10 ]] || bus_fail "helpful change not in place: $(cat "$swp")"
good=$(jq -r .transaction_id "$BUS_TMP/out.json")
jq -e '.transaction.verification.decision == "kept"' "$BUS_TMP/out.json" >/dev/null || bus_fail "apply --json: no verification in .transaction"

# The verdicts as history keeps them: the full record with the last transaction, which lists every
# transaction the candidate rounds were applied with (itself last).
stored() {      # stored ID JQ-FILTER: the filter holds for transaction ID's verification in history --json
        "$SKYTUNE" history --json | jq -e --arg id "$1" ".transactions[] | select(.id == \$id) | .verification | $2" >/dev/null
}
stored "$good" '.schema == "skytune.verify/1" and .decision == "kept" and .primary_regressed == false
        and .rounds.baseline == '$R' and .rounds.candidate == '$R' and .order == "alternating"' || bus_fail "history --json: record of $good"
stored "$good" '.metrics[] | select(.metric == "successful_rps") | .verdict == "improved" and .primary
        and .baseline_median > 0 and .candidate_median > .baseline_median and .ratio > 1 and (.ci | length == 2) and .p < 0.05' ||
        bus_fail "history --json: successful_rps of $good"
# Shuffled pairs (B A A B) leave the candidate on across a pair boundary: at most R applies.
stored "$good" '(.transactions | length >= 1 and length <= '$R') and .transactions[-1] == $id and (.recorded | type == "string")' ||
        bus_fail "history --json: transactions of $good"
round=$("$SKYTUNE" history --json | jq -r --arg id "$good" '.transactions[] | select(.id == $id) | .verification.transactions[0]')
applies=$("$SKYTUNE" history --json | jq -r --arg id "$good" '.transactions[] | select(.id == $id) | .verification.transactions | length')
"$SKYTUNE" history >"$BUS_TMP/hist.txt"
grep -q "^$good .* applied .*kept: http successful_rps improved +" "$BUS_TMP/hist.txt" || bus_fail "history: $(cat "$BUS_TMP/hist.txt")"
[[ $applies == 1 ]] || "$SKYTUNE" history --all | grep -q "^  $round .* rolled-back .*round of $good" ||
        bus_fail "history round: $("$SKYTUNE" history --all)"
"$SKYTUNE" history "$good" >"$BUS_TMP/one.txt" || bus_fail "history ID exited $?"
grep -q "^Verified, recorded .*$R baseline and $R candidate rounds, alternating; kept" "$BUS_TMP/one.txt" &&
        grep -q 'successful_rps .*improved (primary)' "$BUS_TMP/one.txt" && { [[ $applies == 1 ]] || grep -q "as $applies transactions" "$BUS_TMP/one.txt"; } ||
        bus_fail "history ID: $(cat "$BUS_TMP/one.txt")"
"$SKYTUNE" history "$good" --json | jq -e '.verification.decision == "kept"' >/dev/null || bus_fail "history ID --json"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback of the helpful change"
[[ $(cat "$swp") == 60 ]] || bus_fail "rollback restored $(cat "$swp")"
stored "$good" '.decision == "kept"' || bus_fail "a rollback lost the verification of $good"

# Harmful: 6 ms -> 20 ms per response, rolled back because the primary metric regressed.
rc=0; verify 200 --rollback-on-regression || rc=$?
[[ $rc == 1 ]] || bus_fail "harmful verify exited $rc, want 1"
[[ $(verdict successful_rps) == regressed ]] || bus_fail "harmful: successful_rps $(verdict successful_rps): $(metrics)"
jq -e '.rolled_back == true and .verify.primary_regressed == true' "$BUS_TMP/out.json" >/dev/null || bus_fail "harmful change not rolled back"
[[ $(cat "$swp") == 60 ]] || bus_fail "harmful change left $(cat "$swp")"
bad=$(jq -r .transaction_id "$BUS_TMP/out.json")
stored "$bad" '.decision == "rolled-back" and .primary_regressed and
        (.metrics[] | select(.metric == "successful_rps") | .verdict == "regressed" and .ratio < 1)' || bus_fail "history --json: record of $bad"
"$SKYTUNE" history | grep -q "^$bad .* rolled-back .*rolled-back: http successful_rps regressed -" || bus_fail "history: $("$SKYTUNE" history)"

# Interrupted: the change is rolled back, exit 130, and what was measured is stored, marked by its error.
echo "sysctl vm.swappiness 10" | make_plan >"$BUS_TMP/plan.json"
"$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --json --verify --probes http --url "$url" --rounds 50 --round-duration 0.2 \
        >"$BUS_TMP/out.json" 2>"$BUS_TMP/err" &
pid=$!
for _ in $(seq 100); do [[ $(cat "$swp") == 10 ]] && break; sleep 0.05; done
sleep 1
kill -INT $pid
rc=0; wait $pid || rc=$?
[[ $rc == 130 && $(cat "$swp") == 60 ]] || bus_fail "interrupted verify: exit $rc, vm.swappiness $(cat "$swp"): $(cat "$BUS_TMP/err")"
last=$("$SKYTUNE" history --json | jq -r '.transactions[-1].id')
stored "$last" '.decision == "rolled-back" and (.error | test("canceled|interrupted|stopped"; "i"))' ||
        bus_fail "interrupted verify: record $("$SKYTUNE" history "$last" --json | jq -c .verification)"
"$SKYTUNE" history | grep -q "^$last .* rolled-back .*rolled-back: measuring stopped" || bus_fail "history: $("$SKYTUNE" history)"

# The table for people.
echo "sysctl vm.swappiness 10" | make_plan >"$BUS_TMP/plan.json"
"$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --verify --probes http --url "$url" --rounds 7 \
        --round-duration 0.2 >"$BUS_TMP/table.txt" 2>"$BUS_TMP/table.err" || bus_fail "human verify exited $?"
# The test plan's change names no effect_metrics: said before measuring.
grep -q "name no measurable effect" "$BUS_TMP/table.err" || bus_fail "no notice of unnamed effects: $(cat "$BUS_TMP/table.err")"
# (The layout only: the verdicts are checked above, and a short run on a busy machine may be inconclusive.)
grep -Eq '^http +successful_rps +[0-9.k]+ +[0-9.k]+ +[-+][0-9.]+% \[.*\] +(improved|inconclusive.*) \(primary\)$' "$BUS_TMP/table.txt" ||
        bus_fail "table: $(cat "$BUS_TMP/table.txt")"
grep -q 'The change is applied (transaction' "$BUS_TMP/table.txt" && grep -q 'verdicts are stored with it: skytune history ' "$BUS_TMP/table.txt" ||
        bus_fail "table footer: $(cat "$BUS_TMP/table.txt")"
echo ok
