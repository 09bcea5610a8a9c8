#!/usr/bin/env bash
# Drift-aware rollback: a value an administrator changed after the apply survives the rollback and is
# reported as a conflict (the others are restored); --force (flag 4) restores it anyway. Two Apply
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
echo "ok: conflicts reported and left alone, forced rollback, concurrent applies serialized"
