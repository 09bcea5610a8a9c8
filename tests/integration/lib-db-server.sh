# Sourced by the skytune db tests (after `build=$1 src=$2`): a temporary PostgreSQL cluster on
# 127.0.0.1 and a free port, password (scram-sha-256) authentication over TCP for user skytune,
# started by db_server_start and stopped (and removed) when the test exits. PostgreSQL refuses to run
# as root: as root the cluster belongs to nobody, in a 0755 directory nobody can enter. Skips (77)
# when the PostgreSQL binaries or a libpq build of skytune are absent.
skytune=${SKYTUNE:-$build/cli/skytune}
fail() { echo "FAIL: $*" >&2; exit 1; }
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
pgbin=${SKYTUNE_PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -n $pgbin && -x $pgbin/initdb && -x $pgbin/pg_ctl ]] || { echo "SKIP: no PostgreSQL server binaries (apt-get install postgresql)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
if "$skytune" db query 'select 1' --dsn 'host=/nonexistent' 2>&1 | grep -q 'built without libpq'; then
        echo "SKIP: skytune was built without libpq"
        exit 77
fi
tmp=$(mktemp -d)
chmod 0755 "$tmp"
db_password='Pw-9f3kQ7zX-never-shown'
pgdata=$tmp/pgdata
as_pg() {
        if [[ $(id -u) -eq 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi
}
db_cleanup() {
        [[ -f $pgdata/postmaster.pid ]] && as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$tmp"
}
trap db_cleanup EXIT

free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# db_server_start: sets port, dsn (no password in it) and pwfile (mode 0600, the password).
db_server_start() {
        mkdir -p "$tmp/pg" "$pgdata"
        chmod 0700 "$pgdata"
        printf '%s\n' "$db_password" >"$tmp/pg/pw"
        [[ $(id -u) -eq 0 ]] && chown -R nobody "$tmp/pg" "$pgdata"
        as_pg "$pgbin/initdb" -D "$pgdata" -U skytune --pwfile="$tmp/pg/pw" --auth-host=scram-sha-256 \
                --auth-local=trust -E UTF8 --no-sync >"$tmp/pg/initdb.log" 2>&1 || { cat "$tmp/pg/initdb.log"; fail "initdb"; }
        rm -f "$tmp/pg/pw"
        port=$(free_port)
        as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$tmp/pg/server.log" -w -t 30 \
                -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c deadlock_timeout=100ms" \
                start >/dev/null || { cat "$tmp/pg/server.log"; fail "the PostgreSQL server did not start"; }
        pwfile=$tmp/pwfile
        printf '%s\n' "$db_password" >"$pwfile"
        chmod 600 "$pwfile"
        dsn="host=127.0.0.1 port=$port user=skytune dbname=postgres connect_timeout=5"
}
db_server_stop() {
        as_pg "$pgbin/pg_ctl" -D "$pgdata" -m "${1:-fast}" stop >/dev/null
}
# psql_run SQL: as the superuser over the Unix socket (trust), no password needed.
psql_run() {
        as_pg "$pgbin/psql" -X -q -h "$tmp/pg" -p "$port" -U skytune -d "${db:-postgres}" -v ON_ERROR_STOP=1 -c "$1"
}
# Every file the test wrote, and the server's log, must not hold the password.
db_check_no_password() {
        if grep -rlF --exclude=pwfile -e "$db_password" "$tmp"; then
                fail "the password appears in the files above"
        fi
}
