#!/usr/bin/env bash
# libpq is optional: configured with -DSKYTUNE_WITH_LIBPQ=OFF, skytune builds (the db library
# with db-none.c instead of the libpq parts), does not link libpq, and 'skytune db' says what to
# install and exits 1 while --help still works; a bad SKYTUNE_WITH_LIBPQ value is a configure
# error. Builds only skytune, unoptimised.
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
cmake --build "$tmp/build" -j2 --target skytune >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail "build"; }
sky=$tmp/build/cli/skytune
! ldd "$sky" | grep -q libpq || fail "a build without libpq links libpq"
rc=0; "$sky" db query 'select 1' --dsn 'host=127.0.0.1' 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] || fail "skytune db without libpq: exit $rc, want 1"
grep -q 'built without libpq.*install libpq-dev' "$tmp/err" || fail "no advice: $(cat "$tmp/err")"
"$sky" db load --help | grep -q -- '--clients' || fail "db load --help without libpq"
"$sky" get vm.swappiness >/dev/null || fail "the rest of skytune does not work"
echo "ok: skytune without libpq builds and says what to install"
