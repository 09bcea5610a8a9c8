#!/usr/bin/env bash
# Drift-aware rollback: a value an administrator changed after the apply survives the rollback and is
# reported as a conflict (the others are restored); --force (flag 4) restores it anyway, also as a
# second rollback of the partially rolled back transaction; a value a newer transaction set is that
# transaction's, and the CLI says so. Two Apply
# calls at the same time are served one after the other and both journals agree with each other.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

plan=$(make_plan true <<'P'
sysctl vm.swappiness 10
sysctl net.core.somaxconn 8192
ulimit login:@dev:nofile 8192
P
)
tx=$(hjson Apply st "$plan" 0)
id=$(jq -r .id <<<"$tx")
# The administrator's own changes, made after the apply.
echo 33 >"$ROOT/proc/sys/vm/swappiness"
echo '@dev soft nofile 1000' >>"$ROOT/etc/security/limits.d/90-skytune.conf"
hjson GetTransaction s "$id" | jq -e '.changes[] | select(.key == "vm.swappiness") | .drift == true and .live == "33"' >/dev/null ||
        bus_fail "GetTransaction does not show the drift"
rb=$(hjson Rollback s "$id")
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 33 ]] || bus_fail "rollback overwrote the administrator's vm.swappiness"
[[ $(cat "$ROOT/proc/sys/net/core/somaxconn") == 4096 ]] || bus_fail "somaxconn not restored"
grep -q '@dev soft nofile 1000' "$ROOT/etc/security/limits.d/90-skytune.conf" || bus_fail "administrator's edit of the owned file lost"
jq -e '.conflicts == 2' <<<"$rb" >/dev/null || bus_fail "conflicts not counted: $(jq -c '[.conflicts, [.changes[].rollback]]' <<<"$rb")"
jq -e '.changes[] | select(.key == "vm.swappiness") | .rollback == "conflict" and .found == "33" and .new == "10"' <<<"$rb" >/dev/null ||
        bus_fail "conflict not reported for vm.swappiness"
jq -e '.changes[] | select(.key == "net.core.somaxconn") | .rollback == "restored"' <<<"$rb" >/dev/null || bus_fail "somaxconn status"
grep -q 'vm.swappiness was changed by someone else' "$BUS_TMP/bus.log" || bus_fail "conflict not logged"
# The remedy works (issue 11 point 4): the transaction stays rollable for exactly the keys left alone,
# and a forced second rollback restores them (and only them: somaxconn is not written again).
jq -e '.state == "partially-rolled-back"' <<<"$rb" >/dev/null || bus_fail "state after a rollback with conflicts: $(jq -r .state <<<"$rb")"
echo 5000 >"$ROOT/proc/sys/net/core/somaxconn"
rb=$(hjson RollbackWithFlags st "$id" 4)
jq -e '.state == "rolled-back" and .conflicts == 0 and (.changes[] | select(.key == "vm.swappiness") | .rollback == "forced")' <<<"$rb" \
        >/dev/null || bus_fail "forced second rollback: $(jq -c '{state, conflicts, changes: [.changes[] | {key, rollback}]}' <<<"$rb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "forced second rollback did not restore vm.swappiness"
[[ $(cat "$ROOT/proc/sys/net/core/somaxconn") == 5000 ]] || bus_fail "forced second rollback wrote somaxconn again"
[[ ! -e $ROOT/etc/security ]] || bus_fail "owned limits.d file (and its directories) left after the forced rollback"
echo 4096 >"$ROOT/proc/sys/net/core/somaxconn"

# Forced: a fresh apply, an administrator's change, RollbackWithFlags(id, FORCE).
echo 60 >"$ROOT/proc/sys/vm/swappiness"
rm -rf "$ROOT/etc/security"
tx=$(hjson Apply st "$plan" 0)
id=$(jq -r .id <<<"$tx")
echo 44 >"$ROOT/proc/sys/vm/swappiness"
rb=$(hjson RollbackWithFlags st "$id" 4)
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "forced rollback did not restore"
jq -e '.forced == true and (.changes[] | select(.key == "vm.swappiness") | .rollback == "forced")' <<<"$rb" >/dev/null || bus_fail "forced status"
[[ ! -e $ROOT/etc/security/limits.d/90-skytune.conf ]] || bus_fail "owned file not removed"

