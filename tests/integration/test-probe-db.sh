#!/usr/bin/env bash
# The db probe against a PostgreSQL the test starts (lib-db-server.sh): `skytune probe db` prints tps
# and latency percentiles that agree with the rounds' own counts, names what to do when the server
# is unreachable or the tables are missing, and never shows the password, whether it comes from a
# password file or sits in the DSN itself. Then `skytune apply --verify --probes db --dsn ...` on a
# private system bus and a fixture sysroot (as test-probe-verify.sh): the plan changes a fixture
# file the database never reads, so the change is a no-op for it and no metric may come out improved
# or regressed; the change is kept and its verdicts stored without the password.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile" --database bench)

# Usage errors, before any connection.
rc=0; "$skytune" probe db 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q -- '--dsn' "$tmp/err" || fail "db without --dsn: exit $rc, $(cat "$tmp/err")"
rc=0; "$skytune" probe db "${conn[@]}" --db-workload nosuch 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q 'select-only or tpcb-like' "$tmp/err" || fail "bad workload: exit $rc, $(cat "$tmp/err")"
rc=0; "$skytune" probe db "${conn[@]}" --db-clients 0 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] || fail "--db-clients 0: exit $rc"
# No tables yet: the message says to run db init.
rc=0; "$skytune" probe db "${conn[@]}" --database postgres --rounds 1 --duration 0.2 2>"$tmp/err" >/dev/null || rc=$?
[[ $rc -eq 1 ]] && grep -q "skytune db init" "$tmp/err" || fail "no tables: exit $rc, $(cat "$tmp/err")"

"$skytune" db init --scale 1 "${conn[@]}" >/dev/null

# Figures: 3 rounds of 0.5 s from 2 connections, select-only.
start=$(date +%s.%N)
"$skytune" probe db "${conn[@]}" --db-clients 2 --rounds 3 --duration 0.5 --json >"$tmp/probe.json"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
j=$tmp/probe.json
p='.probes[0]'
[[ $(jq -r "$p.name" "$j") == db && $(jq "$p.rounds" "$j") == 3 ]] || fail "name and rounds: $(jq -c "$p | {name, rounds}" "$j")"
jq -e "$p.dsn | test(\"port=$port\")" "$j" >/dev/null || fail "the entry does not name its DSN"
tps=$(jq "$p.metrics.tps.median" "$j") p50=$(jq "$p.metrics.latency_p50_ms.median" "$j")
p99=$(jq "$p.metrics.latency_p99_ms.median" "$j")
within "$tps" 50 1000000 || fail "tps $tps"
within "$p50" 0.001 100 || fail "p50 $p50 ms"
within "$p99" "$p50" 1000 || fail "p99 $p99 ms below p50 $p50"
[[ $(jq -r "$p.metrics.success_rate.median" "$j") == 1 ]] || fail "success rate $(jq "$p.metrics.success_rate" "$j")"
# Each round's tps is its own transactions over its own time (2 clients, 0.5 s).
jq -e "[$p.round_info[] | .detail.transactions / .detail.elapsed_s] as \$t | [$p.metrics.tps.samples[]] as \$s |
        [range(3) as \$i | (\$t[\$i] - \$s[\$i]) | fabs < 0.01 * \$s[\$i]] | all" "$j" >/dev/null || fail "round tps: $(jq -c "$p.round_info" "$j")"
jq -e "$p.round_info | map(.detail.elapsed_s > 0.45 and .detail.elapsed_s < 0.8) | all" "$j" >/dev/null || fail "round length"
jq -e "$p.metrics.tps.higher_is_better == true and $p.metrics.latency_p99_ms.higher_is_better == false and
        $p.metrics.success_rate.higher_is_better == true and $p.metrics.tps.unit == \"tx/s\"" "$j" >/dev/null ||
        fail "metric directions: $(jq -c "$p.metrics | map_values(.higher_is_better)" "$j")"
[[ $(jq "$p.all_rounds.transactions.count" "$j") == $(jq "[$p.round_info[].detail.transactions] | add" "$j") ]] ||
        fail "the summary's transactions are not the rounds' sum"
[[ $(jq -r "$p.all_rounds.config.workload" "$j") == select-only && $(jq "$p.all_rounds.config.clients" "$j") == 2 ]] ||
        fail "summary config $(jq -c "$p.all_rounds.config" "$j")"
echo "figures: probe db 3 x 0.5 s, 2 clients: tps $tps, p50 $p50 ms, p99 $p99 ms, took $took s" >&2

# The human output.
"$skytune" probe db "${conn[@]}" --db-workload tpcb-like --rounds 1 --duration 0.3 >"$tmp/human.txt"
grep -q "^db host=127.0.0.1 port=$port .*: 1 round" "$tmp/human.txt" || fail "human header: $(cat "$tmp/human.txt")"
grep -Eq '^  tps +[0-9.k]+ tx/s' "$tmp/human.txt" && grep -q 'latency_p99_ms' "$tmp/human.txt" || fail "human: $(cat "$tmp/human.txt")"

# A password in the DSN itself is never shown: not in the output, not in the JSON, not in errors.
"$skytune" probe db --dsn "$dsn password=$db_password" --database bench --rounds 1 --duration 0.2 --json \
        >"$tmp/inline.json" 2>"$tmp/inline.err" || fail "DSN with a password: $(cat "$tmp/inline.err")"
