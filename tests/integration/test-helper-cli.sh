#!/usr/bin/env bash
# The CLI's helper verbs against the private bus: skytune history, status (drift) and rollback
# (--last, an id, conflicts -> exit 1, --force), with their exit codes; AnnotateTransaction (the
# verdicts of apply --verify) and what history shows of them, and the records it refuses.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

"$SKYTUNE" history | grep -q 'No transactions yet' || bus_fail "history on an empty journal"
"$SKYTUNE" status | grep -q 'No applied transaction' || bus_fail "status with nothing applied"
must_fail "$SKYTUNE" rollback --last | grep -q 'NotFound\|no applied transaction' || bus_fail "rollback with nothing applied"

plan=$(make_plan <<'P'
sysctl vm.swappiness 10
sysctl net.core.somaxconn 8192
P
)
id=$(hjson Apply st "$plan" 0 | jq -r .id)
"$SKYTUNE" history | grep -q "^$id .* applied .*2/2" || bus_fail "history: $("$SKYTUNE" history)"
"$SKYTUNE" history --json | jq -e --arg id "$id" '.schema == "skytune.txlist/1" and .transactions[0].id == $id' >/dev/null || bus_fail "history --json"
"$SKYTUNE" status >"$BUS_TMP/st" || bus_fail "status exit $? without drift"
grep -q 'ok .*vm.swappiness .*set 10, now 10' "$BUS_TMP/st" || bus_fail "status: $(cat "$BUS_TMP/st")"
echo 25 >"$ROOT/proc/sys/vm/swappiness"
rc=0; "$SKYTUNE" status >"$BUS_TMP/st" || rc=$?
[[ $rc == 3 ]] && grep -q 'DRIFT .*vm.swappiness .*set 10, now 25' "$BUS_TMP/st" || bus_fail "status with drift (rc $rc): $(cat "$BUS_TMP/st")"
"$SKYTUNE" status --json | jq -e '.drift == true' >/dev/null || true

# The administrator's value survives and the CLI says so, exit 1.
rc=0; "$SKYTUNE" rollback --last >"$BUS_TMP/rb" 2>&1 || rc=$?
[[ $rc == 1 ]] || bus_fail "rollback with a conflict exited $rc"
grep -q 'conflict .*vm.swappiness .*now 25' "$BUS_TMP/rb" && grep -q -- '--force' "$BUS_TMP/rb" || bus_fail "rollback output: $(cat "$BUS_TMP/rb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 25 && $(cat "$ROOT/proc/sys/net/core/somaxconn") == 4096 ]] || bus_fail "rollback values"

# An id, --force, --json.
echo 60 >"$ROOT/proc/sys/vm/swappiness"
id=$(hjson Apply st "$plan" 0 | jq -r .id)
echo 26 >"$ROOT/proc/sys/vm/swappiness"
"$SKYTUNE" rollback "$id" --force --json | jq -e '.state == "rolled-back" and .forced' >/dev/null || bus_fail "rollback ID --force --json"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "forced rollback"
rc=0; "$SKYTUNE" rollback "$id" >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || bus_fail "second rollback of $id exited $rc"
rc=0; "$SKYTUNE" rollback a b >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || bus_fail "usage error exited $rc"

# As an unprivileged user: refused, exit 1, with a hint.
id=$(hjson Apply st "$plan" 0 | jq -r .id)
rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$SKYTUNE" rollback --last >"$BUS_TMP/nb" 2>&1 </dev/null || rc=$?
[[ $rc == 1 ]] && grep -q 'polkit\|root' "$BUS_TMP/nb" || bus_fail "unprivileged rollback (rc $rc): $(cat "$BUS_TMP/nb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "unprivileged rollback changed something"
"$SKYTUNE" rollback >/dev/null || bus_fail "rollback of the last one"
# No helper at all (another bus address): a failure, never exit 0.
rc=0; DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_TMP/none "$SKYTUNE" history >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || bus_fail "history without a bus exited $rc"

