#!/usr/bin/env bash
# skytune-monitor's database metrics (docs/monitor.md, Database metrics) against a PostgreSQL the
# test starts: on a fixture tree with `database = { dsn_file = ...; interval = "1s"; }`, a workload
# of commits through psql comes out of `skytune monitor query` as db.connections >= 1,
# db.xact_commit_per_s > 0, db.cache_hit_pct in 0..100 and monitor.db.up = 1; an alert rule may name
# a db.* series. With the server stopped monitor.db.up goes 0 while the host series keep coming, and
# the warning names the DSN redacted (its password never in the log); a DSN file others may read is
# refused at file:line. Skips when the PostgreSQL binaries are missing, except under CI.
set -euo pipefail
build=$1 src=$2
pgbin=${SKYTUNE_PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [[ -n ${CI:-} && ! -x $pgbin/initdb ]]; then
        echo "FAIL: no PostgreSQL server binaries under CI (apt-get install postgresql)" >&2
        exit 1
fi
source "$(dirname "$0")/lib-db-server.sh"
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
fixture=$src/tests/fixtures/captured-vm
mpid=
trap '[[ -n $mpid ]] && kill -9 "$mpid" 2>/dev/null; db_cleanup' EXIT
# last STORE SERIES FIELD: FIELD (max, min or count) over the samples of the last hour.
stat_of() {
        "$skytune" monitor query "$2" --store "$1" --since 1h --step 1h --json | python3 -c '
import json, sys
b = json.load(sys.stdin)["buckets"]
f = sys.argv[1]
if f == "count": print(sum(x["count"] for x in b))
elif f == "min": print(min(x["min"] for x in b) if b else "none")
else: print(max(x["max"] for x in b) if b else "none")' "$3"
}
wait_for() {
        for _ in $(seq "${3:-100}"); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}

db_server_start
mkdir -p "$tmp/m" "$tmp/alerts"
# The DSN with its password, in a 0600 file beside monitor.conf.
printf '%s password=%s\n' "$dsn" "$db_password" >"$tmp/m/monitor-db"
chmod 600 "$tmp/m/monitor-db"
cat >"$tmp/m/monitor.conf" <<'CONF'
listen = "off";
flush = 1;
app_socket = "off";
database = { dsn_file = "monitor-db"; interval = "1s"; };
CONF
cat >"$tmp/alerts/db.conf" <<'RULES'
rules = ( { name = "DbDown"; expr = "monitor.db.up"; direction = "below"; warn = 0.5; no_data = "keep"; },
          { name = "DbConns"; expr = "db.connections_max_pct"; warn = 80; crit = 95; } );
RULES
"$mon" --config "$tmp/m/monitor.conf" --check >"$tmp/check.txt" || fail "--check: $(cat "$tmp/check.txt")"
grep -q "database host=127.0.0.1 port=$port user=skytune dbname=postgres connect_timeout=5 password=\*\*\* sampled every 1 s" \
        "$tmp/check.txt" || fail "--check does not say the database is sampled: $(cat "$tmp/check.txt")"
"$mon" --config "$tmp/m/monitor.conf" --sysroot "$fixture" --alerts "$tmp/alerts" --store "$tmp/m/s.db" \
        2>"$tmp/m.log" &
mpid=$!
wait_for "$tmp/m.log" "sampling the database at host=127.0.0.1"
# Commits, and reads of a table that fits in the cache.
psql_run "create table t (id int primary key, v int); insert into t select g, g from generate_series(1, 1000) g"
for i in $(seq 8); do
        psql_run "begin; update t set v = v + 1 where id = $i; commit; select sum(v) from t" >/dev/null
        sleep 0.5
done
sleep 2.5
s=$tmp/m/s.db
[[ $(stat_of "$s" db.connections max) != none ]] || fail "no db.connections: $(cat "$tmp/m.log")"
within "$(stat_of "$s" db.connections max)" 1 1000 || fail "db.connections $(stat_of "$s" db.connections max)"
within "$(stat_of "$s" db.xact_commit_per_s max)" 0.001 100000 || fail "db.xact_commit_per_s $(stat_of "$s" db.xact_commit_per_s max)"
within "$(stat_of "$s" db.cache_hit_pct min)" 0 100 && within "$(stat_of "$s" db.cache_hit_pct max)" 0 100 ||
        fail "db.cache_hit_pct $(stat_of "$s" db.cache_hit_pct min) .. $(stat_of "$s" db.cache_hit_pct max)"
within "$(stat_of "$s" db.connections_max_pct max)" 0.001 100 || fail "db.connections_max_pct"
within "$(stat_of "$s" monitor.db.up min)" 1 1 && within "$(stat_of "$s" monitor.db.up max)" 1 1 || fail "monitor.db.up is not 1: $(stat_of "$s" monitor.db.up min) .. $(stat_of "$s" monitor.db.up max) $(cat "$tmp/m.log")"
# A server that is neither primary with standbys nor a standby: no replication lag.
! "$skytune" monitor query db.replication_lag_s --store "$s" --since 1h >/dev/null 2>&1 ||
        fail "a replication lag without replication"
[[ $(stat_of "$s" db.longest_xact_s count) -ge 1 ]] || fail "no db.longest_xact_s"
grep -q "warning" "$tmp/m.log" && fail "warnings with the server up: $(cat "$tmp/m.log")"
# A transaction holding a lock 3 s and an update waiting on it: both seen.
psql_run "begin; lock table t; select pg_sleep(3.5); commit" >/dev/null &
p1=$!
sleep 0.3
psql_run "update t set v = 0 where id = 1" >/dev/null &
p2=$!
wait "$p1" "$p2"
sleep 2
within "$(stat_of "$s" db.longest_xact_s max)" 1 10 || fail "db.longest_xact_s $(stat_of "$s" db.longest_xact_s max)"
within "$(stat_of "$s" db.longest_lock_wait_s max)" 0.5 10 ||
        fail "db.longest_lock_wait_s $(stat_of "$s" db.longest_lock_wait_s max)"

# The server stops: monitor.db.up goes 0, the host is sampled as ever, one warning with the DSN redacted.
host_before=$(stat_of "$s" monitor.cpu_us count)
db_server_stop fast
sleep 4
within "$(stat_of "$s" monitor.db.up min)" 0 0 || fail "monitor.db.up did not go 0: $(cat "$tmp/m.log")"
[[ $(stat_of "$s" monitor.cpu_us count) -ge $((host_before + 2)) ]] || fail "the host series stopped with the database"
kill -0 "$mpid" || fail "the daemon stopped with the database"
grep -q "warning: .*PostgreSQL at host=127.0.0.1 port=$port .*password=\*\*\*.*monitor.db.up is 0" "$tmp/m.log" ||
        fail "no warning naming the redacted DSN: $(cat "$tmp/m.log")"
[[ $(grep -c "monitor.db.up is 0" "$tmp/m.log") == 1 ]] || fail "the warning is repeated: $(cat "$tmp/m.log")"
# Stop is prompt while the worker retries.
t0=$(date +%s%N)
kill -TERM "$mpid"
wait "$mpid" || fail "the daemon's exit status $?: $(cat "$tmp/m.log")"
mpid=
(( ($(date +%s%N) - t0) / 1000000 < 3000 )) || fail "stopping took over 3 s"
! grep -q "ThreadSanitizer\|AddressSanitizer\|runtime error" "$tmp/m.log" || fail "a sanitizer report: $(cat "$tmp/m.log")"
# A daemon started while the server is down: the connect error points at its DSN file, not at an option.
"$mon" --config "$tmp/m/monitor.conf" --sysroot "$fixture" --alerts "$tmp/alerts" --store "$tmp/m/down.db" \
        --duration 1.5 2>"$tmp/down.log" || fail "a start with the server down: exit $?: $(cat "$tmp/down.log")"
grep -q "cannot connect to PostgreSQL.*check the file of database.dsn_file in monitor.conf" "$tmp/down.log" &&
        ! grep -q -- "--dsn" "$tmp/down.log" || fail "the connect error does not name the DSN file: $(cat "$tmp/down.log")"
# Nothing but the DSN file holds the password (the log, the store, the server's files).
! grep -rlF --exclude=pwfile --exclude=monitor-db -e "$db_password" "$tmp" || fail "the password appears in the files above"

# A DSN file others may read: refused at file:line.
chmod 644 "$tmp/m/monitor-db"
rc=0; "$mon" --config "$tmp/m/monitor.conf" --check >/dev/null 2>"$tmp/err" || rc=$?
[[ $rc -ne 0 ]] && grep -q "monitor.conf:4: 'dsn_file': the secret file .* has mode 0644" "$tmp/err" ||
        fail "a 0644 DSN file: exit $rc, $(cat "$tmp/err")"
echo "ok: database metrics (connections, commits, cache hits, up), the server down, a 0644 DSN file refused"
