#!/usr/bin/env bash
# skytune db inspect and db explain against a PostgreSQL the test starts: a planted unused index
# and sequential scans on a large table are found, a primary key and a unique index never scanned
# are not called unused, the window's deltas count the commits made during it; explain finds the
# filtering sequential scan, a sort that spills at a tiny work_mem and a 10x misestimate from
# stale statistics, and --analyze leaves a DELETE undone.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile")
psql_run "create table big (id int primary key, note text, k int, u int unique);
          insert into big select g, md5(g::text), g % 100, g from generate_series(1, 30000) g;
          create index big_note on big (note); create index big_k_small on big (k) where k < 0;
          alter table big set (autovacuum_enabled = off); analyze big"
"$skytune" db query 'select count(*) from big where k = 7' --iterations 4 "${conn[@]}" >/dev/null

# A window: five commits made during it are in its deltas. They start once skytune's backend is idle
# after the first snapshot (its query still shown), not after a fixed sleep that a slow start outlasts;
# the polls commit too, the more the later, never fewer than the five.
snapped="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'skytune' AND state = 'idle'
         AND query LIKE '%FROM pg_stat_database WHERE datname = current_database()'"
( for _ in $(seq 100); do [[ $(psql_run "copy ($snapped) to stdout") == 1 ]] && break; sleep 0.05; done
  for i in 1 2 3 4 5; do psql_run 'select 1' >/dev/null; done ) &
"$skytune" db inspect --duration 3 "${conn[@]}" --json >"$tmp/i.json"
wait
j=$tmp/i.json
[[ $(jq -r .schema "$j") == skytune.db-inspect/1 ]] || fail "schema"
within "$(jq .window.xact_commit "$j")" 5 100 || fail "window commits: $(jq .window "$j")"
within "$(jq .window.window_s "$j")" 3 3 || fail "window length"
unused=$(jq -r '[.findings.unused_index[].index] | join(",")' "$j")
[[ ,$unused, == *,big_note,* ]] || fail "the planted unused index is not found: $unused"
[[ ,$unused, != *,big_pkey,* && ,$unused, != *,big_u_key,* ]] || fail "a primary key or unique index called unused: $unused"
[[ $(jq '[.findings.seq_scan_large[] | select(.table == "big")][0].seq_scan' "$j") -ge 4 ]] ||
        fail "the sequential scans on big are not found: $(jq .findings.seq_scan_large "$j")"
# A table below --min-rows is not large.
"$skytune" db inspect --min-rows 50000 "${conn[@]}" --json >"$tmp/i2.json"
[[ $(jq '.findings.unused_index | length' "$tmp/i2.json") == 0 ]] || fail "--min-rows"
"$skytune" db inspect "${conn[@]}" >"$tmp/i.txt"
grep -q 'big_note on big' "$tmp/i.txt" || fail "human inspect: $(cat "$tmp/i.txt")"
awk 'length > 80 { print; bad = 1 } END { exit bad }' "$tmp/i.txt" || fail "inspect lines over 80 columns"

# explain without --analyze runs nothing: no actual rows, no findings that need them.
"$skytune" db explain 'select * from big where k = 7' "${conn[@]}" --json >"$tmp/e0.json"
[[ $(jq -r .schema "$tmp/e0.json") == skytune.db-explain/1 ]] || fail "explain schema"
[[ $(jq '.nodes[0].actual_rows' "$tmp/e0.json") == null ]] || fail "explain without --analyze ran it"
"$skytune" db explain --analyze 'select * from big where k = 7' "${conn[@]}" --json >"$tmp/e1.json"
[[ $(jq '[.findings[] | select(.kind == "seq_scan")] | length' "$tmp/e1.json") == 1 ]] || fail "seq scan: $(jq .findings "$tmp/e1.json")"
# A sort on disk at work_mem 64 kB.
"$skytune" db explain --analyze 'select * from big order by md5(note)' --dsn "$dsn options='-c work_mem=64kB'" \
        --password-file "$pwfile" --json >"$tmp/e2.json"
[[ $(jq '[.findings[] | select(.kind == "sort_spill")] | length' "$tmp/e2.json") -ge 1 ]] || fail "sort spill: $(jq .findings "$tmp/e2.json")"
# Stale statistics: 30000 more rows with k = 500 after ANALYZE (autovacuum off): planned ~1 row.
psql_run "insert into big select g, 'x', 500, g from generate_series(30001, 60000) g"
"$skytune" db explain --analyze 'select count(*) from big where k = 500' "${conn[@]}" --json >"$tmp/e3.json"
[[ $(jq '[.findings[] | select(.kind == "misestimate")] | length' "$tmp/e3.json") -ge 1 ]] || fail "misestimate: $(jq .findings "$tmp/e3.json")"
# --analyze of a DELETE is rolled back.
"$skytune" db explain --analyze 'delete from big where k = 500' "${conn[@]}" >"$tmp/e4.txt"
[[ $(psql_run 'copy (select count(*) from big) to stdout') == 60000 ]] || fail "explain --analyze deleted rows"
grep -q '^slowest nodes' "$tmp/e4.txt" || fail "human explain: $(cat "$tmp/e4.txt")"
awk 'length > 80 { print; bad = 1 } END { exit bad }' "$tmp/e4.txt" || fail "explain lines over 80 columns"
rc=0; "$skytune" db explain 'selec 1' "${conn[@]}" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'syntax error' "$tmp/err" || fail "bad SQL: exit $rc, $(cat "$tmp/err")"
db_check_no_password
echo "ok: db inspect (window deltas, unused index, seq scans) and explain (seq scan, spill, misestimate, rollback)"