# skytune apply (not --dry-run): without a terminal on stdin and without --yes it refuses (exit 2,
# nothing sent); with --yes it shows what it will do (not "Dry run") and calls Apply.
make_plan true <<<'sysctl vm.swappiness 12' >"$BUS_TMP/plan.json"
rc=0; "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" </dev/null >"$BUS_TMP/ap" 2>&1 || rc=$?
[[ $rc == 2 && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] && grep -q -- '--yes' "$BUS_TMP/ap" ||
        bus_fail "apply without a terminal and without --yes (rc $rc): $(cat "$BUS_TMP/ap")"
"$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" --yes </dev/null >"$BUS_TMP/ap" || bus_fail "skytune apply: $(cat "$BUS_TMP/ap")"
grep -q 'Applying this plan will do exactly this' "$BUS_TMP/ap" && grep -q 'Applied transaction' "$BUS_TMP/ap" &&
        ! grep -q 'Dry run' "$BUS_TMP/ap" || bus_fail "apply output: $(cat "$BUS_TMP/ap")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 12 ]] && grep -qx 'vm.swappiness = 12' "$ROOT/etc/sysctl.d/90-skytune.conf" ||
        bus_fail "skytune apply --persist did not write"
"$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" --yes --json | jq -e '.transaction.state == "unchanged"' >/dev/null ||
        bus_fail "second skytune apply --json"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback after skytune apply"
[[ ! -e $ROOT/etc/sysctl.d/90-skytune.conf && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "rollback after skytune apply"
rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" --yes \
        >/dev/null 2>&1 </dev/null || rc=$?
[[ $rc == 1 && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "unprivileged skytune apply (rc $rc)"
# AnnotateTransaction: a verification record stored with a transaction, shown by history.
id=$(hjson Apply st "$(make_plan <<<'sysctl vm.swappiness 11')" 0 | jq -r .id)
rec() {         # rec [JQ-UPDATE]: a verification record, changed by the update
        jq -cn --arg id "$id" '{schema: "skytune.verify/1", rounds: {baseline: 7, candidate: 7},
                metrics: [{probe: "net", metric: "rr_transactions_per_s", unit: "op/s", higher_is_better: true, primary: true,
                           baseline_median: 41000, candidate_median: 45500, ratio: 1.11, ci: [1.06, 1.15], p: 0.0006,
                           p_adjusted: 0.0006, threshold: 0.02, verdict: "improved", contaminated: [0, 0]},
                          {probe: "net", metric: "connect_per_s", verdict: "inconclusive", more_rounds: 4, ratio: null, ci: [null, null]}],
                primary_regressed: false, decision: "kept", order: "alternating", transactions: [$id]} | '"${1:-.}"
}
hjson AnnotateTransaction ss "$id" "$(rec)" | jq -e '.verification.decision == "kept" and .verification.recorded_by_uid == 0' >/dev/null ||
        bus_fail "AnnotateTransaction"
"$SKYTUNE" history | grep -q "^$id .* applied .*kept: net rr_transactions_per_s improved +11.0%" || bus_fail "history: $("$SKYTUNE" history)"
"$SKYTUNE" history "$id" >"$BUS_TMP/h1" || bus_fail "history ID exited $?"
grep -q 'rr_transactions_per_s .*41k .*45.5k .*+11.0% \[+6.0%, +15.0%\] .*improved (primary)' "$BUS_TMP/h1" &&
        grep -q 'connect_per_s .*inconclusive: need 4 more rounds' "$BUS_TMP/h1" || bus_fail "history ID: $(cat "$BUS_TMP/h1")"
"$SKYTUNE" history last --json | jq -e --arg id "$id" '.id == $id and .verification.metrics[0].verdict == "improved"' >/dev/null ||
        bus_fail "history last --json"
rc=0; "$SKYTUNE" history a b >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || bus_fail "history with two ids exited $rc"
# Refused before polkit: not an object, oversized, unknown members, bad values; then unknown ids.
big=$(rec ".metrics[1].unit = \"$(head -c 70000 /dev/zero | tr '\0' x)\"")
for bad in '[]' '"kept"' '{"schema": "skytune.verify/1"' "$(rec '.decision = "maybe"')" "$(rec '.state = "applied"')" \
        "$(rec '.metrics[0].probe = "net\u001b[2J"')" "$(rec '.metrics[0].p = 7')" "$(rec '.transactions = ["../x"]')" "$big"; do
        out=$(must_fail hcall AnnotateTransaction ss "$id" "$bad") || bus_fail "accepted: ${bad:0:200}"
        grep -q 'nothing was stored' <<<"$out" || bus_fail "unexpected error for ${bad:0:200}: $out"
done
grep -q 'more than 65536' <<<"$(must_fail hcall AnnotateTransaction ss "$id" "$big")" || bus_fail "oversized record: no size in the message"
"$SKYTUNE" history "$id" --json | jq -e '.verification.decision == "kept" and (.verification.state == null)' >/dev/null ||
        bus_fail "a refused record changed the stored one"
# The error names (busctl prints only the message; dbus-send prints the name).
aerr() { must_fail dbus-send --system --print-reply --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.AnnotateTransaction" "string:$1" "string:$2"; }
grep -q "Error.InvalidVerification: verification: not a JSON object" <<<"$(aerr "$id" '[]')" || bus_fail "error name for a bad record"
grep -q "Error.NotFound: no transaction 20200101T000000-000000-000000" <<<"$(aerr 20200101T000000-000000-000000 "$(rec)")" ||
        bus_fail "unknown transaction"
grep -q "InvalidArgs: invalid transaction id" <<<"$(aerr ../../etc "$(rec)")" || bus_fail "invalid id"
out=$(must_fail setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" \
        AnnotateTransaction ss "$id" "$(rec '.decision = "rolled-back"')") || bus_fail "unprivileged AnnotateTransaction accepted"
grep -q 'AccessDenied\|Access denied\|not authorized' <<<"$out" || bus_fail "unprivileged AnnotateTransaction: $out"
"$SKYTUNE" history "$id" --json | jq -e '.verification.decision == "kept"' >/dev/null || bus_fail "unprivileged caller changed the record"
"$SKYTUNE" rollback "$id" >/dev/null || bus_fail "rollback of the annotated transaction"
"$SKYTUNE" history --json | jq -e --arg id "$id" '.transactions[] | select(.id == $id) | .state == "rolled-back" and .verification.decision == "kept"' \
        >/dev/null || bus_fail "rollback lost the verification"
echo "ok: apply, history, status drift, rollback --last/ID/--force/--json and their exit codes, AnnotateTransaction"
