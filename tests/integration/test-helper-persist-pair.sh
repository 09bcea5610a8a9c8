#!/usr/bin/env bash
# --persist with the coupled sysctls (vm.dirty_bytes / vm.dirty_ratio, vm.dirty_background_bytes /
# vm.dirty_background_ratio): the kernel keeps only one of a pair, so the owned sysctl.d file must not
# keep the partner's line from an earlier transaction next to the one just written (at boot the later
# line would win and silently undo the change). Each rollback restores the file byte for byte, and
# the last one removes it.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

conf=$ROOT/etc/sysctl.d/90-skytune.conf
before=$(tree_state)
lines() { grep -v '^#' "$conf"; }
# Apply a persistent plan of "kind key value" lines (stdin); prints the transaction.
apply_persist() { local plan; plan=$(make_plan true); hjson Apply st "$plan" 0; }

# 1: the ratios, persistently.
tx1=$(apply_persist <<'P'
sysctl vm.dirty_ratio 30
sysctl vm.dirty_background_bytes 67108864
sysctl vm.swappiness 10
P
)
id1=$(jq -r .id <<<"$tx1")
[[ $(jq -r .state <<<"$tx1") == applied ]] || bus_fail "first apply: $tx1"
cp "$conf" "$BUS_TMP/after1"
[[ $(lines) == $'vm.dirty_ratio = 30\nvm.dirty_background_bytes = 67108864\nvm.swappiness = 10' ]] ||
        bus_fail "first file: $(cat "$conf")"

# 2: the other halves. Their lines replace the partners' lines; vm.swappiness stays.
tx2=$(apply_persist <<'P'
sysctl vm.dirty_bytes 268435456
sysctl vm.dirty_background_ratio 5
P
)
id2=$(jq -r .id <<<"$tx2")
[[ $(jq -r .state <<<"$tx2") == applied ]] || bus_fail "second apply: $tx2"
got=$(lines)
[[ $got == $'vm.swappiness = 10\nvm.dirty_bytes = 268435456\nvm.dirty_background_ratio = 5' ]] ||
        bus_fail "partners' lines kept or others lost: $got"
jq -e --rawfile c "$BUS_TMP/after1" '.files[] | select(.path == "etc/sysctl.d/90-skytune.conf") | .existed and .old_content == $c' \
        "$STATE/tx/$id2.json" >/dev/null || bus_fail "second journal does not hold the file as the first left it"

# 3: a plan that sets a partner again swaps back (ratio replaces bytes), also when the live value is
# already the proposed one.
tx3=$(apply_persist <<'P'
sysctl vm.dirty_ratio 30
P
)
id3=$(jq -r .id <<<"$tx3")
got=$(lines)
[[ $got == $'vm.swappiness = 10\nvm.dirty_background_ratio = 5\nvm.dirty_ratio = 30' ]] || bus_fail "third file: $got"

# Rollbacks, newest first: each restores exactly what the file was before its transaction.
hcall Rollback s "$id3" >/dev/null
[[ $(lines) == $'vm.swappiness = 10\nvm.dirty_bytes = 268435456\nvm.dirty_background_ratio = 5' ]] ||
        bus_fail "after rolling back the third: $(cat "$conf")"
hcall Rollback s "$id2" >/dev/null
cmp -s "$BUS_TMP/after1" "$conf" || bus_fail "after rolling back the second, not byte for byte: $(cat "$conf")"
hcall Rollback s "$id1" >/dev/null
[[ ! -e $conf ]] || bus_fail "owned file left after the last rollback: $(cat "$conf")"
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs after rolling everything back: $(diff <(echo "$before") <(tree_state))"
echo "PASS: coupled sysctls replace each other's line in the owned file; rollbacks restore it exactly"
