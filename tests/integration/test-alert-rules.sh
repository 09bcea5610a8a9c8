#!/usr/bin/env bash
# skytune alerts check and test: the shipped rules are valid and meet their timed expectations
# (tests/alerts/host.test.conf, replayed second by second); an expectation that is not met, a bad
# values token, an unknown alert and an 'at' off the interval are each reported at file:line with
# exit 1; usage errors exit 2.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$sky" alerts check "$src"/alerts/*.conf >"$tmp/check.out" || fail "the shipped rules: $(cat "$tmp/check.out")"
"$sky" alerts test "$src/alerts/host.conf" "$src/tests/alerts/host.test.conf" >"$tmp/test.out" 2>&1 ||
        fail "the shipped rules' test: $(cat "$tmp/test.out")"
grep -q "19 expectations met (5 rules)" "$tmp/test.out" || fail "the shipped rules' test: $(cat "$tmp/test.out")"

# One expectation changed: that one fails, at its line, and the rest still pass.
sed 's/{ at = "130s"; alert = "HostCPUBusy"; state = "firing"; level = "warn"; }/{ at = "129s"; alert = "HostCPUBusy"; state = "firing"; level = "warn"; }/' \
        "$src/tests/alerts/host.test.conf" >"$tmp/wrong.conf"
line=$(grep -n 'at = "129s"; alert = "HostCPUBusy"; state = "firing"' "$tmp/wrong.conf" | cut -d: -f1)
[ -n "$line" ] || fail "the sed did not change the expectation"
rc=0; "$sky" alerts test "$src/alerts/host.conf" "$tmp/wrong.conf" 2>"$tmp/wrong.err" || rc=$?
[ $rc = 1 ] || fail "a wrong expectation: exit $rc"
grep -q "$tmp/wrong.conf:$line: at 129s HostCPUBusy is pending (warn), want firing (warn)" "$tmp/wrong.err" ||
        fail "a wrong expectation: $(cat "$tmp/wrong.err")"
grep -q "1 of 19 expectations not met" "$tmp/wrong.err" || fail "the count: $(cat "$tmp/wrong.err")"

# Mistakes in the test file, each at its line.
check() { # check TEXT HINT
        printf '%b' "$1" >"$tmp/bad.conf"
        local rc=0
        "$sky" alerts test "$src/alerts/host.conf" "$tmp/bad.conf" 2>"$tmp/bad.err" || rc=$?
        [ $rc = 1 ] && grep -qF "$2" "$tmp/bad.err" || fail "'$1': exit $rc, want '$2' in: $(cat "$tmp/bad.err")"
}
head='interval = "1s";\n'
check "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"50x3 9y\"; } );\nexpect = ();\n" \
        "bad.conf:2: '9y' in the values of cpu.utilization_pct"
check "${head}series = ();\nexpect = (\n { at = \"1s\"; alert = \"NoSuchRule\"; state = \"firing\"; } );\n" \
        "bad.conf:4: no rule named 'NoSuchRule'"
check "interval = \"2s\";\nseries = ();\nexpect = ( { at = \"3s\"; alert = \"HostCPUBusy\"; state = \"firing\"; } );\n" \
        "bad.conf:3: 'at' must be a multiple of the interval (2 s)"
check "${head}series = ();\nexpect = ( { at = \"3s\"; alert = \"HostCPUBusy\"; state = \"burning\"; } );\n" \
        "bad.conf:3: 'state' must be one of \"inactive\", \"pending\", \"firing\", \"resolved\""
check "${head}series = ();\n" "a rule test holds 'series"
# Hex is no number here: 0x300 is 0 for 300 samples.
printf '%b' "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"0x300\"; } );\nexpect = ( { at = \"299s\"; alert = \"HostCPUBusy\"; state = \"inactive\"; } );\n" >"$tmp/hex.conf"
"$sky" alerts test "$src/alerts/host.conf" "$tmp/hex.conf" >/dev/null 2>&1 || fail "0x300 is not 0 for 300 samples"

rc=0; "$sky" alerts test "$src/alerts/host.conf" 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "alerts test with one file: exit $rc, not 2"
echo "PASS"
