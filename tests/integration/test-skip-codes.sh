#!/usr/bin/env bash
# Skips are reported as skips: every integration test is registered with SKIP_RETURN_CODE 77, and a
# test that needs root, run without it, exits 77 (so ctest says "Skipped", neither passed nor failed).
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || fail "jq missing (apt-get install jq)"
missing=$(ctest --test-dir "$build" --show-only=json-v1 | jq -r '.tests[] | select(.name | startswith("integration/"))
        | select([.properties[]? | select(.name == "SKIP_RETURN_CODE" and .value == 77)] | length == 0) | .name')
[[ -z $missing ]] || fail "integration tests without SKIP_RETURN_CODE 77: $(echo $missing)"
# test-probe-verify.sh needs root (the helper on a private bus): as a user it must skip. As root the
# check runs it as nobody, from a copy (the tree may sit in a directory nobody cannot enter); the
# helper and the CLI are stand-ins, as the script must stop at its root check.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
# The copy keeps the tree's shape: lib-helper-bus.sh reads the bus names from ../../common/helper-bus.h.
mkdir -p "$tmp/tests/integration" "$tmp/common"
cp "$src/tests/integration/test-probe-verify.sh" "$src/tests/integration/lib-helper-bus.sh" "$tmp/tests/integration/"
cp "$src/common/helper-bus.h" "$tmp/common/"
chmod -R a+rX "$tmp"
run=(env SKYTUNE_HELPER=/bin/true SKYTUNE=/bin/true bash "$tmp/tests/integration/test-probe-verify.sh" "$tmp" "$tmp")
[[ $(id -u) -eq 0 ]] && run=(runuser -u nobody -- "${run[@]}")
rc=0
(cd / && "${run[@]}") >"$tmp/out" 2>&1 || rc=$?
[[ $rc -eq 77 ]] || fail "test-probe-verify.sh as a user exited $rc, not 77 (skipped): $(cat "$tmp/out")"
echo "ok: every integration test reports exit 77 as skipped"
