#!/usr/bin/env bash
# skytune status checks every applied transaction, not only the newest: with two applied
# transactions, drift in the older one's key is reported with the older transaction's id and exit 3;
# a key set again by a newer transaction is judged against that one (the older setting is listed as
# superseded, not as drift). Then the usage errors of status, history and rollback: the
# "skytune: error: ..." form of the other verbs, exit 2, nothing on stdout; and on failure their
# --json prints nothing on stdout (exit 1).
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
export SKYTUNE_SYSROOT=$ROOT
swp=$ROOT/proc/sys/vm/swappiness

apply() {        # apply "KIND KEY VALUE": prints the transaction id
        echo "$1" | make_plan >"$BUS_TMP/plan.json"
        "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --json </dev/null | jq -r .transaction_id
}
status() {       # status: skytune status --json into $BUS_TMP/status.json; prints the exit code
        local rc=0
        "$SKYTUNE" status --json >"$BUS_TMP/status.json" || rc=$?
        jq -e '.schema == "skytune.status/1"' "$BUS_TMP/status.json" >/dev/null || bus_fail "status --json: $(cat "$BUS_TMP/status.json")"
        echo "$rc"
}
item() { jq -c --arg k "$1" '[.items[] | select(.key == $k)]' "$BUS_TMP/status.json"; }

old=$(apply "sysctl vm.swappiness 10")
new=$(apply "sysctl net.core.somaxconn 8192")
[[ $old =~ ^[0-9A-Za-z-]+$ && $new =~ ^[0-9A-Za-z-]+$ && $old != "$new" ]] || bus_fail "two transactions expected: '$old' '$new'"
[[ $(status) == 0 ]] || bus_fail "status before drift: $(cat "$BUS_TMP/status.json")"

# Drift in the older transaction's key.
echo 33 >"$swp"
[[ $(status) == 3 ]] || bus_fail "status with drift in the older transaction exited $(status), want 3"
jq -e --arg old "$old" --arg new "$new" '.drift == true and .drifted == 1 and
        ([.transactions[].id] == [$new, $old]) and
        (.items[] | select(.key == "vm.swappiness") | .transaction == $old and .drift == true and .set == "10" and .live == "33") and
        (.items[] | select(.key == "net.core.somaxconn") | .transaction == $new and .drift == false)' "$BUS_TMP/status.json" >/dev/null ||
        bus_fail "status --json: $(jq -c . "$BUS_TMP/status.json")"
rc=0; "$SKYTUNE" status >"$BUS_TMP/status.txt" || rc=$?
[[ $rc == 3 ]] || bus_fail "status (text) exited $rc"
grep -Eq "^  DRIFT +sysctl +vm.swappiness +set 10, now 33$" "$BUS_TMP/status.txt" &&
        grep -q "drifted since skytune applied them: vm.swappiness (transaction $old)" "$BUS_TMP/status.txt" ||
        bus_fail "status text: $(cat "$BUS_TMP/status.txt")"

# A newer transaction sets the same key: it owns it now, and the live value matches it.
newest=$(apply "sysctl vm.swappiness 20")
[[ $(status) == 0 ]] || bus_fail "status after a newer transaction set the key: $(jq -c . "$BUS_TMP/status.json")"
[[ $(item vm.swappiness) == "$(jq -nc --arg t "$newest" --arg o "$old" '[{drift: false, key: "vm.swappiness", kind: "sysctl",
        live: "20", set: "20", superseded: [$o], transaction: $t}]')" ]] || bus_fail "superseded key: $(item vm.swappiness)"
echo 44 >"$swp"
[[ $(status) == 3 && $(jq -r '.items[] | select(.drift) | .transaction' "$BUS_TMP/status.json") == "$newest" ]] ||
        bus_fail "drift of a superseded key is not the newest owner's: $(jq -c . "$BUS_TMP/status.json")"
echo 20 >"$swp"

