#!/usr/bin/env bash
# Authorization: an unprivileged caller (setpriv as nobody) is refused by polkit and nothing is
# written; a polkit rule can grant it; without polkitd on the bus only uid 0 may apply; a polkitd that
# comes back is used again. Reading (ListTransactions, GetTransaction, Version) is open to anyone.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30        # one helper process across polkitd stopping and starting
bus_setup "$1" "$2"

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
plan=$(make_plan <<'P'
sysctl vm.swappiness 11
read_ahead_kb vda 2048
P
)
before=$(tree_state)

# 1. polkit running, no rule: refused (no agent, so "interactive authorization required"), nothing written.
out=$(must_fail as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0) ||
        bus_fail "nobody could apply"
grep -Eq 'InteractiveAuthorizationRequired|Access denied|not authorized|[Aa]uthentication is required' <<<"$out" || bus_fail "unexpected refusal: $out"
out=$(must_fail as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Rollback s last) || bus_fail "nobody could roll back"
[[ $(tree_state) == "$before" && $(journal_count) == 0 ]] || bus_fail "something was written for a refused caller"
# Reading is allowed.
as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" ListTransactions >/dev/null || bus_fail "nobody cannot list"
as_nobody busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version >/dev/null || bus_fail "nobody cannot read Version"
# The bus policy lets nobody call only the helper's interfaces.
must_fail as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" org.example.Other Foo >/dev/null || bus_fail "policy allows other interfaces"

# 2. A polkit rule granting nobody the apply action.
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.apply" && subject.user == "nobody") return polkit.Result.YES;
});'
sleep 1
tx=$(as_nobody busctl --system --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0 | jq -r '.data[0]') ||
        bus_fail "the polkit rule did not grant nobody"
[[ $(jq -r .caller_uid <<<"$tx") == 65534 && $(cat "$ROOT/proc/sys/vm/swappiness") == 11 ]] || bus_fail "granted apply: $tx"
must_fail as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Rollback s last >/dev/null || bus_fail "rollback was not granted"
hjson Rollback s last >/dev/null

# 3. polkitd gone: uid 0 may, nobody may not (even with the rule).
polkit_stop
out=$(must_fail as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0) || bus_fail "nobody applied without polkit"
grep -q "polkit is not running, so only root" "$BUS_TMP/bus.log" || bus_fail "refusal without polkit: $out"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "written without polkit"
tx=$(hjson Apply st "$plan" 0) || bus_fail "root refused without polkit"
hjson Rollback s last >/dev/null

# 4. polkitd back, same helper process: it is asked again, and the rule grants nobody.
pid=$(helper_pid)
polkit_start
as_nobody busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0 >/dev/null ||
        bus_fail "polkit that came back was not used"
[[ $(helper_pid) == "$pid" ]] || bus_fail "the helper restarted in between (the test wants one process)"
hjson Rollback s last >/dev/null

# 5. A slow authorization (a rule that takes 4 s for nobody, standing in for a password prompt) does
# not hold up the helper: other calls are answered meanwhile, and the slow one completes afterwards.
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.apply" && subject.user == "nobody") {
                var t = Date.now();
                while (Date.now() - t < 4000) { }
        }
});' 48
sleep 1
t0=$(date +%s%N)
as_nobody busctl --system --timeout=20 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0 >"$BUS_TMP/slow" 2>&1 &
slow=$!
sleep 0.3
hjson ListTransactions >/dev/null || bus_fail "ListTransactions while an authorization is pending"
hjson GetTransaction s "$(hjson ListTransactions | jq -r '.transactions[-1].id')" >/dev/null || bus_fail "GetTransaction while pending"
t1=$(date +%s%N)
kill -0 "$slow" 2>/dev/null || bus_fail "the slow authorization was not slow (the test proves nothing)"
(( (t1 - t0) / 1000000 < 3500 )) || bus_fail "other calls waited for the pending authorization ($(( (t1 - t0) / 1000000 )) ms)"
wait "$slow" || bus_fail "the slow apply failed: $(cat "$BUS_TMP/slow")"
hjson Rollback s last >/dev/null
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs at the end"
echo "ok: polkit refusal, rule grant, root-only fallback, polkit re-detected, a slow authorization blocks no one"
