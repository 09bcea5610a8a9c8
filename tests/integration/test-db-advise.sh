#!/usr/bin/env bash
# skytune db advise against a PostgreSQL the test starts: after a sort that spills to temporary
# files under a tiny work_mem (set for the database with ALTER DATABASE), advise proposes a larger
# work_mem with the spill figures as evidence and an ALTER DATABASE line (ALTER SYSTEM would not
# override a per-database value), and ALTER ROLE ... IN DATABASE once the role has its own value; the host's memory comes through the sysroot (a fixture
# /proc/meminfo), the pool sweep's size from --sweep FILE, a window's figures are deltas; nothing
# is applied; a bad DSN and a bad --sweep file give clear errors and exit 1.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile" --database bench)
psql_run 'create database bench'
psql_run 'alter database bench set work_mem = '"'"'64kB'"'"''

# A fixture host: 16 GiB, 2 MiB huge pages, none reserved.
root=$tmp/root
mkdir -p "$root/proc"
printf 'MemTotal:       16777216 kB\nMemFree:        8000000 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n' \
        >"$root/proc/meminfo"
# The data directory's disk, as sysfs shows it: not rotational.
dev=$(stat -c '%Hd:%Ld' "$pgdata")
mkdir -p "$root/sys/dev/block/$dev/queue"
echo 0 >"$root/sys/dev/block/$dev/queue/rotational"

"$skytune" db advise --sysroot "$root" "${conn[@]}" --json >"$tmp/before.json" || fail "advise before"
jq -e '.advice[] | select(.setting == "work_mem") | .proposed == null and (.evidence | test("no sort or hash spilled"))' \
        "$tmp/before.json" >/dev/null || fail "work_mem before any spill: $(jq -c '.advice[2]' "$tmp/before.json")"

# A sort of 300 000 random numbers does not fit in 64kB: it spills.
"$skytune" db query 'select count(*) from (select g from generate_series(1, 300000) g order by random()) s' \
        --iterations 3 "${conn[@]}" >/dev/null || fail "the spilling sort"
"$skytune" db advise --sysroot "$root" "${conn[@]}" --json >"$tmp/after.json" || fail "advise after"
j=$tmp/after.json
[[ $(jq -r .schema "$j") == skytune.db-advise/1 ]] || fail "schema"
[[ $(jq .evidence.temp_files "$j") -ge 3 ]] || fail "temp files: $(jq .evidence "$j")"
wm=$(jq -c '.advice[] | select(.setting == "work_mem")' "$j")
[[ $(jq -r .current <<<"$wm") == 64kB ]] || fail "work_mem current: $wm"
prop=$(jq -r .proposed <<<"$wm")
[[ $prop =~ ^[0-9]+(kB|MB)$ ]] || fail "work_mem proposed: $wm"
kb=${prop%kB}; [[ $prop == *MB ]] && kb=$(( ${prop%MB} * 1024 ))
(( kb > 64 )) || fail "work_mem proposed $prop is not larger than 64kB"
jq -e '.evidence | test("temporary files")' <<<"$wm" >/dev/null || fail "work_mem evidence: $wm"
[[ $(jq -r .sql <<<"$wm") == "ALTER DATABASE \"bench\" SET work_mem = '$prop';" ]] || fail "work_mem sql: $wm"
jq -e '.risk | test("connections")' <<<"$wm" >/dev/null || fail "work_mem risk: $wm"
# The settings weighed against the fixture's 16 GiB: shared_buffers 128MB is under 1%, a quarter is 4GB.
sb=$(jq -c '.advice[] | select(.setting == "shared_buffers")' "$j")
[[ $(jq -r .proposed <<<"$sb") == 4GB && $(jq -r .sql <<<"$sb") == "ALTER SYSTEM SET shared_buffers = '4GB';" ]] ||
        fail "shared_buffers: $sb"
[[ $(jq .restart <<<"$sb") == true ]] || fail "shared_buffers needs a restart"
[[ $(jq .host.mem_total_bytes "$j") == 17179869184 ]] || fail "MemTotal from the sysroot: $(jq .host "$j")"
jq -e '.advice[] | select(.setting == "huge_pages") | .proposed == null' "$j" >/dev/null || fail "huge pages for 128MB"
# The data directory on a disk that is not rotational: random reads are cheap, prefetch helps.
[[ $(jq .host.rotational "$j") == false ]] || fail "rotational from the sysroot: $(jq .host "$j")"
jq -e '.advice[] | select(.setting == "random_page_cost") | .proposed == "1.1"' "$j" >/dev/null ||
        fail "random_page_cost: $(jq -c '.advice[4]' "$j")"
jq -e '.advice[] | select(.setting == "effective_io_concurrency") | .proposed == "200"' "$j" >/dev/null ||
        fail "effective_io_concurrency: $(jq -c '.advice[5]' "$j")"
