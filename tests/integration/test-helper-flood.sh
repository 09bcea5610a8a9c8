#!/usr/bin/env bash
# Denial of service by unprivileged callers, measured on the private bus with the real polkitd:
#  A. nobody floods Apply (36 callers, each calling again 20 ms after every reply, for as long as root
#     measures) while polkitd takes 20 ms per check of nobody's (a rule's busy loop: a loaded polkitd).
#     Root's Apply and Rollback calls meanwhile: none may get Busy, and each must return quickly.
#  B. With 3000 finished transactions in the journal (kept: --keep-finished 0), nobody and then root
#     send 120 concurrent ListTransactions; root's Apply right after each burst must return quickly.
#  B2. history --json and --all list all of them (ListTransactionsPage), the plain list says how.
#  C. Retention: the next activation with the default --keep-finished keeps the newest 100 finished
#     transactions and every one not provably undone (applied, a conflict left, a "failed" one whose
#     changes are still applied with no rollback outcome, one without its counters), removes the rest.
# Prints the figures (Busy rate, latencies). Bounded: about 30 s of load on the private bus's socket.
# FLOOD_MEASURE_ONLY=1 prints the figures without judging them (SKYTUNE_HELPER=<an older helper> for
# the figures before a change).
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30
bus_setup "$1" "$2"
flood=$BUS_TMP/flood
pids=()        # the test's own background callers (bus_setup's daemons are background jobs too)
trap 'rc=$?; touch "$flood.stop" 2>/dev/null; [[ ${#pids[@]} == 0 ]] || wait "${pids[@]}" 2>/dev/null; set +e; (exit $rc); bus_teardown' EXIT
LIMIT_MS=${FLOOD_LIMIT_MS:-3000}

plan() { echo "sysctl net.core.somaxconn $1" | make_plan; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
# root_call METHOD SIG ARGS...: one timed call as root; appends "ms rc error" to $BUS_TMP/root.txt.
root_call() {
        local t0 rc=0 out
        t0=$(date +%s%N)
        out=$(dbus-send --system --print-reply --reply-timeout=30000 --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.$1" "${@:2}" 2>&1) || rc=$?
        echo "$(ms_since "$t0") $rc $(grep -o 'Error [A-Za-z0-9.]*' <<<"$out" | head -1 | tr ' ' _)" >>"$BUS_TMP/root.txt"
}
summary() {        # summary LABEL: Busy count, failures, median and max latency of root's calls
        sort -n "$BUS_TMP/root.txt" | awk -v label="$1" '{ ms[NR] = $1; if ($3 ~ /Busy/) busy++; if ($2 != 0) bad++ }
                END { printf "%s: %d root calls, %d Busy (%.0f%%), %d failed, median %d ms, max %d ms\n", label, NR, busy,
                      100 * busy / NR, bad, ms[int((NR + 1) / 2)], ms[NR] }'
        echo "   (ms rc error, in call order: $(tr '\n' ';' <"$BUS_TMP/root.txt"))"
}
check_root() {        # no Busy, no failure, every call within LIMIT_MS (FLOOD_MEASURE_ONLY=1: only say so)
        [[ ${FLOOD_MEASURE_ONLY:-0} == 1 ]] && return 0
        awk -v lim="$LIMIT_MS" '$2 != 0 || $1 > lim { bad = 1 } END { exit bad }' "$BUS_TMP/root.txt" ||
                bus_fail "$1: root was refused or waited: $(summary "$1")"
}

# A. Apply flood by nobody.
polkit_rule 'polkit.addRule(function(action, subject) {
        if (subject.user == "nobody") { var t = Date.now(); while (Date.now() - t < 20) { } }
});'
hcall ListTransactions >/dev/null
nobody_plan=$(plan 1024)
for i in $(seq 36); do
        as_nobody bash -c 'while [[ ! -e $1.stop ]]; do
                dbus-send --system --print-reply --reply-timeout=30000 --dest="$2" "$3" "$4.Apply" "string:$5" uint64:0 >/dev/null 2>&1
                sleep 0.02; done' sh "$flood" "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$nobody_plan" &
        pids+=($!)
done
sleep 2        # the flood is established
: >"$BUS_TMP/root.txt"
for v in 8192 9000 10000 11000 12000 13000 14000 15000; do
        root_call Apply "string:$(plan "$v")" uint64:0
        root_call Rollback string:last
done
touch "$flood.stop"
wait "${pids[@]}"
pids=()
rm -f "$flood.stop"
summary "A. Apply flood by nobody (36 callers, polkitd 20 ms per check)"
check_root "A"
[[ $(cat "$ROOT/proc/sys/net/core/somaxconn") == 4096 ]] || bus_fail "somaxconn not restored"

