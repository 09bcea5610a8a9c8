#!/usr/bin/env bash
# Transactions that share owned files, rolled back in any order (issue 12 point 8): each rollback
# takes out exactly its own lines and puts back the lines it replaced, whatever the others did to
# the file since; when all are rolled back, every owned file is byte for byte as before the first
# apply, or gone (with the directories the applies created). A key that a newer transaction set
# again is left alone and named, and the older transaction stays rollable for exactly that key.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

sysctl_conf=$ROOT/etc/sysctl.d/90-skytune.conf
before=$(tree_state)
apply_persist() { local plan; plan=$(make_plan true); hjson Apply st "$plan" 0; }
state_of() { jq -r .state "$STATE/tx/$1.json"; }
live() { cat "$ROOT/proc/sys/$1"; }

# 1. The issue's case: A persists vm.swappiness, B net.core.somaxconn; roll back A, then B.
a=$(apply_persist <<<'sysctl vm.swappiness 10' | jq -r .id)
b=$(apply_persist <<<'sysctl net.core.somaxconn 8192' | jq -r .id)
hjson Rollback s "$a" >"$BUS_TMP/rb-a"
grep -q '^vm.swappiness' "$sysctl_conf" && bus_fail "rolling back A left its line: $(cat "$sysctl_conf")"
grep -q '^net.core.somaxconn = 8192$' "$sysctl_conf" || bus_fail "rolling back A took B's line: $(cat "$sysctl_conf")"
hjson Rollback s "$b" >/dev/null
[[ ! -e $sysctl_conf ]] || bus_fail "owned file left after rolling back A then B: $(cat "$sysctl_conf")"
[[ $(state_of "$a") == rolled-back && $(state_of "$b") == rolled-back ]] || bus_fail "states: $(state_of "$a") $(state_of "$b")"
[[ $(live vm/swappiness) == 60 && $(live net/core/somaxconn) == 4096 ]] || bus_fail "live values not restored"
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs after A, B: $(diff <(echo "$before") <(tree_state))"

# 2. Ten persisted applies at once, into every kind of owned file the fixture offers (sysctl.d, udev
#    rules, limits.d, a unit drop-in), then ten rollbacks at once in a shuffled order.
changes=(
        'sysctl vm.swappiness 10' 'sysctl net.core.somaxconn 8192' 'sysctl net.core.netdev_max_backlog 2000'
        'sysctl vm.vfs_cache_pressure 50' 'sysctl vm.dirty_writeback_centisecs 1500' 'sysctl vm.max_map_count 262144'
        'read_ahead_kb vda 1024' 'nr_requests sdb 128' 'ulimit login:@dev:nofile 8192' 'ulimit unit:sshd.service:nofile 16384'
)
pids=()
for i in "${!changes[@]}"; do
        apply_persist <<<"${changes[$i]}" >"$BUS_TMP/apply-$i" &
        pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || bus_fail "a parallel apply failed"; done
ids=()
for i in "${!changes[@]}"; do
        [[ $(jq -r .state "$BUS_TMP/apply-$i") == applied ]] || bus_fail "apply '${changes[$i]}': $(cat "$BUS_TMP/apply-$i")"
        ids+=("$(jq -r .id "$BUS_TMP/apply-$i")")
done
[[ $(grep -c ' = ' "$sysctl_conf") == 6 ]] || bus_fail "sysctl.d file after ten applies: $(cat "$sysctl_conf")"
[[ -e $ROOT/etc/udev/rules.d/90-skytune.rules && -e $ROOT/etc/security/limits.d/90-skytune.conf &&
   -e $ROOT/etc/systemd/system/sshd.service.d/90-skytune.conf ]] || bus_fail "owned files missing after ten applies"
pids=()
for id in $(printf '%s\n' "${ids[@]}" | shuf); do
        hjson Rollback s "$id" >"$BUS_TMP/rb-$id" &
        pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || bus_fail "a parallel rollback failed"; done
for id in "${ids[@]}"; do
        jq -e '.state == "rolled-back" and .conflicts == 0 and .failures == 0 and .superseded == 0' "$BUS_TMP/rb-$id" >/dev/null ||
                bus_fail "rollback $id: $(jq -c '{state, conflicts, superseded, failures, files}' "$BUS_TMP/rb-$id")"
done
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs after ten rollbacks in parallel: $(diff <(echo "$before") <(tree_state))"

# 3. The same key twice: A sets vm.swappiness 10, B (newer) 20, both persisted. Rolling back A first
#    leaves the key to B, says so, and A stays rollable for it; after B, A restores the rest.
a=$(apply_persist <<<$'sysctl vm.swappiness 10\nsysctl net.core.somaxconn 8192' | jq -r .id)
b=$(apply_persist <<<'sysctl vm.swappiness 20' | jq -r .id)
rb=$(hjson Rollback s "$a")
jq -e --arg b "$b" '.state == "partially-rolled-back" and .superseded == 2 and .conflicts == 0 and
        (.changes[] | select(.key == "vm.swappiness") | .rollback == "superseded" and .superseded_by == $b) and
        (.changes[] | select(.key == "net.core.somaxconn") | .rollback == "restored") and
        (.files[0].entries["vm.swappiness"] | .rollback == "superseded" and .superseded_by == $b)' <<<"$rb" >/dev/null ||
        bus_fail "rolling back A under B: $(jq -c '{state, superseded, conflicts, changes: [.changes[] | {key, rollback, superseded_by}], files: [.files[].entries]}' <<<"$rb")"
grep -q "vm.swappiness is set by the newer transaction $b" "$BUS_TMP/bus.log" || bus_fail "superseded key not logged with B's id"
[[ $(live vm/swappiness) == 20 && $(live net/core/somaxconn) == 4096 ]] || bus_fail "live after A: $(live vm/swappiness) $(live net/core/somaxconn)"
[[ $(grep -v '^#' "$sysctl_conf") == 'vm.swappiness = 20' ]] || bus_fail "file after A: $(cat "$sysctl_conf")"
hjson Rollback s "$b" | jq -e '.state == "rolled-back"' >/dev/null || bus_fail "rolling back B"
[[ $(live vm/swappiness) == 10 && $(grep -v '^#' "$sysctl_conf") == 'vm.swappiness = 10' ]] || bus_fail "B did not restore A's value"
rb=$(hjson Rollback s "$a")
jq -e '.state == "rolled-back" and ([.changes[] | select(.key == "vm.swappiness") | .rollback] == ["restored"])' <<<"$rb" >/dev/null ||
        bus_fail "second rollback of A: $(jq -c '{state, changes: [.changes[] | {key, rollback}]}' <<<"$rb")"
[[ $(live vm/swappiness) == 60 ]] || bus_fail "A's second rollback did not restore vm.swappiness"
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs after A, B, A: $(diff <(echo "$before") <(tree_state))"
echo "ok: shared owned files rolled back in any order, ten in parallel; newer transactions' keys left alone and named"
