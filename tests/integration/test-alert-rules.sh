#!/usr/bin/env bash
# skytune alerts check and test: the shipped rules are valid and meet their timed expectations
# (tests/alerts/host.test.conf, replayed second by second); ramps, exponents and no-data samples
# give the states they must; an expectation that is not met, a bad values token, a value past the
# range, too many samples, a series no rule reads, a series twice, no expectations, an unknown
# alert and an 'at' off the interval or too far are each reported at file:line with exit 1; usage
# errors exit 2.
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
one='expect = ( { at = "1s"; alert = "HostCPUBusy"; state = "inactive"; } );\n'
check "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"50x3 9y\"; } );\n$one" \
        "bad.conf:2: '9y' in the values of cpu.utilization_pct"
check "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"1e308+1e308x3\"; } );\n$one" \
        "a value past the range of numbers"
check "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"1x1000001\"; } );\n$one" \
        "more than a million samples"
check "${head}series = ( { name = \"cpu.utilisation_pct\"; values = \"1\"; } );\n$one" \
        "bad.conf:2: no rule given reads 'cpu.utilisation_pct' (a typo?)"
check "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"1\"; },\n { name = \"cpu.utilization_pct\"; values = \"2\"; } );\n$one" \
        "bad.conf:3: a second series named 'cpu.utilization_pct'"
check "${head}series = ();\nexpect = ();\n" "bad.conf:3: no expectations"
check "${head}series = ();\nexpect = ( { at = \"3650d\"; alert = \"HostCPUBusy\"; state = \"inactive\"; } );\n" \
        "'at' is more than a million intervals in"
check "${head}series = ();\nexpect = (\n { at = \"1s\"; alert = \"NoSuchRule\"; state = \"firing\"; } );\n" \
        "bad.conf:4: no rule named 'NoSuchRule'"
check "interval = \"2s\";\nseries = ();\nexpect = ( { at = \"3s\"; alert = \"HostCPUBusy\"; state = \"firing\"; } );\n" \
        "bad.conf:3: 'at' must be a multiple of the interval (2 s)"
check "${head}series = ();\nexpect = ( { at = \"3s\"; alert = \"HostCPUBusy\"; state = \"burning\"; } );\n" \
        "bad.conf:3: 'state' must be one of \"inactive\", \"pending\", \"firing\", \"resolved\""
check "${head}series = ();\n" "a rule test holds 'series"
# Ramps, exponents and bare no-data samples, through a rule of this test's own.
cat >"$tmp/ramp-rules.conf" <<'RULES'
rules = ({ name = "Ramp"; expr = "cpu.utilization_pct"; warn = 3; crit = 5; keep_firing_for = 2; },
         { name = "Down"; expr = "memory.used_pct"; direction = "below"; warn = -6; no_data = "resolve"; });
RULES
cat >"$tmp/ramp.conf" <<'TEST'
series = ( { name = "cpu.utilization_pct"; values = "0+1x6 1e1x2 5-2x3 _ 0"; },
           { name = "memory.used_pct"; values = "-5-1x3 _ -7"; } );
expect = (
  { at = "2s"; alert = "Ramp"; state = "inactive"; },     # 0 1 2
  { at = "3s"; alert = "Ramp"; state = "firing"; level = "warn"; },
  { at = "5s"; alert = "Ramp"; state = "firing"; level = "crit"; },
  { at = "7s"; alert = "Ramp"; state = "firing"; level = "crit"; },     # 1e1 1e1
  { at = "10s"; alert = "Ramp"; state = "firing"; level = "warn"; },    # 5 3 1: the 1 starts keep_firing
  { at = "11s"; alert = "Ramp"; state = "firing"; },                    # _ (keep): nothing moves
  { at = "12s"; alert = "Ramp"; state = "resolved"; },                  # 0, 2 s after the 1
  { at = "1s"; alert = "Down"; state = "firing"; level = "warn"; },     # -5 -6
  { at = "3s"; alert = "Down"; state = "resolved"; },                   # _ (resolve)
  { at = "4s"; alert = "Down"; state = "firing"; }                      # -7
);
TEST
"$sky" alerts test "$tmp/ramp-rules.conf" "$tmp/ramp.conf" >"$tmp/ramp.out" 2>&1 || fail "ramps: $(cat "$tmp/ramp.out")"
grep -q "10 expectations met (2 rules)" "$tmp/ramp.out" || fail "ramps: $(cat "$tmp/ramp.out")"
# Hex is no number here: 0x300 is 0 for 300 samples.
printf '%b' "${head}series = ( { name = \"cpu.utilization_pct\"; values = \"0x300\"; } );\nexpect = ( { at = \"299s\"; alert = \"HostCPUBusy\"; state = \"inactive\"; } );\n" >"$tmp/hex.conf"
"$sky" alerts test "$src/alerts/host.conf" "$tmp/hex.conf" >/dev/null 2>&1 || fail "0x300 is not 0 for 300 samples"

rc=0; "$sky" alerts test "$src/alerts/host.conf" 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "alerts test with one file: exit $rc, not 2"
echo "PASS"
