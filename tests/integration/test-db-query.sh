#!/usr/bin/env bash
# skytune db query against a PostgreSQL the test starts (lib-db-server.sh): per-statement
# percentiles of a statement of known duration (pg_sleep(0.02): every value from 20 ms, none far
# above), rows, the connect time apart, --param in all three protocols, a script file with \set, and
# the 80-column human output, Ctrl-C during a long statement. Bounded: about a hundred statements.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile")
j=$tmp/sleep.json

"$skytune" db query 'select pg_sleep(0.02)' --iterations 25 "${conn[@]}" --json >"$j"
[[ $(jq -r .schema "$j") == skytune.db/1 ]] || fail "schema"
[[ $(jq -r .command "$j") == query ]] || fail "command"
[[ $(jq .transactions.count "$j") == 25 ]] || fail "25 iterations: $(jq .transactions.count "$j")"
[[ $(jq '.statements | length' "$j") == 1 ]] || fail "one statement"
[[ $(jq '.statements[0].rows' "$j") == 25 ]] || fail "rows: $(jq '.statements[0].rows' "$j"), want 25"
[[ $(jq '.errors.total' "$j") == 0 ]] || fail "errors"
# Of 25, p99, p99.9 and max are all the slowest one: a single stall of the host, so a looser bound.
for p in p50:60 p90:60 p95:60 p99:250 p99_9:250 max:250; do
        v=$(jq ".statements[0].latency_ms.${p%:*}" "$j")
        within "$v" 19.9 "${p#*:}" || fail "statement ${p%:*} = $v ms, want 20 ms to ${p#*:} ms (pg_sleep(0.02))"
done
p50=$(jq .statements[0].latency_ms.p50 "$j") p99=$(jq .statements[0].latency_ms.p99 "$j") mx=$(jq .statements[0].latency_ms.max "$j")
awk -v a="$p50" -v b="$p99" -v c="$mx" 'BEGIN { exit !(a <= b && b <= c) }' || fail "percentiles out of order: $p50 $p99 $mx"
within "$(jq .statements[0].latency_ms.p50 "$j")" 19.9 30 || fail "p50 $(jq .statements[0].latency_ms.p50 "$j") ms"
# The connect time is apart: one connection, and not in the statement's minimum.
[[ $(jq .connect_ms.count "$j") == 1 ]] || fail "connect count"
within "$(jq .connect_ms.max "$j")" 0.001 10000 || fail "connect time"
[[ $(jq -r .server.version "$j") == [0-9]* ]] || fail "server version"

# A short statement: well under the 20 ms one.
"$skytune" db query 'select 1' --iterations 20 "${conn[@]}" --json >"$tmp/one.json"
within "$(jq .statements[0].latency_ms.p50 "$tmp/one.json")" 0 15 || fail "select 1 p50"

# --param in each protocol: the value reaches the server ($1 + 1 = 42, one row each).
for proto in "" --prepared --simple; do
        "$skytune" db query 'select $1::int + 1 as v where $1::int = 41' --param 41 --iterations 3 $proto "${conn[@]}" \
                --json >"$tmp/param.json"
        [[ $(jq .statements[0].rows "$tmp/param.json") == 3 ]] || fail "--param ${proto:-extended}: rows $(jq .statements[0].rows "$tmp/param.json")"
        [[ $(jq -r .config.protocol "$tmp/param.json") == "${proto#--}" || -z $proto ]] || fail "protocol"
done
# A quote in a --param cannot break out of the literal in the simple protocol.
"$skytune" db query "select 1 where \$1::text = 'it''s'" --param "it's" --simple "${conn[@]}" --json >"$tmp/q.json"
[[ $(jq .statements[0].rows "$tmp/q.json") == 10 ]] || fail "quoted --param: rows $(jq .statements[0].rows "$tmp/q.json")"
rc=0; "$skytune" db query 'select $2' --param 1 "${conn[@]}" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'uses \$2' "$tmp/err" || fail "a missing --param: exit $rc, $(cat "$tmp/err")"

# A script file: \set with random, :variables, two statements, each with its own figures.
cat >"$tmp/q.sql" <<'SQL'
-- two statements, one variable
\set n random(1, 5) * 2
select :n::int as n, generate_series(1, :n);
select pg_sleep(0.005);
SQL
"$skytune" db query --file "$tmp/q.sql" --iterations 10 "${conn[@]}" --json >"$tmp/file.json"
[[ $(jq '.statements | length' "$tmp/file.json") == 2 ]] || fail "script: two statements"
rows=$(jq .statements[0].rows "$tmp/file.json")
within "$rows" 20 100 || fail "script rows $rows (10 runs of 2..10 rows)"
[[ $(( rows % 2 )) == 0 ]] || fail "rows $rows: every run returns an even count"
within "$(jq .statements[1].latency_ms.p50 "$tmp/file.json")" 4.9 40 || fail "second statement p50"
[[ $(jq -r .statements[0].sql "$tmp/file.json") == *'$1'* ]] || fail "the variable is a parameter"

# Human output: the table, within 80 columns.
"$skytune" db query 'select pg_sleep(0.02)' --iterations 5 "${conn[@]}" >"$tmp/human.txt"
grep -q '^latency ms .*p50 .*p99.9 .*max' "$tmp/human.txt" || fail "no latency table: $(cat "$tmp/human.txt")"
grep -q '^stmt 1 ' "$tmp/human.txt" || fail "no statement row"
awk 'length > 80 { print; bad = 1 } END { exit bad }' "$tmp/human.txt" || fail "lines over 80 columns"
# Ctrl-C (SIGTERM alike) during a long statement: it is cancelled on the server, the run stops, exit 130.
"$skytune" db query 'select pg_sleep(30)' --iterations 1 "${conn[@]}" --json >"$tmp/int.json" 2>"$tmp/int.err" &
pid=$!
sleep 1.5
kill -TERM "$pid"  # a background job of a script ignores SIGINT: TERM is handled alike
t0=$(date +%s)
rc=0; wait "$pid" || rc=$?
[[ $rc -eq 130 ]] || fail "Ctrl-C: exit $rc, want 130 ($(cat "$tmp/int.err"))"
(( $(date +%s) - t0 <= 5 )) || fail "Ctrl-C did not cancel the statement"
[[ $(jq .interrupted "$tmp/int.json") == true ]] || fail "not marked interrupted"

db_check_no_password
echo "ok: db query percentiles, parameters, scripts, human output"
