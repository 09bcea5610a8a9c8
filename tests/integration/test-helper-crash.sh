#!/usr/bin/env bash
# Crash safety: the helper is killed (SIGKILL, through its --test-crash-after hook) at every step of a
# 10-change apply: after the journal's intent record (0) and after each system write (1..10). The
# next activation must roll the unfinished transaction back before serving: every value is back.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

plan=$(make_plan <<'P'
sysctl vm.swappiness 10
sysctl vm.dirty_bytes 268435456
sysctl vm.dirty_background_ratio 5
sysctl vm.vfs_cache_pressure 50
sysctl net.core.somaxconn 8192
sysctl net.core.netdev_max_backlog 4096
sysctl net.ipv4.tcp_fin_timeout 15
sysctl net.ipv4.tcp_rmem 4096 262144 16777216
read_ahead_kb vda 4096
nr_requests sdb 128
P
)
before=$(tree_state)
for n in $(seq 0 10); do
        helper_stop || bus_fail "step $n: SIGTERM did not stop the helper"
        bus_activation --test-crash-after "$n"
        must_fail hcall Apply st "$plan" 0 >/dev/null || bus_fail "step $n: the apply did not die"
        helper_wait_exit 5 || bus_fail "step $n: helper still there"
        tx=$(ls "$STATE/tx"/*.json | tail -n1)
        [[ $(jq -r .state "$tx") == applying ]] || bus_fail "step $n: journal state $(jq -r .state "$tx")"
        # Exactly n values were written before the crash (the journal has not caught up on the nth).
        changed=$(diff <(echo "$before") <(tree_state) | grep -c '^>' || true)
        [[ $changed -eq $n ]] || bus_fail "step $n: $changed files changed"

        bus_activation
        busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version >/dev/null || bus_fail "step $n: no restart"
        [[ $(jq -r .state "$tx") == recovered ]] || bus_fail "step $n: after restart the journal says $(jq -r .state "$tx")"
        diff <(echo "$before") <(tree_state) || bus_fail "step $n: values not restored after the crash"
done
[[ $(journal_count) == 11 ]] || bus_fail "expected 11 journal files, found $(journal_count)"
grep -q "left applying" "$BUS_TMP/bus.log" || bus_fail "recovery not logged"

# A corrupt or truncated journal file is reported and moved aside, never deleted, never a crash.
printf '{"schema": "skytune.tx/1", "id": "2026' >"$STATE/tx/20260101T000000-000000-aaaaaa.json"
echo 'not json at all' >"$STATE/tx/20260101T000000-000000-bbbbbb.json"
helper_stop
busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version >/dev/null || bus_fail "helper died on a corrupt journal"
[[ $(ls "$STATE/corrupt" | wc -l) -eq 2 ]] || bus_fail "corrupt files not kept aside: $(ls "$STATE/corrupt")"
grep -q 'is corrupt' "$BUS_TMP/bus.log" || bus_fail "corruption not reported"
hjson ListTransactions | jq -e '.transactions | length == 11' >/dev/null || bus_fail "listing after corruption"
echo "ok: kill -9 at each of 11 steps, every value restored on the next activation; corrupt journals kept aside"