jq -e '.probes[0].dsn | test("password=\\*\\*\\*")' "$tmp/inline.json" >/dev/null || fail "dsn shown: $(jq .probes[0].dsn "$tmp/inline.json")"
"$skytune" probe db --dsn "$dsn password=$db_password" --database bench --rounds 1 --duration 0.2 >"$tmp/inline.txt" 2>&1
rc=0; "$skytune" probe db --dsn "${dsn/port=$port/port=1} password=$db_password" --rounds 1 --duration 0.2 \
        >"$tmp/down.txt" 2>&1 || rc=$?
[[ $rc -eq 1 ]] && grep -qi 'connect' "$tmp/down.txt" || fail "unreachable server: exit $rc, $(cat "$tmp/down.txt")"

# Every transaction failing (a read-only database, tpcb-like writes) is a failed probe (exit 1) that
# says what to check; the rounds count the errors by class.
psql_run 'alter database bench set default_transaction_read_only = on' >/dev/null
rc=0; "$skytune" probe db "${conn[@]}" --db-workload tpcb-like --rounds 2 --duration 0.2 --json >"$tmp/ro.json" \
        2>"$tmp/ro.err" || rc=$?
psql_run 'alter database bench reset default_transaction_read_only' >/dev/null
[[ $rc -eq 1 ]] && grep -q 'none of the [0-9]* operations succeeded.*SQLSTATE' "$tmp/ro.err" ||
        fail "read-only database: exit $rc, $(cat "$tmp/ro.err")"
jq -e '.probes[0].round_info | all(.detail.errors.other > 0 and .detail.failed == .detail.transactions)' "$tmp/ro.json" \
        >/dev/null || fail "read-only rounds: $(jq -c '.probes[0].round_info' "$tmp/ro.json")"

# apply --verify with the db probe: a change the database does not see.
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$build" "$src"
trap 'rc=$?; db_cleanup; set +e; (exit $rc); bus_teardown' EXIT
export SKYTUNE_SYSROOT=$ROOT
echo "sysctl vm.swappiness 10" | make_plan >"$BUS_TMP/plan.json"
# --arrival is http's, which does not run: a warning, not its check's refusal (it needs --rate).
"$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --json --verify --probes db "${conn[@]}" --db-clients 2 \
        --arrival poisson --rounds 7 --round-duration 0.3 --noise 20 >"$tmp/verify.json" 2>"$tmp/verify.err" ||
        fail "verify exited $?: $(cat "$tmp/verify.err")"
grep -q -- '--arrival is an option of a probe that does not run here' "$tmp/verify.err" ||
        fail "no warning for http's --arrival: $(cat "$tmp/verify.err")"
grep -q -- '--db-clients is an option\|--password-file is an option' "$tmp/verify.err" &&
        fail "a warning for the db probe's own options: $(cat "$tmp/verify.err")"
v=$tmp/verify.json
[[ $(jq -r '.verify.metrics[] | select(.metric == "tps") | .probe' "$v") == db ]] || fail "no db tps in $(jq -c .verify "$v")"
jq -e '.verify.metrics[] | select(.metric == "tps") | .primary' "$v" >/dev/null || fail "tps is not the primary metric"
bad=$(jq -r '[.verify.metrics[] | select(.verdict == "improved" or .verdict == "regressed") | .metric] | join(",")' "$v")
[[ -z $bad ]] || fail "a no-op change judged improved or regressed on $bad: $(jq -c '[.verify.metrics[] | [.metric, .baseline_median, .candidate_median, .verdict]]' "$v")"
jq -e '.rolled_back == false and .verify.rounds.baseline == 7 and .verify.rounds.candidate == 7' "$v" >/dev/null ||
        fail "verify: $(jq -c '{rolled_back, rounds: .verify.rounds}' "$v")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || fail "the change is not in place"
"$SKYTUNE" history --json >"$tmp/history.json"
jq -e '[.transactions[].verification | select(. != null) | .metrics[] | select(.probe == "db")] | length > 0' \
        "$tmp/history.json" >/dev/null || fail "history keeps no db verdicts"
# Without its target the db probe is refused before anything is applied.
echo "sysctl vm.swappiness 30" | make_plan >"$BUS_TMP/plan.json"
rc=0; "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --verify --probes db 2>"$tmp/err" >/dev/null || rc=$?
[[ $rc -ne 0 ]] && grep -q -- '--dsn' "$tmp/err" || fail "--probes db without --dsn: exit $rc, $(cat "$tmp/err")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || fail "a refused verify applied its change"
# The server going away between rounds: each failed round says why in libpq's (scrubbed) words,
# not only strerror's. The server stays down: this is the last use of it.
"$skytune" probe db "${conn[@]}" --rounds 10 --duration 0.3 --json >"$tmp/gone.json" 2>"$tmp/gone.err" &
probe=$!
sleep 1.5
db_server_stop immediate
wait "$probe" || fail "server gone: exit $?, the rounds that ran are a measurement ($(cat "$tmp/gone.err"))"
jq -e '.probes[0].failed_rounds > 0 and ([.probes[0].round_info[].detail.error // empty] |
        all(test("cannot connect to PostgreSQL"))) and ([.probes[0].round_info[].detail.error // empty] | length > 0)' \
        "$tmp/gone.json" >/dev/null || fail "server gone, no reason: $(jq -c '[.probes[0].round_info[].detail.error]' "$tmp/gone.json")"
if grep -rlF -e "$db_password" "$tmp" "$BUS_TMP" --exclude=pwfile; then
        fail "the password appears in the files above"
fi
echo "ok: probe db figures, errors and redaction; apply --verify with the db probe judges a no-op change unchanged"
