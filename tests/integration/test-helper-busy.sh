#!/usr/bin/env bash
# The helper's waiting queue is bounded per caller and in all, and root is never behind it: while
# polkitd has not answered (here: stopped with SIGSTOP, as a slow polkitd or a pending password prompt
# would hold it), one uid may have at most HELPER_PENDING_PER_UID requests waiting for their
# authorization and all uids together HELPER_PENDING_MAX; every further caller gets the named error
# io.skysentinel.SkyTune1.Error.Busy at once, with a message saying which bound it hit, and nothing of
# its request is done. Root (which polkit always allows) is served at once meanwhile, and trusted
# callers get HELPER_PENDING_RESERVED more places: a uid polkit authorized a moment ago, and a member
# of the adm group. Once polkitd answers, every queued request is served in turn and the helper takes
# calls again.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30
bus_setup "$1" "$2"
# A stopped polkitd would not end on bus_teardown's SIGTERM: let it go on first, whatever happens.
trap 'rc=$?; [[ -n ${POLKIT_PID:-} ]] && kill -CONT "$POLKIT_PID" 2>/dev/null; set +e; (exit $rc); bus_teardown' EXIT

def() { awk -v n="$1" '$1 == "#define" && $2 == n { print $3 }' "$BUS_SRC/helper/service.h"; }
max=$(def HELPER_PENDING_MAX) per=$(def HELPER_PENDING_PER_UID) reserved=$(def HELPER_PENDING_RESERVED)
[[ $max =~ ^[0-9]+$ && $per =~ ^[0-9]+$ ]] || bus_fail "HELPER_PENDING_MAX or HELPER_PENDING_PER_UID not found in helper/service.h"
users=$((max / per))        # uids that fill the queue together (system users 1..; nobody first)
extra=6

plan=$(make_plan false <<'P'
sysctl vm.swappiness 10
P
)
# Every local user may apply in this test's polkitd (once it answers).
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.apply") return polkit.Result.YES;
});'
hcall ListTransactions >/dev/null        # activated and serving before polkitd stops
[[ -n $(helper_pid) ]] || bus_fail "helper not running"
# uid 9 is authorized once (an Apply that finds nothing to change: no transaction) before the flood.
noop=$(make_plan false <<<'sysctl vm.swappiness 60')
setpriv --reuid=9 --regid=9 --clear-groups env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
        dbus-send --system --print-reply --reply-timeout=30000 --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Apply" \
        "string:$noop" uint64:0 >"$BUS_TMP/noop" 2>&1 ||
        bus_fail "uid 9's first Apply: $(cat "$BUS_TMP/noop")"
[[ $(journal_count) == 0 ]] || bus_fail "the no-op Apply made a transaction"

kill -STOP "$POLKIT_PID"
calls=$BUS_TMP/calls
mkdir "$calls"
chmod 0777 "$calls"
fire() {        # fire UID N [GROUPS]: N concurrent Apply calls as UID (dbus-send prints the error's name, busctl does not)
        local uid=$1 i groups=(--clear-groups)
        [[ -n ${3:-} ]] && groups=(--groups="$3")
        for ((i = 0; i < $2; i++)); do
                (
                        rc=0
                        # gid nogroup: gid 4 is adm, and uid 4 would be trusted (the reserve) by its primary group
                        setpriv --reuid="$uid" --regid=65534 "${groups[@]}" env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                                dbus-send --system --print-reply --reply-timeout=60000 --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Apply" \
                                "string:$plan" uint64:0 >"$calls/$uid-$i.out" 2>&1 || rc=$?
                        echo "$rc" >"$calls/$uid-$i.rc"
                ) &
        done
}
finished() { find "$calls" -name '*.rc' | wc -l; }
wait_finished() {        # wait_finished N: until N calls returned (and a little longer: none more may)
        for _ in $(seq 400); do (( $(finished) >= $1 )) && break; sleep 0.05; done
        sleep 0.5
        (( $(finished) == $1 )) || bus_fail "$(finished) calls returned while polkitd was stopped, expected $1"
}
busy_with() {        # busy_with MESSAGE [GLOB]: how many returned calls (of GLOB's, default all) got Busy with that message
        grep -lx "Error io.skysentinel.SkyTune1.Error.Busy: $1" "$calls"/${2:-*}.out 2>/dev/null | wc -l
}

