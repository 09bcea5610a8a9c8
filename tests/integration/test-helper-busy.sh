#!/usr/bin/env bash
# The helper's waiting queue is bounded: while polkitd has not answered (here: stopped with SIGSTOP,
# as a slow polkitd or a pending password prompt would hold it), at most HELPER_PENDING_MAX requests
# wait for their authorization; every further caller gets the named error
# io.skysentinel.SkyTune1.Error.Busy at once, with a message saying so, and nothing of its request is
# done. Once polkitd answers, every queued request is served in turn and the helper takes calls again.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30
bus_setup "$1" "$2"
# A stopped polkitd would not end on bus_teardown's SIGTERM: let it go on first, whatever happens.
trap 'rc=$?; [[ -n ${POLKIT_PID:-} ]] && kill -CONT "$POLKIT_PID" 2>/dev/null; (exit $rc); bus_teardown' EXIT

max=$(awk '$1 == "#define" && $2 == "HELPER_PENDING_MAX" { print $3 }' "$BUS_SRC/helper/helper.h")
[[ $max =~ ^[0-9]+$ ]] || bus_fail "HELPER_PENDING_MAX not found in helper/helper.h"
extra=8
n=$((max + extra))

plan=$(make_plan false <<'P'
sysctl vm.swappiness 10
P
)
hcall ListTransactions >/dev/null        # activated and serving before polkitd stops
[[ -n $(helper_pid) ]] || bus_fail "helper not running"

kill -STOP "$POLKIT_PID"
calls=$BUS_TMP/calls
mkdir "$calls"
# dbus-send prints the error's name, which busctl does not.
for i in $(seq "$n"); do
        (
                rc=0
                dbus-send --system --print-reply --reply-timeout=60000 --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Apply" \
                        "string:$plan" uint64:0 >"$calls/$i.out" 2>&1 || rc=$?
                echo "$rc" >"$calls/$i.rc"
        ) &
done

finished() { find "$calls" -name '*.rc' | wc -l; }
for _ in $(seq 400); do (( $(finished) >= extra )) && break; sleep 0.05; done
sleep 0.5        # a request wrongly refused or served late would show up here
(( $(finished) == extra )) || bus_fail "$(finished) of $n calls returned while polkitd was stopped, expected $extra"
busy=0
for f in "$calls"/*.rc; do
        out=${f%.rc}.out
        [[ $(cat "$f") != 0 ]] || bus_fail "a call succeeded while polkitd was stopped: $(cat "$out")"
        grep -qx "Error io.skysentinel.SkyTune1.Error.Busy: $max requests are waiting already; try again later" "$out" ||
                bus_fail "not the Busy error: $(cat "$out")"
        busy=$((busy + 1))
done
[[ $busy == "$extra" ]] || bus_fail "$busy Busy errors, expected $extra"
[[ $(journal_count) == 0 && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "something was written before polkit answered"

# polkitd answers: the queued requests are served one at a time; the first applies, the others find
# nothing left to change.
kill -CONT "$POLKIT_PID"
for _ in $(seq 600); do (( $(finished) == n )) && break; sleep 0.05; done
(( $(finished) == n )) || bus_fail "only $(finished) of $n calls returned after polkitd went on"
served=0
for f in "$calls"/*.rc; do
        [[ $(cat "$f") == 0 ]] || continue
        grep -q '"schema":"skytune.tx/1"' "${f%.rc}.out" || bus_fail "served call without a transaction: $(cat "${f%.rc}.out")"
        served=$((served + 1))
done
[[ $served == "$max" ]] || bus_fail "$served queued calls served, expected $max"
[[ $(journal_count) == 1 && $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "expected one applied transaction"
[[ $(grep -l '"state":"applied"' "$calls"/*.out | wc -l) == 1 ]] || bus_fail "more than one call applied the plan"

# The queue is empty again: the next caller is served, not refused.
tx=$(hjson Rollback s last)
[[ $(jq -r .state <<<"$tx") == rolled-back ]] || bus_fail "rollback after the burst: $tx"
echo "PASS: $extra of $n callers got $BUS_NAME.Error.Busy while $max waited for polkit; all $max were served afterwards"
