#!/usr/bin/env bash
# One `skytune apply --verify` is one entry in `skytune history`: the transactions its candidate
# rounds were applied with (one helper transaction per switch, listed in the verification record of
# the last one) are folded under that entry, which says how many there are; `history --all` lists
# them under it ("round of ID"); `history --json` keeps every transaction.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
export SKYTUNE_SYSROOT=$ROOT
swp=$ROOT/proc/sys/vm/swappiness
python3 "$BUS_SRC/tests/integration/probe/server.py" --port-file "$BUS_TMP/port" --lifetime 90 \
        --delay-file "$swp" --delay-scale 0.1 &
server=$!
trap 'rc=$?; kill $server 2>/dev/null; set +e; (exit $rc); bus_teardown' EXIT
for _ in $(seq 100); do [[ -s $BUS_TMP/port ]] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$BUS_TMP/port")/
echo "sysctl vm.swappiness 10" | make_plan >"$BUS_TMP/plan.json"

# Shuffled pairs may keep the candidate on across pairs: try until the run switched at least twice.
for _ in 1 2 3; do
        "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --yes --json --verify --probes http --url "$url" \
                --rounds 6 --round-duration 0.1 >"$BUS_TMP/out.json" || bus_fail "apply --verify exited $?"
        kept=$(jq -r .transaction_id "$BUS_TMP/out.json")
        rounds=$(jq -r '.transaction.verification.transactions | length' "$BUS_TMP/out.json")
        (( rounds >= 2 )) && break
        "$SKYTUNE" rollback "$kept" >/dev/null
done
(( rounds >= 2 )) || bus_fail "three verify runs applied the candidate once each; nothing to fold"
folded=$((rounds - 1))
total=$("$SKYTUNE" history --json | jq '.transactions | length')

"$SKYTUNE" history >"$BUS_TMP/h.txt"
rows=$(grep -c "^$kept \|^[0-9]\{8\}T" "$BUS_TMP/h.txt" || true)
grep -q "^$kept .* applied .*kept: .*(+$folded round" "$BUS_TMP/h.txt" || bus_fail "history: no folded entry for $kept: $(cat "$BUS_TMP/h.txt")"
for id in $(jq -r '.transaction.verification.transactions[:-1][]' "$BUS_TMP/out.json"); do
        grep -q "$id" "$BUS_TMP/h.txt" && bus_fail "history shows round $id of $kept without --all: $(cat "$BUS_TMP/h.txt")"
done
# One line per run: every transaction but the rounds that verification records list (earlier runs
# that the loop rolled back have theirs folded too).
hidden=$("$SKYTUNE" history --json | jq '[.transactions[] | (.verification.transactions // []) | length - 1 | select(. > 0)] | add // 0')
[[ $rows == $((total - hidden)) ]] || bus_fail "history has $rows entries for $total transactions ($hidden rounds): $(cat "$BUS_TMP/h.txt")"

"$SKYTUNE" history --all >"$BUS_TMP/all.txt"
n=$(grep -c "^  [0-9A-Za-z-]* .* rolled-back .*round of $kept$" "$BUS_TMP/all.txt" || true)
[[ $n == "$folded" ]] || bus_fail "history --all: $n rounds of $kept, expected $folded: $(cat "$BUS_TMP/all.txt")"
# ... right under their run, in order.
awk -v k="$kept" '$1 == k { on = 1; next } on && /^  / { print $1; next } { on = 0 }' "$BUS_TMP/all.txt" >"$BUS_TMP/under"
jq -r '.transaction.verification.transactions[:-1][]' "$BUS_TMP/out.json" | diff - "$BUS_TMP/under" >/dev/null ||
        bus_fail "history --all: the rounds are not under $kept: $(cat "$BUS_TMP/all.txt")"
[[ $("$SKYTUNE" history --json | jq '.transactions | length') == "$total" ]] || bus_fail "history --json lost transactions"
"$SKYTUNE" rollback --last >/dev/null
echo "ok: apply --verify with $rounds candidate switches is one history entry; --all lists its $folded rounds under it"