# B. 3000 finished transactions, 120 concurrent ListTransactions, then root's Apply.
helper_stop
python3 - "$STATE/tx" <<'PY'
import json, sys
d = sys.argv[1]
for i in range(3000):
    tid = "20200101T%06d-000000-%06x" % (i // 60 * 100 + i % 60, i)
    state, extra, drop = "rolled-back", {}, ()
    if i < 3:
        state = "applied"            # old, still applied: never pruned
    elif i < 5:
        extra = {"conflicts": 1}     # rolled back with a conflict left: kept
    elif i == 5:
        state = "failed"             # its rollback never ran: the changes are live, this is their only undo record
    elif i == 6:
        drop = ("conflicts", "failures")   # no counters at all: not provably undone, kept
    elif i == 7:
        state = "failed"             # counters 0, but a "failed" change and file that may have landed: kept
    tx = {"schema": "skytune.tx/1", "id": tid, "state": state, "boot_id": "0" * 32, "created": "2020-01-01T00:00:00.000000Z",
          "updated": "2020-01-01T00:00:01.000000Z", "caller_uid": 0, "persist": False,
          "changes": [{"kind": "sysctl", "key": "vm.swappiness", "proposed": "10", "mechanism": "live", "old": "60", "new": "10",
                       "status": "applied" if state == "applied" else "rolled-back", "old_raw": "60", "rollback": "restored"}] * 4,
          "files": [], "notes": [], "conflicts": 0, "failures": 0, "forced": False, "rolled_back": "2020-01-01T00:00:02.000000Z",
          **extra}
    if state == "failed" and i == 7:
        tx["changes"] = [dict(tx["changes"][0], status="failed")] + tx["changes"][1:]
        del tx["changes"][0]["rollback"]
        tx["files"] = [{"path": "etc/sysctl.d/90-skytune.conf", "existed": False, "new_content": "vm.swappiness = 10\n",
                        "status": "failed", "created_dirs": []}]
    elif state == "failed":
        for k in ("conflicts", "failures", "rolled_back"):
            del tx[k]
        tx["changes"] = [dict(c, status="applied") for c in tx["changes"]]
        for c in tx["changes"]:
            del c["rollback"]
    for k in drop:
        del tx[k]
    with open("%s/%s.json" % (d, tid), "w") as f:
        f.write(json.dumps(tx, indent=1) + "\n")
PY
keep=()
"$HELPER" --help | grep -q -- --keep-finished && keep=(--keep-finished 0)
bus_activation "${keep[@]}"
list_burst() {        # list_burst WHO: 120 concurrent ListTransactions as WHO, then one timed Apply and Rollback of root
        local i
        for i in $(seq 120); do
                if [[ $1 == nobody ]]; then
                        as_nobody dbus-send --system --print-reply --reply-timeout=60000 --dest="$BUS_NAME" "$BUS_PATH" \
                                "$BUS_IFACE.ListTransactions" >/dev/null 2>&1 &
                else
                        dbus-send --system --print-reply --reply-timeout=60000 --dest="$BUS_NAME" "$BUS_PATH" \
                                "$BUS_IFACE.ListTransactions" >/dev/null 2>&1 &
                fi
                pids+=($!)
        done
        sleep 0.5
        root_call Apply "string:$(plan 8192)" uint64:0
        root_call Rollback string:last
        wait "${pids[@]}" || true
        pids=()
}
t0=$(date +%s%N)
hcall ListTransactions >"$BUS_TMP/first" || bus_fail "first ListTransactions on 3000 files"
echo "B. first ListTransactions after activation over $(journal_count) journal files: $(ms_since "$t0") ms"
t0=$(date +%s%N)
hcall ListTransactions >/dev/null
echo "B. the next one: $(ms_since "$t0") ms"
for who in nobody root; do
        : >"$BUS_TMP/root.txt"
        list_burst "$who"
        summary "B. 120 concurrent ListTransactions by $who over $(journal_count) journal files"
        check_root "B ($who)"
done

# B2. history pages through ListTransactionsPage: --json and --all have every transaction, the plain
#     list (one capped ListTransactions) says how to see the rest.
n=$(journal_count)
"$SKYTUNE" history --json >"$BUS_TMP/hist.json" || bus_fail "history --json over $n transactions"
[[ $(jq '.transactions | length' "$BUS_TMP/hist.json") == "$n" && $(jq '[.transactions[].id] | unique | length' "$BUS_TMP/hist.json") == "$n" ]] &&
        jq -e '[.transactions[].id] == ([.transactions[].id] | sort)' "$BUS_TMP/hist.json" >/dev/null ||
        bus_fail "history --json has $(jq '.transactions | length' "$BUS_TMP/hist.json") transactions of $n (oldest first, each once)"
[[ $("$SKYTUNE" history --all | grep -c '^2020') == 3000 ]] || bus_fail "history --all does not list the 3000 old transactions"
"$SKYTUNE" history >"$BUS_TMP/hist.txt"
grep -q "older transaction(s) not shown: 'skytune history --all' lists every one" "$BUS_TMP/hist.txt" ||
        bus_fail "history without --all: $(tail -2 "$BUS_TMP/hist.txt")"
echo "B2. history --json and --all over $n transactions: every one, page by page"

# C. Retention at the default.
helper_stop
bus_activation
hcall ListTransactions >/dev/null
n=$(journal_count)
for i in 0 1 2 3 4 5 6 7; do
        [[ -e $STATE/tx/$(printf '20200101T%06d-000000-%06x' "$i" "$i").json ]] ||
                bus_fail "retention removed transaction $i (applied, a conflict left, failed with live changes, a failed change or file, or no counters)"
done
[[ -e $STATE/tx/$(printf '20200101T%06d-000000-%06x' 4959 2999).json ]] || bus_fail "retention removed the newest finished one"
# 100 finished kept (the test's own rolled-back ones among them) plus the 8 kept for what they hold.
[[ $n == 108 ]] || bus_fail "retention kept $n journal files, expected 108"
echo "C. retention: $n files left: the newest 100 finished and 8 kept for what they hold"
echo "ok: no Busy and no wait for root under an Apply flood and under list bursts over 3000 journal files; retention keeps 100 finished"
