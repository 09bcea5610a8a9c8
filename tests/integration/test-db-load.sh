#!/usr/bin/env bash
# skytune db init, load and clean against a PostgreSQL the test starts: the built-ins run on the
# tables init made (pgbench's, so pgbench runs on them too), progress each second, and the rate
# model against a server stalled by a lock held from another session: latency counted from the
# scheduled start shows the stall in most transactions (not only the few that waited on the lock),
# and a latency limit skips those already late. Bounded: a few seconds per run.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile" --database bench)

"$skytune" db init --scale 1 "${conn[@]}" >"$tmp/init.out"
db=bench psql_run 'select 1' >/dev/null || fail "init did not create the database"
[[ $(db=bench psql_run 'copy (select count(*) from pgbench_accounts) to stdout') == 100000 ]] || fail "accounts"
[[ $(db=bench psql_run 'copy (select count(*) from pgbench_branches) to stdout') == 1 ]] || fail "branches"
[[ $(db=bench psql_run 'copy (select count(*) from skytune_users) to stdout') == 10000 ]] || fail "suite users"

for b in tpcb-like select-only suite; do
        "$skytune" db load --builtin "$b" --clients 2 --duration 2 "${conn[@]}" --json >"$tmp/$b.json" 2>"$tmp/$b.err"
        j=$tmp/$b.json
        [[ $(jq -r .config.workload "$j") == "$b" ]] || fail "$b: workload"
        [[ $(jq .errors.total "$j") == 0 ]] || fail "$b: errors $(jq .errors "$j")"
        [[ $(jq .transactions.count "$j") -ge 20 ]] || fail "$b: $(jq .transactions.count "$j") transactions"
        within "$(jq .transactions.tps "$j")" 10 1000000 || fail "$b: tps"
        [[ $(jq .connect_ms.count "$j") == 2 ]] || fail "$b: two connections"
        grep -c '^progress: ' "$tmp/$b.err" | { read -r n; within "$n" 1 3; } || fail "$b: progress lines: $(cat "$tmp/$b.err")"
done
[[ $(jq '.statements | length' "$tmp/tpcb-like.json") == 7 ]] || fail "tpcb-like has 7 statements"
[[ $(jq '.statements | length' "$tmp/suite.json") == 8 ]] || fail "the suite has 8 statements"
# tpcb-like wrote what pgbench's transaction writes: one history row per transaction.
h=$(db=bench psql_run 'copy (select count(*) from pgbench_history) to stdout')
[[ $h == "$(jq .transactions.count "$tmp/tpcb-like.json")" ]] || fail "history rows $h"
# pgbench runs on the same tables.
if [[ -x $pgbin/pgbench ]]; then
        PGPASSWORD=$db_password "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U skytune -S -t 10 bench >/dev/null 2>&1 ||
                fail "pgbench does not run on the tables db init made"
fi

# Rate model, 40/s over 3 s from 2 clients; another session holds a lock on the row every
# transaction updates for 1.2 s from 0.8 s.
db=bench psql_run 'create table hot (id int primary key, v int); insert into hot values (1, 0)'
printf 'UPDATE hot SET v = v + 1 WHERE id = 1;\n' >"$tmp/hot.sql"
stall() {
        sleep 0.8
        db=bench psql_run 'begin; lock table hot in exclusive mode; select pg_sleep(1.2); commit' >/dev/null
}
stall & sp=$!
"$skytune" db load --script "$tmp/hot.sql" --clients 2 --rate 40 --duration 3 --progress 0 "${conn[@]}" --json >"$tmp/rate.json"
wait "$sp"
j=$tmp/rate.json
[[ $(jq -r .config.model "$j") == rate ]] || fail "model"
n=$(jq .transactions.count "$j")
within "$n" 80 160 || fail "rate 40/s for 3 s ran $n transactions"
mx=$(jq .transactions.latency_ms.max "$j") p50=$(jq .transactions.latency_ms.p50 "$j") p90=$(jq .transactions.latency_ms.p90 "$j")
within "$mx" 1000 3000 || fail "max latency $mx ms: the 1.2 s stall is not in it"
# About 48 of 120 transactions were due during the stall: each waited from its scheduled start.
within "$p90" 200 3000 || fail "p90 $p90 ms: the stall is not in the scheduled-start latency"
within "$p50" 0 200 || fail "p50 $p50 ms: most transactions were not stalled"
# The same with a 100 ms latency limit: those already later than it when due are skipped.
stall & sp=$!
"$skytune" db load --script "$tmp/hot.sql" --clients 2 --rate 40 --duration 3 --latency-limit 100 --progress 0 \
        "${conn[@]}" --json >"$tmp/limit.json"
wait "$sp"
sk=$(jq .transactions.skipped "$tmp/limit.json") late=$(jq .transactions.late "$tmp/limit.json")
within "$sk" 10 100 || fail "skipped $sk, want the transactions due during the stall"
within "$late" 1 20 || fail "late $late, want the ones that waited on the lock"

# The human report and usage errors.
"$skytune" db load --builtin select-only --clients 1 --transactions 50 --progress 0 "${conn[@]}" >"$tmp/human.txt"
grep -q '^transactions: 50 ' "$tmp/human.txt" || fail "human: $(cat "$tmp/human.txt")"
awk 'length > 80 { print; bad = 1 } END { exit bad }' "$tmp/human.txt" || fail "lines over 80 columns"
rc=0; "$skytune" db load --builtin nosuch "${conn[@]}" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'tpcb-like, select-only, suite' "$tmp/err" || fail "unknown builtin: exit $rc"
rc=0; "$skytune" db load --clients 0 "${conn[@]}" 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "--clients 0: exit $rc, want 2"
rc=0; "$skytune" db load --duration 1 --transactions 3 "${conn[@]}" 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "--duration with --transactions: exit $rc, want 2"

"$skytune" db clean "${conn[@]}" >/dev/null
[[ $(db=bench psql_run "copy (select count(*) from pg_tables where tablename like 'pgbench_%' or tablename like 'skytune_%') to stdout") == 0 ]] ||
        fail "clean left tables"
db_check_no_password
echo "ok: db init, load (closed and rate, latency limit), clean"
