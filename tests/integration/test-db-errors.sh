#!/usr/bin/env bash
# skytune db's failures against a PostgreSQL the test starts: errors counted by SQLSTATE class for
# a forced deadlock (40P01) and serialization failures (40001); a bad DSN, a wrong password, a
# password file others can read, malformed scripts and the server going away mid-run give a clear
# message and a non-zero exit, never a crash; the password never appears in any output or file.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile")
out=$tmp/out
mkdir -p "$out"
psql_run 'create table t (id int primary key, v int); insert into t values (1, 0), (2, 0)'

# Deadlock: two clients lock the two rows in opposite orders (client_id 0 takes 1 then 2).
cat >"$tmp/deadlock.sql" <<'SQL'
\set a :client_id % 2 + 1
\set b 3 - :a
BEGIN;
UPDATE t SET v = v + 1 WHERE id = :a;
SELECT pg_sleep(0.05);
UPDATE t SET v = v + 1 WHERE id = :b;
END;
SQL
"$skytune" db load --script "$tmp/deadlock.sql" --clients 2 --transactions 6 --progress 0 "${conn[@]}" --json \
        >"$out/deadlock.json" 2>"$out/deadlock.err"
d=$(jq .errors.deadlock "$out/deadlock.json")
within "$d" 1 12 || fail "deadlocks counted: $d, want at least 1"
[[ $(jq .errors.other "$out/deadlock.json") == 0 ]] || fail "deadlocks counted as other errors"
jq -r .errors.first "$out/deadlock.json" | grep -q 40P01 || fail "the first error does not name 40P01"
[[ $(jq .transactions.failed "$out/deadlock.json") -ge 1 ]] || fail "a deadlocked transaction is not failed"

# Serialization failure: repeatable read, both clients update the row the other changed.
cat >"$tmp/serial.sql" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT v FROM t WHERE id = 1;
SELECT pg_sleep(0.03);
UPDATE t SET v = v + 1 WHERE id = 1;
END;
SQL
"$skytune" db load --script "$tmp/serial.sql" --clients 2 --transactions 8 --progress 0 "${conn[@]}" --json \
        >"$out/serial.json" 2>"$out/serial.err"
s=$(jq .errors.serialization_failure "$out/serial.json")
within "$s" 1 16 || fail "serialization failures counted: $s, want at least 1"
[[ $(jq .errors.deadlock "$out/serial.json") == 0 ]] || fail "serialization failures counted as deadlocks"
# A statement_timeout cancels: 57014.
"$skytune" db query --simple 'set statement_timeout = 50; select pg_sleep(1)' --iterations 2 "${conn[@]}" --json \
        >"$out/cancel.json" 2>"$out/cancel.err" && fail "a cancelled query exits 0"
[[ $(jq .errors.query_canceled "$out/cancel.json") == 2 ]] || fail "cancellations: $(jq .errors "$out/cancel.json")"

# A wrong password: exit 1, the server's message, no crash, the password not shown.
printf 'not-the-password\n' >"$tmp/wrongpw"; chmod 600 "$tmp/wrongpw"
rc=0; "$skytune" db query 'select 1' --dsn "$dsn" --password-file "$tmp/wrongpw" >"$out/wrong.out" 2>"$out/wrong.err" || rc=$?
[[ $rc -eq 1 ]] || fail "wrong password: exit $rc, want 1"
grep -q 'password authentication failed' "$out/wrong.err" || fail "wrong password: $(cat "$out/wrong.err")"
grep -q 'not-the-password' "$out/wrong.err" "$out/wrong.out" && fail "the wrong password is shown"
# A password file others can read is refused, with what to do.
chmod 644 "$tmp/wrongpw"
rc=0; "$skytune" db query 'select 1' --dsn "$dsn" --password-file "$tmp/wrongpw" 2>"$out/mode.err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'chmod 600' "$out/mode.err" || fail "readable password file: exit $rc, $(cat "$out/mode.err")"
# The password in the DSN itself (discouraged) is redacted in messages and documents.
uri="postgresql://skytune:$db_password@127.0.0.1:$port/postgres"
"$skytune" db query 'select 1' --dsn "$uri" --json >"$out/uri.json" 2>"$out/uri.err"
jq -r .server.dsn "$out/uri.json" | grep -q 'skytune:\*\*\*@' || fail "URI not redacted: $(jq -r .server.dsn "$out/uri.json")"
rc=0; "$skytune" db query 'select 1' --dsn "$dsn password=$db_password dbname=nosuchdb" >"$out/nodb.out" 2>"$out/nodb.err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'nosuchdb' "$out/nodb.err" && grep -q 'password=\*\*\*' "$out/nodb.err" || fail "bad database: exit $rc, $(cat "$out/nodb.err")"
# sslpassword (the client key's passphrase) is a secret too; a URI whose password does not parse
# (a bad %-escape) is not quoted back by libpq's message.
rc=0; "$skytune" db query 'select 1' --dsn "host=127.0.0.1 port=$(free_port) sslpassword=keysecret" --json \
        >"$out/sslpw.json" 2>"$out/sslpw.err" || rc=$?
[[ $rc -eq 1 ]] || fail "sslpassword DSN: exit $rc"
grep -q keysecret "$out/sslpw.json" "$out/sslpw.err" && fail "sslpassword shown: $(cat "$out/sslpw.err")"
grep -q 'sslpassword=\*\*\*' "$out/sslpw.err" || fail "sslpassword DSN not redacted: $(cat "$out/sslpw.err")"
rc=0; "$skytune" db query 'select 1' --dsn "postgresql://u:se%zzcret@127.0.0.1:$(free_port)/db" --json \
        >"$out/pct.json" 2>"$out/pct.err" || rc=$?
