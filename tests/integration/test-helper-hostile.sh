#!/usr/bin/env bash
# Hostile plans over D-Bus (the bulk is in tests/unit/test-helper-validate.c): each is refused with
# io.skysentinel.SkyTune1.Error.InvalidPlan before polkit is even asked, and nothing is written.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

before=$(tree_state)
c() { printf '{"schema":"skytune.plan/1","changes":[%s]}' "$1"; }
plans=(
        "$(c '{"kind":"sysctl","key":"../../../etc/shadow","proposed":"1"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness\n","proposed":"1"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"1\nvm.overcommit_memory=1"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness\u0000","proposed":"1"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"1000"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":10}')"
        "$(c '{"kind":"modprobe","key":"x","proposed":"1"}')"
        "$(c '{"kind":"io_scheduler","key":"../vda","proposed":"none"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"1"},{"kind":"sysctl","key":"vm/swappiness","proposed":"2"}')"
        '{"schema":"skytune.plan/1","changes":[],"changes":[]}'
        "$(c "{\"kind\":\"sysctl\",\"key\":\"vm.swappiness\",\"proposed\":\"$(head -c 3000 /dev/zero | tr '\0' 9)\"}")"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"10"},{"kind":"io_scheduler","key":"vda","proposed":"bfq"}')"
)
for p in "${plans[@]}"; do
        out=$(must_fail hcall Apply st "$p" 0) || bus_fail "accepted: $p"
        grep -q 'InvalidPlan\|changes\[\|plan\|scheduler' <<<"$out" || bus_fail "unexpected error for $p: $out"
done
# Plans over the helper's 1 MiB limit, sent from a file (a command line cannot carry them: exec fails
# with E2BIG past 128 KiB): the helper itself must refuse them, and say why.
CALL=$BUS_BUILD/tests/bus-call-file
[[ -x $CALL ]] || bus_fail "no $CALL (built with the tests)"
for size in 1048600 2100000; do
        c "$(printf '{"kind":"sysctl","key":"vm.swappiness","proposed":"1","pad":"%s"}' "$(head -c "$size" /dev/zero | tr '\0' x)")" >"$BUS_TMP/big.json"
        out=$(must_fail "$CALL" "$BUS_TMP/big.json" 0) || bus_fail "$size-byte plan accepted"
        grep -q "^$BUS_IFACE.Error.InvalidPlan: .*1048576" <<<"$out" || bus_fail "$size-byte plan: not the helper's refusal: $out"
done
must_fail hcall Apply st "$(c '')" 8 >/dev/null || bus_fail "unknown flag accepted"
must_fail hcall Rollback s "../../etc/passwd" >/dev/null || bus_fail "rollback id with a path accepted"
must_fail hcall GetTransaction s "a/b" >/dev/null || bus_fail "GetTransaction id with a path accepted"
# The host's checks run before polkit is asked, like the static ones (common/plan-validate.c).
grep -q 'rejected: changes\[1\] (io_scheduler vda = bfq): scheduler is not offered' "$BUS_TMP/bus.log" ||
        bus_fail "host check message: $(grep rejected "$BUS_TMP/bus.log" | tail -n1)"
[[ $(tree_state) == "$before" && $(journal_count) == 0 ]] || bus_fail "something was written"
echo "ok: ${#plans[@]} hostile plans over D-Bus refused, nothing written"
