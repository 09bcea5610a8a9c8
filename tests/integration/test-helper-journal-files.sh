#!/usr/bin/env bash
# Hostile files among the journal records (issue 12 point 13): a FIFO and a 200 MB file named like
# records. Every activation must answer at once (on main the FIFO blocks the helper in open(2) and the
# large file is parsed whole, so each activation times out), each bad file is moved to corrupt/ with
# the reason logged, and the helper goes on to serve an Apply.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

bus_activation
busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version >/dev/null || bus_fail "no first activation"
helper_stop || bus_fail "SIGTERM did not stop the helper"
mkfifo "$STATE/tx/20260101T000000Z-fifo.json" "$STATE/tx/20260101T000001Z-pipe.json.progress"
truncate -s 200M "$STATE/tx/20260101T000002Z-huge.json"
printf '{"schema":"skytune.tx/1","id":"20260101T000001Z-pipe","state":"rolled-back","changes":[],"files":[]}\n' \
        >"$STATE/tx/20260101T000001Z-pipe.json"

start=$(date +%s%N)
list=$(timeout 20 busctl --system --timeout=15 --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" ListTransactions |
        jq -r '.data[0]') || bus_fail "ListTransactions did not answer (a FIFO or a huge record blocked the activation)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "activation and list with a FIFO and a 200 MB record: $ms ms"
(( ms < 10000 )) || bus_fail "the list took $ms ms"
for f in 20260101T000000Z-fifo.json 20260101T000002Z-huge.json; do
        [[ ! -e $STATE/tx/$f ]] || bus_fail "$f is still among the records"
        ls "$STATE/corrupt/$f".* >/dev/null 2>&1 || bus_fail "$f was not quarantined in corrupt/"
done
grep -q 'not a regular file' "$BUS_TMP/bus.log" || bus_fail "the FIFO's reason is not logged"
grep -q 'over the 16 MiB a record may have' "$BUS_TMP/bus.log" || bus_fail "the large file's reason is not logged"
# The good record beside a FIFO progress file is still listed, from its durable record.
echo "$list" | jq -e '.transactions | map(.id) | index("20260101T000001Z-pipe") != null' >/dev/null ||
        bus_fail "the record beside the FIFO progress file is missing from the list"

plan=$(make_plan <<<'sysctl vm.swappiness 10')
hcall Apply st "$plan" 0 >/dev/null || bus_fail "Apply failed after the quarantine"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "the value was not applied"
echo "ok: hostile journal files quarantined, activation not blocked"