[[ $rc -eq 1 ]] || fail "bad %-escape in the DSN: exit $rc"
grep -q zzcret "$out/pct.json" "$out/pct.err" && fail "a password that does not parse is shown: $(cat "$out/pct.err")"
grep -q 'does not parse' "$out/pct.err" || fail "bad %-escape: $(cat "$out/pct.err")"
# PGPASSWORD, libpq's own source, works and is not shown either.
PGPASSWORD=$db_password "$skytune" db query 'select 1' --dsn "$dsn" >"$out/env.out" 2>"$out/env.err" || fail "PGPASSWORD"

# Bad DSNs: malformed, and nothing listening.
rc=0; "$skytune" db query 'select 1' --dsn 'host=127.0.0.1 port=notaport' 2>"$out/dsn1.err" || rc=$?
[[ $rc -eq 1 ]] && grep -q 'cannot connect' "$out/dsn1.err" || fail "malformed DSN: exit $rc, $(cat "$out/dsn1.err")"
rc=0; "$skytune" db query 'select 1' --dsn "host=127.0.0.1 port=$(free_port) connect_timeout=2" 2>"$out/dsn2.err" || rc=$?
[[ $rc -eq 1 ]] && grep -qi 'refused\|connect' "$out/dsn2.err" || fail "nothing listening: exit $rc, $(cat "$out/dsn2.err")"
# db load's builtin needs :scale from the tables: a server that is not there is said as such, not
# as tables to initialise.
rc=0; "$skytune" db load --duration 1 --dsn "host=127.0.0.1 port=$(free_port) connect_timeout=2" 2>"$out/dsn4.err" || rc=$?
[[ $rc -eq 1 ]] && grep -q '^skytune: error: cannot connect to PostgreSQL' "$out/dsn4.err" && ! grep -q 'scale' "$out/dsn4.err" ||
        fail "db load, nothing listening: exit $rc, $(cat "$out/dsn4.err")"
rc=0; "$skytune" db query 'select 1' --dsn "host='127.0.0.1" 2>"$out/dsn3.err" || rc=$?
[[ $rc -eq 1 ]] || fail "unterminated quote in the DSN: exit $rc"

# Malformed scripts: file:line and what is wrong, exit 1, before connecting.
check_script() {
        printf '%b' "$2" >"$tmp/bad.sql"
        rc=0; "$skytune" db load --script "$tmp/bad.sql" --transactions 1 "${conn[@]}" 2>"$out/bad.err" || rc=$?
        [[ $rc -eq 1 ]] || fail "script '$2': exit $rc, want 1"
        grep -q "bad.sql:$1: .*$3" "$out/bad.err" || fail "script '$2': $(cat "$out/bad.err")"
}
check_script 1 '\\set x random(1,\n' 'expected'
check_script 2 'select 1;\nselect :nope;\n' 'used before'
check_script 1 '\\sleep 10\n' 'unknown meta-command'
check_script 1 '\\set x 1 +\n' 'expected'
check_script 1 '\\set scale 3\n' 'built-in'
check_script 1 '\\set x 99999999999999999999999\n' 'out of range'
printf '\\set x 1 / 0\nselect :x;\n' >"$tmp/div.sql"
rc=0; "$skytune" db load --script "$tmp/div.sql" --transactions 2 --progress 0 "${conn[@]}" --json >"$out/div.json" 2>"$out/div.err" || rc=$?
[[ $rc -eq 1 ]] || fail "division by zero in every transaction: exit $rc"
[[ $(jq .errors.other "$out/div.json") == 2 ]] || fail "division by zero not counted"
# A SQL error in a script: counted, not a crash.
rc=0; "$skytune" db query 'select * from nosuchtable' --iterations 2 "${conn[@]}" 2>"$out/sql.err" >"$out/sql.out" || rc=$?
[[ $rc -eq 1 ]] && grep -q '42P01' "$out/sql.err" || fail "SQL error: exit $rc, $(cat "$out/sql.err")"

# The server goes away mid-run: the clients notice, the run says so and exits 1.
"$skytune" db load --script "$tmp/serial.sql" --clients 2 --duration 20 --progress 0 "${conn[@]}" --json \
        >"$out/gone.json" 2>"$out/gone.err" &
pid=$!
# elapsed_s counts from the clients' connections, not the start: room for a slow ASan start-up.
sleep 3
db_server_stop immediate
rc=0; wait "$pid" || rc=$?
[[ $rc -eq 1 ]] || fail "server gone: exit $rc, want 1 ($(cat "$out/gone.err"))"
[[ $(jq .clients.lost "$out/gone.json") == 2 ]] || fail "lost clients: $(jq .clients "$out/gone.json")"
[[ $(jq .errors.connection "$out/gone.json") -ge 1 ]] || fail "connection errors not counted"
grep -q 'lost the connection' "$out/gone.err" || fail "no message: $(cat "$out/gone.err")"
within "$(jq .elapsed_s "$out/gone.json")" 1 10 || fail "the run did not end when the server went away"

db_check_no_password
echo "ok: db errors by SQLSTATE class, connection failures, malformed scripts, server gone, no password shown"
