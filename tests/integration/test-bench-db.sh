#!/usr/bin/env bash
# A suite with db benchmarks (kind "db": one `skytune db load` child per repetition) against a
# PostgreSQL the test starts (skipped as lib-db-server.sh says): db load's --dsn-file (mode 0600,
# not with --dsn), bench check without a server, a run into a history with neither the DSN nor the
# password in it, a dsn_file others may read failing the run (exit 1), an A/A run (--against a copy)
# against the same server failing no gate, then the primary key of pgbench_accounts dropped (every
# lookup a sequential scan) and the next run's tps and p99 gates failing (bench compare exit 4); the shipped
# example's query script runs under db load. About 25 s.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
printf '%s\n' "$dsn" >"$tmp/db.dsn"
chmod 600 "$tmp/db.dsn"
"$skytune" db init --scale 1 --dsn-file "$tmp/db.dsn" --password-file "$pwfile" --database bench >/dev/null ||
        fail "db init --dsn-file"
set +e
"$skytune" db load --dsn-file "$tmp/db.dsn" --dsn "$dsn" --duration 1 >/dev/null 2>"$tmp/both.err"
[[ $? == 2 ]] && grep -q 'contradict' "$tmp/both.err" || fail "--dsn with --dsn-file: $(cat "$tmp/both.err")"
cp "$tmp/db.dsn" "$tmp/open.dsn"
chmod 644 "$tmp/open.dsn"
"$skytune" db load --dsn-file "$tmp/open.dsn" --duration 1 >/dev/null 2>"$tmp/open.err"
[[ $? == 2 ]] && grep -q 'chmod 600' "$tmp/open.err" || fail "--dsn-file of mode 0644: $(cat "$tmp/open.err")"
set -e
# The lookup by primary key of select-only, from a script beside the suite.
printf '\\set aid random(1, 100000)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n' >"$tmp/lookup.sql"
H=$tmp/h.db
cat >"$tmp/suite.conf" <<CONF
name = "db";
repetitions = 8;
warmup = 0;
benchmarks = ( { name = "lookup"; kind = "db"; dsn_file = "db.dsn"; password_file = "pwfile";
  database = "bench"; workload = "lookup.sql"; clients = 2; duration = 0.5; timeout = "30s";
  metrics = [ "tps", "p99_ms", "errors" ];
  gates = ( { metric = "tps"; max_regression = 30.0; }, { metric = "p99_ms"; max_regression = 50.0; } ); } );
CONF
mv "$tmp/db.dsn" "$tmp/db.dsn.away"
"$skytune" bench check "$tmp/suite.conf" --json >"$tmp/check.json" || fail "bench check without the dsn file"
mv "$tmp/db.dsn.away" "$tmp/db.dsn"
jq -e '.benchmarks[0].kind == "db" and .benchmarks[0].spec.clients == 2 and
       (.benchmarks[0].spec.workload | endswith("/lookup.sql"))' "$tmp/check.json" >/dev/null ||
        fail "check: $(cat "$tmp/check.json")"
run() { "$skytune" bench run "$tmp/suite.conf" --history "$H" --json >"$tmp/run$1.json" 2>"$tmp/run$1.err" ||
        fail "run $1: $(cat "$tmp/run$1.err")"; }
run 1
jq -e '.benchmarks[0].metrics[] | select(.name == "tps") | (.samples | length == 8) and all(.samples[]; . > 50)' \
        "$tmp/run1.json" >/dev/null || fail "run 1 tps: $(jq -c .benchmarks[0].metrics "$tmp/run1.json")"
jq -e '.benchmarks[0].metrics[] | select(.name == "errors") | all(.samples[]; . == 0)' "$tmp/run1.json" >/dev/null ||
        fail "run 1 errors: $(jq -c .benchmarks[0].metrics "$tmp/run1.json")"
if grep -aqF -e "port=$port" -e "$db_password" "$H" "$tmp/run1.json"; then
        fail "the DSN or the password is in the history or the run's document"
fi
# A dsn_file others may read fails the repetition, so the run (exit 1), and records nothing.
chmod 644 "$tmp/db.dsn"
set +e
"$skytune" bench run "$tmp/suite.conf" --history "$H" --repeat 1 >/dev/null 2>"$tmp/open-run.err"
code=$?
set -e
[[ $code == 1 ]] && grep -q 'db load exited 2.*chmod 600' "$tmp/open-run.err" || fail "dsn_file 0644: exit $code, $(cat "$tmp/open-run.err")"
chmod 600 "$tmp/db.dsn"
# The same suite against itself (another name), their repetitions interleaved so that the machine's
# drift hits both alike (two runs made one after the other on a busy machine differed tenfold in
# p99 once): no gate fails (5, undecided, is an honest answer on a busy machine). Runs 2 (the
# reference) and 3.
sed 's/^name = "db";/name = "db-ref";/' "$tmp/suite.conf" >"$tmp/ref.conf"
set +e
"$skytune" bench run "$tmp/suite.conf" --against "$tmp/ref.conf" --history "$H" --json >"$tmp/same.json" 2>"$tmp/same.txt"
code=$?
set -e
[[ $code == 0 || $code == 5 ]] || fail "A/A against the same server: exit $code, $(cat "$tmp/same.txt") $(jq -c .metrics "$tmp/same.json")"
jq -e '[.metrics[] | select(.gate != null)] | length == 2 and all(.[]; .gate.status != "failed")' "$tmp/same.json" >/dev/null ||
        fail "A/A against the same server: a gate failed: $(jq -c .metrics "$tmp/same.json")"
db=bench psql_run 'alter table pgbench_accounts drop constraint pgbench_accounts_pkey'
run 4
set +e
"$skytune" bench compare 3 4 --history "$H" --noise 30 --json >"$tmp/cmp.json" 2>"$tmp/cmp.err"
code=$?
set -e
[[ $code == 4 ]] || fail "compare after dropping the index: exit $code, $(cat "$tmp/cmp.err") $(jq -c .metrics "$tmp/cmp.json")"
jq -e '[.metrics[] | select(.metric == "tps")][0].verdict == "regressed"' "$tmp/cmp.json" >/dev/null ||
        fail "tps verdict: $(jq -c .metrics "$tmp/cmp.json")"
jq -e '[.metrics[] | select(.gate != null) | .gate.status] == ["failed", "failed"]' "$tmp/cmp.json" >/dev/null ||
        fail "the tps and p99 gates do not both fail: $(jq -c .metrics "$tmp/cmp.json")"
# The shipped example's query script runs as db load takes it.
db=bench psql_run 'create table violations (id int); insert into violations select generate_series(1, 1000)'
"$skytune" db load --script "$src/suites/performance-query.sql" --transactions 5 --dsn-file "$tmp/db.dsn" \
        --password-file "$pwfile" --database bench --progress 0 --json >"$tmp/example.json" ||
        fail "the example's performance-query.sql under db load"
[[ $(jq '.transactions.count - .transactions.failed' "$tmp/example.json") == 5 ]] || fail "example: $(jq -c .transactions "$tmp/example.json")"
db_check_no_password
echo "ok: db benchmark runs into a history without its DSN, gates pass on the same server and fail without the index"
