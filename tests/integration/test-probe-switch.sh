#!/usr/bin/env bash
# A probe backend with an optional dependency is one CMake switch: configured with
# -DSKYTUNE_PROBE_HTTP=OFF, the generated backend table has no http entry and the probes library
# does not compile its sources (configure only: no second build of the project). The build under
# test (switch on) has http in its table and in `skytune probe --help`.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

on=$build/probes/probe-table.c
[[ -f $on ]] || fail "$on: no generated backend table in the build under test"
grep -q '&probe_http,' "$on" || fail "the default build's table lacks http"
"$build/cli/skytune" probe --help >"$tmp/help.txt" && grep -q -- '--url URL' "$tmp/help.txt" ||
        fail "probe --help lacks the http options"

cmake -S "$src" -B "$tmp/off" -DSKYTUNE_PROBE_HTTP=OFF >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log" >&2; fail "configure with SKYTUNE_PROBE_HTTP=OFF"; }
off=$tmp/off/probes/probe-table.c
grep -q '&probe_cpu,' "$off" || fail "the OFF table lost the other backends"
! grep -q 'probe_http' "$off" || fail "the OFF table still names http"
# The library's sources as the generator knows them (the Makefile of the probes target).
make_rules=$(find "$tmp/off/probes" -name build.make | head -1)
[[ -n $make_rules ]] || fail "no build rules for the probes library"
! grep -q 'probe-http.c' "$make_rules" || fail "the OFF build still compiles probe-http.c"
grep -q 'probe-cpu.c' "$make_rules" || fail "the OFF build lost probe-cpu.c"
echo "ok: the http probe is one switch (table and sources)"
