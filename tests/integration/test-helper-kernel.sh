#!/usr/bin/env bash
# The whole path on the real kernel (ctest label root-kernel): D-Bus activation, polkit, the helper
# with sysroot "/", writing vm.swappiness, vm.dirty_bytes (which zeroes vm.dirty_ratio), a loop device's I/O scheduler and the soft open-files limit
# of a process of ours (prlimit), then rolling all of it back. Whatever happens, the trap puts the
# original values back.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

dev=
for d in /sys/block/loop*; do
        [[ -w $d/queue/scheduler ]] && grep -qw mq-deadline "$d/queue/scheduler" && { dev=$(basename "$d"); break; }
done
[[ -n $dev ]] || { echo "SKIP: no loop device offering mq-deadline"; exit 77; }
orig_swap=$(cat /proc/sys/vm/swappiness)
orig_ratio=$(cat /proc/sys/vm/dirty_ratio) orig_bytes=$(cat /proc/sys/vm/dirty_bytes)
orig_sched=$(sed 's/.*\[\(.*\)\].*/\1/' "/sys/block/$dev/queue/scheduler")
new_swap=$(( orig_swap == 17 ? 18 : 17 ))
new_sched=$([[ $orig_sched == mq-deadline ]] && echo none || echo mq-deadline)
cp /bin/sleep "$BUS_TMP/skytune-slp"
"$BUS_TMP/skytune-slp" 120 &
slp=$!
restore() {
        echo "$orig_swap" >/proc/sys/vm/swappiness
        if [[ $orig_bytes != 0 ]]; then echo "$orig_bytes" >/proc/sys/vm/dirty_bytes; else echo "$orig_ratio" >/proc/sys/vm/dirty_ratio; fi
        echo "$orig_sched" >"/sys/block/$dev/queue/scheduler"
        kill "$slp" 2>/dev/null || true
        bus_teardown
}
trap restore EXIT
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$slp/limits") hard=$(awk '/^Max open files/ { print $5 }' "/proc/$slp/limits")

ROOT=/
bus_activation
plan=$(make_plan <<P
sysctl vm.swappiness $new_swap
sysctl vm.dirty_bytes $((orig_bytes == 268435456 ? 134217728 : 268435456))
io_scheduler $dev $new_sched
ulimit process:skytune-slp:nofile $((soft / 2)):$hard
P
)
tx=$(hjson Apply st "$plan" 0)
[[ $(cat /proc/sys/vm/swappiness) == "$new_swap" ]] || bus_fail "vm.swappiness not set on the kernel"
[[ $(cat /proc/sys/vm/dirty_ratio) == 0 ]] || bus_fail "the kernel did not zero vm.dirty_ratio (the coupling this test checks)"
grep -q "\[$new_sched\]" "/sys/block/$dev/queue/scheduler" || bus_fail "scheduler of $dev not set: $(cat "/sys/block/$dev/queue/scheduler")"
[[ $(awk '/^Max open files/ { print $4 }' "/proc/$slp/limits") == $((soft / 2)) ]] || bus_fail "prlimit not applied"
jq -e '.changes[] | select(.kind == "ulimit") | .processes | length == 1' <<<"$tx" >/dev/null || bus_fail "process list: $tx"
# Idempotent on the kernel's own read-back ("[x]" in the scheduler file).
[[ $(hjson Apply st "$plan" 0 | jq -r .state) == unchanged ]] || bus_fail "second apply on the kernel changed something"
rb=$(hjson Rollback s "$(jq -r .id <<<"$tx")")
jq -e '.conflicts == 0' <<<"$rb" >/dev/null || bus_fail "rollback conflicts: $rb"
[[ $(cat /proc/sys/vm/swappiness) == "$orig_swap" ]] || bus_fail "vm.swappiness not restored"
[[ $(cat /proc/sys/vm/dirty_ratio) == "$orig_ratio" && $(cat /proc/sys/vm/dirty_bytes) == "$orig_bytes" ]] ||
        bus_fail "dirty pair not restored: ratio $(cat /proc/sys/vm/dirty_ratio) bytes $(cat /proc/sys/vm/dirty_bytes)"
grep -q "\[$orig_sched\]" "/sys/block/$dev/queue/scheduler" || bus_fail "scheduler not restored"
[[ $(awk '/^Max open files/ { print $4 }' "/proc/$slp/limits") == "$soft" ]] || bus_fail "soft limit not restored"
echo "ok: vm.swappiness, the vm.dirty_bytes/dirty_ratio pair, $dev scheduler and a process limit applied and rolled back on the real kernel"
