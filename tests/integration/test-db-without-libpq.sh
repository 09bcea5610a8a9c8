#!/usr/bin/env bash
# libpq is optional: configured with -DSKYTUNE_WITH_LIBPQ=OFF, skytune builds (the db library
# with db-none.c instead of the libpq parts), does not link libpq, and 'skytune db' says what to
# install and exits 1 while --help still works; the db probe is left out of the probe table; skytune-monitor accepts a `database` section, logs
# that this build has no libpq and what to install, and samples the rest; a bad SKYTUNE_WITH_LIBPQ
# value is a configure error. Builds only skytune and skytune-monitor, unoptimised.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp/bad" -DSKYTUNE_TESTS=OFF -DSKYTUNE_WITH_LIBPQ=maybe >"$tmp/bad.log" 2>&1 &&
        fail "SKYTUNE_WITH_LIBPQ=maybe configured"
grep -q 'AUTO, ON or OFF' "$tmp/bad.log" || fail "bad value: $(tail -5 "$tmp/bad.log")"
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Debug -DSKYTUNE_TESTS=OFF -DSKYTUNE_WITH_LIBPQ=OFF \
        >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" -j2 --target skytune skytune-monitor >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail "build"; }
sky=$tmp/build/cli/skytune
! ldd "$sky" | grep -q libpq || fail "a build without libpq links libpq"
rc=0; "$sky" db query 'select 1' --dsn 'host=127.0.0.1' 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] || fail "skytune db without libpq: exit $rc, want 1"
grep -q 'built without libpq.*install libpq-dev' "$tmp/err" || fail "no advice: $(cat "$tmp/err")"
"$sky" db load --help | grep -q -- '--clients' || fail "db load --help without libpq"
"$sky" get vm.swappiness >/dev/null || fail "the rest of skytune does not work"
# The db probe is not in this build's table: not offered, and named as unknown.
! grep -q 'probe_db' "$tmp/build/probes/probe-table.c" || fail "the probe table names db without libpq"
"$sky" probe --help >"$tmp/help.txt" && ! grep -q -- '--dsn' "$tmp/help.txt" || fail "probe --help offers --dsn without libpq"
rc=0; "$sky" probe db --dsn 'host=127.0.0.1' 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "probe db without libpq: exit $rc, want 2 (unknown probe)"
mon=$tmp/build/monitor/skytune-monitor
! ldd "$mon" | grep -q libpq || fail "a skytune-monitor without libpq links libpq"
mkdir -p "$tmp/m/alerts"
printf 'host=127.0.0.1 password=secret-not-shown\n' >"$tmp/m/monitor-db"
chmod 600 "$tmp/m/monitor-db"
printf 'app_socket = "off";\ndatabase = { dsn_file = "monitor-db"; interval = "1s"; };\n' >"$tmp/m/monitor.conf"
"$mon" --config "$tmp/m/monitor.conf" --check >"$tmp/check" || fail "--check of a database section: $(cat "$tmp/check")"
grep -q 'not by this build: it has no libpq' "$tmp/check" || fail "--check: $(cat "$tmp/check")"
"$mon" --config "$tmp/m/monitor.conf" --sysroot "$src/tests/fixtures/captured-vm" --alerts "$tmp/m/alerts" \
        --store "$tmp/m/s.db" --duration 2 2>"$tmp/m.log" || fail "skytune-monitor without libpq: $(cat "$tmp/m.log")"
grep -q 'built without libpq: no database metrics; install libpq-dev' "$tmp/m.log" || fail "no advice: $(cat "$tmp/m.log")"
! grep -q 'secret-not-shown' "$tmp/m.log" "$tmp/check" || fail "the DSN's password shown"
echo "ok: skytune and skytune-monitor without libpq build and say what to install"