# Two Apply calls at once: one after the other; the second one's old value is the first one's new.
p1=$(make_plan <<<'sysctl vm.swappiness 20')
p2=$(make_plan <<<'sysctl vm.swappiness 30')
hjson Apply st "$p1" 0 >"$BUS_TMP/a1" &
a1=$!
hjson Apply st "$p2" 0 >"$BUS_TMP/a2" &
a2=$!
wait $a1 || bus_fail "first concurrent apply failed"
wait $a2 || bus_fail "second concurrent apply failed"
first=$(jq -r '.changes[0] | "\(.old) \(.new)"' "$BUS_TMP/a1") second=$(jq -r '.changes[0] | "\(.old) \(.new)"' "$BUS_TMP/a2")
final=$(cat "$ROOT/proc/sys/vm/swappiness")
if [[ $first == "60 20" ]]; then
        [[ $second == "20 30" && $final == 30 ]] || bus_fail "not serialized: $first / $second / $final"
else
        [[ $first == "30 20" && $second == "60 30" && $final == 20 ]] || bus_fail "not serialized: $first / $second / $final"
fi
for f in "$BUS_TMP/a1" "$BUS_TMP/a2"; do
        jq -e --slurpfile j "$STATE/tx/$(jq -r .id "$f").json" '$j[0].state == "applied" and $j[0].changes == .changes' "$f" >/dev/null ||
                bus_fail "journal and reply disagree for $(jq -r .id "$f")"
done
# Rolled back newest first, the value returns to 60.
hjson Rollback s last >/dev/null && hjson Rollback s last >/dev/null
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "two rollbacks did not return to 60"

# The CLI (new-user trial items 4 and 24): the printed remedy works, and a value that a newer skytune
# transaction set again is named as that transaction's, with no --force suggested for it.
pa=$BUS_TMP/p-a.json pb=$BUS_TMP/p-b.json
make_plan <<<'sysctl vm.swappiness 10' >"$pa"
make_plan <<<'sysctl vm.swappiness 20' >"$pb"
"$SKYTUNE" apply --plan "$pa" --sysroot "$ROOT" --yes </dev/null >/dev/null || bus_fail "CLI apply A"
a=$(hjson GetTransaction s last | jq -r .id)
echo 33 >"$ROOT/proc/sys/vm/swappiness"
rc=0; "$SKYTUNE" rollback >"$BUS_TMP/rb" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "skytune rollback $a --force restores them" "$BUS_TMP/rb" || bus_fail "CLI conflict (rc $rc): $(cat "$BUS_TMP/rb")"
"$SKYTUNE" rollback "$a" --force >"$BUS_TMP/rb" 2>&1 || bus_fail "the printed remedy failed: $(cat "$BUS_TMP/rb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "the printed remedy did not restore vm.swappiness"
"$SKYTUNE" apply --plan "$pa" --sysroot "$ROOT" --yes </dev/null >/dev/null || bus_fail "CLI apply A again"
a=$(hjson GetTransaction s last | jq -r .id)
"$SKYTUNE" apply --plan "$pb" --sysroot "$ROOT" --yes </dev/null >/dev/null || bus_fail "CLI apply B"
b=$(hjson GetTransaction s last | jq -r .id)
rc=0; "$SKYTUNE" rollback "$a" >"$BUS_TMP/rb" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "newer skytune transaction $b" "$BUS_TMP/rb" && grep -q "skytune rollback $b" "$BUS_TMP/rb" &&
        ! grep -q -- '--force' "$BUS_TMP/rb" && ! grep -q 'someone else' "$BUS_TMP/rb" || bus_fail "CLI superseded (rc $rc): $(cat "$BUS_TMP/rb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 20 ]] || bus_fail "rolling back A clobbered B's vm.swappiness"
"$SKYTUNE" rollback "$b" >/dev/null 2>&1 && "$SKYTUNE" rollback "$a" >/dev/null 2>&1 || bus_fail "rolling back B, then A again"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "B then A again did not return vm.swappiness to 60"
echo "ok: conflicts reported and left alone, forced rollback, concurrent applies serialized, the printed remedies work"
