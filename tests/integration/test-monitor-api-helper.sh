#!/usr/bin/env bash
# GET /api/v1/transactions against a real skytune-helper on the private system bus of
# lib-helper-bus.sh: skytune-monitor reads the helper's transactions with the client library, one
# applied and one rolled back, the same ids, states and counts as `skytune history --json`; since=
# leaves out what came before; the first request is answered at once ("pending", the loop never
# waits for the bus); a later read renews the list in the background (the answer the one before,
# the next the new list). (Without a bus: test-monitor-api.sh.)
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30        # the monitor gives the helper 2 s (TX_TIMEOUT_USEC): no fresh ASan start in its reads
bus_setup "$1" "$2"
command -v curl >/dev/null || { echo "SKIP: curl missing (scripts/install-deps.sh --test)"; exit 77; }
mon=${SKYTUNE_MONITOR:-$BUS_BUILD/monitor/skytune-monitor}

plan=$(make_plan <<'P'
sysctl vm.swappiness 10
sysctl net.core.somaxconn 8192
P
)
first=$(hjson Apply st "$plan" 0 | jq -r .id)
"$SKYTUNE" rollback "$first" >/dev/null || bus_fail "rollback $first"
sleep 1.1 # the next one's created time is a later second than since= below
cut=$(date -u +%Y-%m-%dT%H:%M:%SZ)
second=$(hjson Apply st "$plan" 0 | jq -r .id)
"$SKYTUNE" history --json >"$BUS_TMP/history.json" || bus_fail "history --json"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listen = "127.0.0.1:%s";\napp_socket = "off";\n' "$port" >"$BUS_TMP/m.conf"
"$mon" --config "$BUS_TMP/m.conf" --sysroot "$BUS_SRC/tests/fixtures/captured-vm" --store "$BUS_TMP/m.db" \
        --duration 30 2>"$BUS_TMP/m.log" &
mpid=$!
for _ in $(seq 100); do grep -q "sampling every" "$BUS_TMP/m.log" && break; sleep 0.1; done
url=http://127.0.0.1:$port/api/v1/transactions
# The first request does not wait for the helper: "pending", then the list once it came.
curl -sf "$url" | jq -e '.available == false and (.why | startswith("pending"))' >/dev/null ||
        bus_fail "the first request: $(curl -s "$url")"
for _ in $(seq 50); do
        curl -sf "$url" >"$BUS_TMP/tx.json" || bus_fail "GET $url: $(cat "$BUS_TMP/m.log")"
        jq -e .available "$BUS_TMP/tx.json" >/dev/null && break
        sleep 0.1
done
python3 - "$BUS_TMP/tx.json" "$BUS_TMP/history.json" "$first" "$second" <<'PY' || bus_fail "transactions: $(cat "$BUS_TMP/tx.json")"
import json, sys
d, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert d["schema"] == "skytune.monitor-transactions/1" and d["available"] is True and "why" not in d, d
got = {t["id"]: t for t in d["transactions"]}
want = {t["id"]: t for t in h["transactions"]}
assert set(got) == set(want) == {sys.argv[3], sys.argv[4]}, (got.keys(), want.keys())
for i, t in got.items():
    assert t["state"] == want[i]["state"] and t["changes"] == want[i]["changes"] == 2, (t, want[i])
    assert t["created"] == want[i]["created"] and t["t"] > 0, t
assert got[sys.argv[3]]["state"] == "rolled-back" and got[sys.argv[4]]["state"] == "applied", got
assert [t["t"] for t in d["transactions"]] == sorted(t["t"] for t in d["transactions"]), "not oldest first"
PY
curl -sf "$url?since=$cut" | jq -e --arg id "$second" '[.transactions[].id] == [$id]' >/dev/null ||
        bus_fail "since=$cut: $(curl -s "$url?since=$cut")"

# Later reads renew the list in the background: past the 10 s the answer is the one before, and the
# next has the transaction applied meanwhile.
plan3=$(make_plan <<'P'
sysctl vm.swappiness 20
P
)
third=$(hjson Apply st "$plan3" 0 | jq -r .id)
[[ $third =~ ^[0-9T-]+-[0-9a-f]+$ ]] || bus_fail "a third transaction: '$third'"
sleep 10.2
curl -sf "$url" | jq -e --arg id "$third" '.available and ([.transactions[].id] | index($id) == null)' >/dev/null ||
        bus_fail "the first read past 10 s waited for the helper: $(curl -s "$url")"
for _ in $(seq 50); do
        curl -sf "$url" | jq -e --arg id "$third" '[.transactions[].id] | index($id) != null' >/dev/null && break
        sleep 0.1
done
curl -sf "$url" | jq -e --arg id "$third" '.available and ([.transactions[].id] | index($id) != null)' >/dev/null ||
        bus_fail "no $third after the background read: $(curl -s "$url")"
kill -TERM "$mpid"
wait "$mpid" || bus_fail "skytune-monitor exit $? after SIGTERM"
echo PASS