# Without /sys in the sysroot the disk is unknown, and so is the advice on it.
rm -rf "$root/sys"
"$skytune" db advise --sysroot "$root" "${conn[@]}" --json >"$tmp/nosys.json" || fail "advise without /sys"
jq -e '.host.rotational == null and all(.advice[] | select(.setting == "random_page_cost"); .proposed == null and (.evidence | test("unknown")))' \
        "$tmp/nosys.json" >/dev/null || fail "unknown disk: $(jq -c '.advice[4]' "$tmp/nosys.json")"
# Every advice has the fields; nothing was applied.
jq -e 'all(.advice[]; has("setting") and has("current") and has("evidence") and has("risk") and has("sql") and (.evidence | length > 0))' \
        "$j" >/dev/null || fail "advice fields"
[[ $(db=bench psql_run 'copy (select current_setting($$work_mem$$)) to stdout') == 64kB ]] || fail "work_mem was changed"
[[ $(psql_run 'copy (select count(*) from pg_file_settings where sourcefile like $$%auto.conf$$) to stdout') == 0 ]] ||
        fail "advise wrote postgresql.auto.conf"

# The text: each setting, the SQL, at most 80 columns.
"$skytune" db advise --sysroot "$root" "${conn[@]}" >"$tmp/advise.txt" || fail "text"
grep -q "^work_mem .*64kB -> $prop" "$tmp/advise.txt" || fail "text work_mem: $(cat "$tmp/advise.txt")"
grep -q "ALTER DATABASE \"bench\" SET work_mem" "$tmp/advise.txt" || fail "text sql"
grep -q 'skytune applies none of them' "$tmp/advise.txt" || fail "text footer"
awk 'length > 80 { exit 1 }' "$tmp/advise.txt" || fail "text wider than 80 columns"

# A value the role has in this database outranks the database's and ALTER SYSTEM: the line is ALTER ROLE.
psql_run "alter role skytune in database bench set work_mem = '64kB'"
"$skytune" db advise --sysroot "$root" "${conn[@]}" --json >"$tmp/role.json" || fail "advise with a role value"
jq -e --arg p "$prop" '.advice[] | select(.setting == "work_mem") | .sql == "ALTER ROLE \"skytune\" IN DATABASE \"bench\" SET work_mem = '"'"'\($p)'"'"';"' \
        "$tmp/role.json" >/dev/null || fail "role work_mem sql: $(jq -c '.advice[2]' "$tmp/role.json")"
psql_run "alter role skytune in database bench reset work_mem"

# A window: the figures are deltas (no spill in it), the connections seen in it.
"$skytune" db advise --window 0.5 --sysroot "$root" "${conn[@]}" --json >"$tmp/window.json" || fail "window"
[[ $(jq -r .evidence.mode "$tmp/window.json") == window && $(jq .evidence.temp_files "$tmp/window.json") == 0 ]] ||
        fail "window: $(jq -c .evidence "$tmp/window.json")"
[[ $(jq .evidence.peak_connections "$tmp/window.json") -ge 1 ]] || fail "the advise connection itself is one"

# A pool sweep's size is the evidence of max_connections.
printf '{"schema":"skytune.db-sweep/1","recommendation":{"clients":4}}\n' >"$tmp/sweep.json"
"$skytune" db advise --sweep "$tmp/sweep.json" --sysroot "$root" "${conn[@]}" --json >"$tmp/sw.json" || fail "--sweep"
[[ $(jq .evidence.sweep_clients "$tmp/sw.json") == 4 ]] || fail "sweep clients"
jq -e '.advice[] | select(.setting == "max_connections") | .evidence | test("recommended size is 4")' "$tmp/sw.json" >/dev/null ||
        fail "max_connections evidence: $(jq -c '.advice[3]' "$tmp/sw.json")"
printf '{"schema":"skytune.db/1"}\n' >"$tmp/notsweep.json"
rc=0; "$skytune" db advise --sweep "$tmp/notsweep.json" "${conn[@]}" 2>"$tmp/ns.err" || rc=$?
[[ $rc == 1 ]] && grep -q "notsweep.json: not a skytune.db-sweep/1 document" "$tmp/ns.err" || fail "bad --sweep: $rc $(cat "$tmp/ns.err")"
rc=0; "$skytune" db advise --since-reset --window 1 "${conn[@]}" 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "--since-reset with --window: exit $rc"

# A bad DSN: exit 1, named.
rc=0; "$skytune" db advise --dsn "host=127.0.0.1 port=$(free_port) connect_timeout=2" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
[[ $rc == 1 ]] && grep -q 'cannot connect to PostgreSQL' "$tmp/bad.err" && [[ ! -s $tmp/bad.out ]] || fail "bad DSN: $rc $(cat "$tmp/bad.err")"
db_check_no_password
echo "ok: db advise: work_mem after spills (ALTER DATABASE), memory from the sysroot, window, --sweep, errors"