# 1. One uid: HELPER_PENDING_PER_UID wait, the others are refused at once.
fire 65534 $((per + extra))
wait_finished "$extra"
[[ $(busy_with "uid 65534 has $per requests waiting already; try again later") == "$extra" ]] ||
        bus_fail "per-uid bound: $(cat "$calls"/*.out)"
# 2. More uids fill the queue to HELPER_PENDING_MAX; one uid more is refused by the total. Each fires
#    just $per calls, so none hits its own bound and the order they come in does not matter: whichever
#    $per come last get the total's message.
for uid in $(seq 1 "$users"); do fire "$uid" "$per"; done
wait_finished $((extra + per))
[[ $(busy_with "$max requests are waiting already; try again later") == "$per" ]] || bus_fail "total bound: $(cat "$calls"/*.out)"
[[ $(journal_count) == 0 && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "something was written before polkit answered"
# 2b. The queue is full for them, not for trusted callers: uid 9 (authorized above) and uid 10
#     in the adm group wait in the reserve; an untrusted uid is still refused.
[[ $reserved =~ ^[0-9]+$ ]] && (( reserved >= 2 )) || bus_fail "HELPER_PENDING_RESERVED not found in helper/service.h"
fire 9 1
fire 10 1 "$(getent group adm | cut -d: -f3)"
fire 13 1
for _ in $(seq 200); do [[ -e $calls/13-0.rc ]] && break; sleep 0.05; done
sleep 0.5
# (uid 13 may come before 9 and 10 are queued, and then its message is the total's too: count uids
# 1..$users's only, one digit each)
[[ $(busy_with "$max requests are waiting already; try again later" "[1-$users]-*") == "$per" ]] &&
        grep -q 'Error.Busy: .* requests are waiting already; try again later' "$calls/13-0.out" &&
        [[ ! -e $calls/9-0.rc && ! -e $calls/10-0.rc ]] ||
        bus_fail "reserve: $(head "$calls"/9-0.* "$calls"/10-0.* "$calls"/13-0.* 2>&1)"
# 3. Root waits for none of them (and not for polkitd).
t0=$(date +%s%N)
tx=$(timeout 10 busctl --system --timeout=10 --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Apply st "$plan" 0 | jq -r '.data[0]') ||
        bus_fail "root's Apply was not served while $max requests waited"
[[ $(jq -r .state <<<"$tx") == applied ]] || bus_fail "root's Apply: $tx"
hjson Rollback s last >/dev/null || bus_fail "root's Rollback was not served"
echo "root's Apply and Rollback while $max requests waited: $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# polkitd answers: the queued requests are served one at a time; the first applies, the others find
# nothing left to change.
n=$((max + extra + per + 3))
kill -CONT "$POLKIT_PID"
for _ in $(seq 600); do (( $(finished) == n )) && break; sleep 0.05; done
(( $(finished) == n )) || bus_fail "only $(finished) of $n calls returned after polkitd went on"
served=0
for f in "$calls"/*.rc; do
        [[ $(cat "$f") == 0 ]] || continue
        grep -q '"schema":"skytune.tx/1"' "${f%.rc}.out" || bus_fail "served call without a transaction: $(cat "${f%.rc}.out")"
        served=$((served + 1))
done
[[ $served == $((max + 2)) ]] || bus_fail "$served queued calls served, expected $((max + 2))"
[[ $(journal_count) == 2 && $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "expected root's and one queued transaction"
[[ $(grep -l '"state":"applied"' "$calls"/*.out | wc -l) == 1 ]] || bus_fail "more than one call applied the plan"

# The queue is empty again: the next caller is served, not refused.
tx=$(hjson Rollback s last)
[[ $(jq -r .state <<<"$tx") == rolled-back ]] || bus_fail "rollback after the burst: $tx"
echo "PASS: $extra callers over the per-uid bound ($per) and $per over the total ($max) got $BUS_NAME.Error.Busy; root was served meanwhile;" \
        "a recently authorized uid and an adm member waited in the reserve; all $((max + 2)) were served afterwards"