# Usage errors: one form, exit 2, nothing on stdout.
for args in "status --jsn" "history --lst" "rollback --frce" "status extra" "history a b" "rollback a b"; do
        rc=0
        # shellcheck disable=SC2086
        "$SKYTUNE" $args >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
        verb=${args%% *}
        [[ $rc == 2 && ! -s $BUS_TMP/out && $(wc -l <"$BUS_TMP/err") == 1 ]] &&
                grep -Eq "^skytune: error: .*\(see 'skytune $verb --help'\)$" "$BUS_TMP/err" ||
                bus_fail "skytune $args: exit $rc, stdout '$(cat "$BUS_TMP/out")', stderr '$(cat "$BUS_TMP/err")'"
done
"$SKYTUNE" status --help | grep -q -- '^  --json ' || bus_fail "status --help does not describe --json"
# Failures under --json: nothing on stdout, exit 1.
for args in "history 20000101T000000-000000-000000 --json" "rollback 20000101T000000-000000-000000 --json"; do
        rc=0
        # shellcheck disable=SC2086
        "$SKYTUNE" $args >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
        [[ $rc == 1 && ! -s $BUS_TMP/out && -s $BUS_TMP/err ]] || bus_fail "skytune $args: exit $rc, stdout '$(cat "$BUS_TMP/out")'"
done
for verb in status history rollback; do
        rc=0
        DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_TMP/nobus "$SKYTUNE" $verb --json >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
        [[ $rc == 1 && ! -s $BUS_TMP/out ]] || bus_fail "$verb --json without a bus: exit $rc, stdout '$(cat "$BUS_TMP/out")'"
done
for t in "$newest" "$new" "$old"; do "$SKYTUNE" rollback "$t" --force >"$BUS_TMP/out" 2>&1 || bus_fail "rollback $t: $(cat "$BUS_TMP/out")"; done
[[ $(status) == 0 && $(jq -c .items "$BUS_TMP/status.json") == "[]" ]] || bus_fail "status after rollbacks: $(jq -c . "$BUS_TMP/status.json")"

# Rolled back between status's list and its read of the transaction: not reported. A polkit rule
# holds nobody's second read check (the GetTransaction) until root has rolled the transaction back.
gate=$BUS_TMP/gate; mkdir -m 0777 "$gate"
polkit_rule "polkit.addRule(function(action, subject) {
        if (action.id == 'io.skysentinel.skytune.read' && subject.user == 'nobody') {
                polkit.spawn(['/bin/sh', '-c', 'n=\$(cat $gate/n 2>/dev/null || echo 0); echo \$((n + 1)) >$gate/n; ' +
                        'if [ \$n -ge 1 ]; then i=0; while [ ! -e $gate/go ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done; fi']);
                return polkit.Result.YES;
        }
});"
late=$(apply "sysctl vm.swappiness 15")
setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
        "$SKYTUNE" status --json >"$BUS_TMP/late.json" 2>"$BUS_TMP/late.err" &
pid=$!
for _ in $(seq 100); do [[ $(cat "$gate/n" 2>/dev/null) == 2 ]] && break; sleep 0.05; done
[[ $(cat "$gate/n" 2>/dev/null) == 2 ]] || bus_fail "status as nobody never reached its GetTransaction: $(cat "$BUS_TMP/late.err")"
"$SKYTUNE" rollback "$late" >/dev/null || bus_fail "rollback $late"
touch "$gate/go"
rc=0; wait "$pid" || rc=$?
[[ $rc == 0 ]] && jq -e '.transactions == [] and .items == [] and .drift == false' "$BUS_TMP/late.json" >/dev/null ||
        bus_fail "status of a transaction rolled back while it read: exit $rc: $(cat "$BUS_TMP/late.json") $(cat "$BUS_TMP/late.err")"
echo "ok: drift in an older applied transaction reported with its id (exit 3), superseded keys judged by their newest owner, usage errors in one form;" \
        "a transaction rolled back while status read it is not reported"
