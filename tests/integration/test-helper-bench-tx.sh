#!/usr/bin/env bash
# bench run records the active skytune transactions (docs/bench.md): against a real skytune-helper
# on a private bus (fixture sysroot), no transaction gives [], an applied one gives its id, applied
# time and tunables, after its rollback [] again, and bench trends marks the runs where the set
# changed (tuning) with the ids; with no bus the run records null (unknown) and says nothing of it.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30
bus_setup "$1" "$2"
suite=$BUS_SRC/tests/fixtures/bench/one-sleep.conf
H=$BUS_TMP/h.db
run() { SKYTUNE_TEST_SLEEP=0.01 "$SKYTUNE" bench run "$suite" --history "$H" --json 2>"$BUS_TMP/err"; }

run >"$BUS_TMP/r1.json" || bus_fail "run without transactions: $(cat "$BUS_TMP/err")"
jq -e '.transactions == []' "$BUS_TMP/r1.json" >/dev/null || bus_fail "none is []: $(jq -c .transactions "$BUS_TMP/r1.json")"

id=$(hjson Apply st "$(make_plan <<<'sysctl vm.swappiness 10')" 0 | jq -r .id)
[[ $id == 2* ]] || bus_fail "apply gave no transaction id"
run >"$BUS_TMP/r2.json" || bus_fail "run with a transaction: $(cat "$BUS_TMP/err")"
jq -e --arg id "$id" '.transactions | length == 1 and .[0].id == $id and .[0].state == "applied" and
        (.[0].applied | length > 0) and .[0].tunables == ["vm.swappiness=10"]' "$BUS_TMP/r2.json" >/dev/null ||
        bus_fail "the applied transaction: $(jq -c .transactions "$BUS_TMP/r2.json")"
SKYTUNE_TEST_SLEEP=0.01 "$SKYTUNE" bench run "$suite" --history "$BUS_TMP/text.db" 2>/dev/null |
        grep -q "^skytune transaction active: $id (applied 20" || bus_fail "the run's text does not name $id"
# The history keeps it.
"$SKYTUNE" bench trends --history "$H" --json --min-segment 1 >"$BUS_TMP/t.json" 2>/dev/null || bus_fail "trends"
jq -e --arg id "$id" '.tuning | length == 1 and .[0].run == 2 and .[0].applied[0].id == $id' "$BUS_TMP/t.json" >/dev/null ||
        bus_fail "tuning marker of the apply: $(jq -c .tuning "$BUS_TMP/t.json")"

hjson RollbackWithFlags st "$id" 0 >/dev/null
run >"$BUS_TMP/r3.json" || bus_fail "run after the rollback"
jq -e '.transactions == []' "$BUS_TMP/r3.json" >/dev/null || bus_fail "rolled back is not active: $(jq -c .transactions "$BUS_TMP/r3.json")"
"$SKYTUNE" bench trends --history "$H" --json --min-segment 1 >"$BUS_TMP/t.json" 2>/dev/null || bus_fail "trends"
jq -e --arg id "$id" '.tuning | length == 2 and .[1].run == 3 and .[1].rolled_back[0].id == $id' "$BUS_TMP/t.json" >/dev/null ||
        bus_fail "tuning marker of the rollback: $(jq -c .tuning "$BUS_TMP/t.json")"
# The page's tuning table and chart name it, applied and rolled back.
"$SKYTUNE" bench trends --history "$H" --min-segment 1 --html "$BUS_TMP/t.html" >/dev/null 2>&1 || bus_fail "trends --html"
grep -q "applied $id: vm.swappiness=10" "$BUS_TMP/t.html" && grep -q "rolled back $id" "$BUS_TMP/t.html" &&
        grep -q ">+$id <" "$BUS_TMP/t.html" || bus_fail "the page does not name transaction $id"

# No helper to ask: unknown, not none, and not a word about it.
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_TMP/nosuch run >"$BUS_TMP/r4.json" || bus_fail "run without a bus: $(cat "$BUS_TMP/err")"
jq -e '.transactions == null' "$BUS_TMP/r4.json" >/dev/null || bus_fail "no bus is not null: $(jq -c .transactions "$BUS_TMP/r4.json")"
! grep -iv '^skytune: run [0-9]* of suite' "$BUS_TMP/err" || bus_fail "a run without the helper said more than its record (above)"
echo "ok: bench run records the active transactions ($id), [] without any, null without the helper"
