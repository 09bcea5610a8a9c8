#!/usr/bin/env bash
# skytune set through the real skytune-helper on the private bus: the one-off change is a journaled
# transaction (history lists it, rollback takes it back), with apply's dry run, its refusal without a
# terminal and --yes, the question on a terminal (declined, and Ctrl-C), values checked before
# anything is sent, and --persist writing the owned sysctl.d file.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
SRC=$2
sw() { cat "$ROOT/proc/sys/vm/swappiness"; }

# A dry run: the exact effect, nothing written, nothing in the journal.
"$SKYTUNE" set vm.swappiness=10 --dry-run --sysroot "$ROOT" >"$BUS_TMP/dry" || bus_fail "set --dry-run: $(cat "$BUS_TMP/dry")"
grep -q 'vm.swappiness .*60 -> 10' "$BUS_TMP/dry" && [[ $(sw) == 60 && $(journal_count) == 0 ]] ||
        bus_fail "set --dry-run output or effect: $(cat "$BUS_TMP/dry")"
rc=0; "$SKYTUNE" set vm.swappiness=10 --dry-run --detailed-exitcode --sysroot "$ROOT" >/dev/null || rc=$?
[[ $rc == 3 ]] || bus_fail "set --dry-run --detailed-exitcode exited $rc"

# Refused before anything is sent: an unknown key (exit 1, the nearest name), a value out of range,
# not KEY=VALUE (exit 2), no terminal and no --yes (exit 2).
rc=0; "$SKYTUNE" set vm.swapiness=10 --yes --sysroot "$ROOT" 2>"$BUS_TMP/err" || rc=$?
[[ $rc == 1 ]] && grep -q "did you mean 'vm.swappiness'" "$BUS_TMP/err" || bus_fail "unknown key (rc $rc): $(cat "$BUS_TMP/err")"
rc=0; "$SKYTUNE" set vm.swappiness=300 --yes --sysroot "$ROOT" 2>"$BUS_TMP/err" || rc=$?
[[ $rc == 1 ]] && grep -q "vm.swappiness=300 is refused" "$BUS_TMP/err" || bus_fail "range (rc $rc): $(cat "$BUS_TMP/err")"
rc=0; "$SKYTUNE" set vm.swappiness=010 --yes --sysroot "$ROOT" 2>/dev/null || rc=$?
[[ $rc == 1 ]] || bus_fail "a leading zero (octal to the kernel) was accepted (rc $rc)"
rc=0; "$SKYTUNE" set vm.swappiness --yes --sysroot "$ROOT" 2>/dev/null || rc=$?
[[ $rc == 2 ]] || bus_fail "KEY without =VALUE exited $rc"
rc=0; "$SKYTUNE" set vm.swappiness=10 --sysroot "$ROOT" </dev/null >/dev/null 2>"$BUS_TMP/err" || rc=$?
[[ $rc == 2 ]] && grep -q -- '--yes' "$BUS_TMP/err" || bus_fail "no terminal, no --yes (rc $rc)"
[[ $(sw) == 60 && $(journal_count) == 0 ]] || bus_fail "a refused set changed something"

# On a terminal: declined (exit 1) and Ctrl-C at the question (exit 130) change nothing.
rc=0; python3 "$SRC/tests/integration/pty-drive.py" "$BUS_TMP/tty" answer:n "$SKYTUNE" set vm.swappiness=10 --sysroot "$ROOT" || rc=$?
[[ $rc == 1 && $(sw) == 60 ]] || bus_fail "declined at the question (rc $rc): $(cat "$BUS_TMP/tty.tty")"
rc=0; python3 "$SRC/tests/integration/pty-drive.py" "$BUS_TMP/tty" signal:INT "$SKYTUNE" set vm.swappiness=10 --sysroot "$ROOT" || rc=$?
[[ $rc == 130 && $(sw) == 60 && $(journal_count) == 0 ]] || bus_fail "Ctrl-C at the question (rc $rc)"

# The real change: two kinds in one transaction, listed by history, taken back by rollback.
"$SKYTUNE" set vm.swappiness=10 net.core.somaxconn=8192 --yes --sysroot "$ROOT" </dev/null >"$BUS_TMP/set" ||
        bus_fail "set --yes: $(cat "$BUS_TMP/set")"
id=$(sed -n 's/^Applied transaction \([^:]*\):$/\1/p' "$BUS_TMP/set")
[[ -n $id && $(sw) == 10 && $(cat "$ROOT/proc/sys/net/core/somaxconn") == 8192 ]] || bus_fail "set: $(cat "$BUS_TMP/set")"
"$SKYTUNE" history | grep -q "^$id .* applied .*2/2" || bus_fail "history after set: $("$SKYTUNE" history)"
"$SKYTUNE" get vm.swappiness --sysroot "$ROOT" | grep -qx 'vm.swappiness = 10' || bus_fail "get after set"
"$SKYTUNE" rollback "$id" >/dev/null || bus_fail "rollback of the set"
[[ $(sw) == 60 && $(cat "$ROOT/proc/sys/net/core/somaxconn") == 4096 ]] || bus_fail "rollback did not restore"
"$SKYTUNE" history --json | jq -e --arg id "$id" '.transactions[] | select(.id == $id) | .state == "rolled-back"' >/dev/null ||
        bus_fail "history after rollback"

# --persist writes the owned file; --json is apply's document with the transaction.
"$SKYTUNE" set vm.swappiness=12 --persist --yes --json --sysroot "$ROOT" </dev/null >"$BUS_TMP/sj" || bus_fail "set --json"
jq -e '.schema == "skytune.plan/1" and .transaction.state == "applied" and .persist' "$BUS_TMP/sj" >/dev/null ||
        bus_fail "set --json: $(cat "$BUS_TMP/sj")"
grep -qx 'vm.swappiness = 12' "$ROOT/etc/sysctl.d/90-skytune.conf" || bus_fail "set --persist wrote no sysctl.d line"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback --last after set --persist"
[[ ! -e $ROOT/etc/sysctl.d/90-skytune.conf && $(sw) == 60 ]] || bus_fail "rollback after set --persist"
# A file-only kind: the unit's drop-in is the change; get reads it back, rollback removes it.
"$SKYTUNE" set ulimit:unit:nginx.service:nofile=4096 --yes --sysroot "$ROOT" </dev/null >"$BUS_TMP/su" ||
        bus_fail "set of a unit limit: $(cat "$BUS_TMP/su")"
"$SKYTUNE" get ulimit:unit:nginx.service:nofile --sysroot "$ROOT" | grep -qx 'ulimit:unit:nginx.service:nofile = 4096:4096' ||
        bus_fail "get of the unit limit: $("$SKYTUNE" get ulimit:unit:nginx.service:nofile --sysroot "$ROOT" 2>&1)"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback of the unit limit"
[[ ! -e $ROOT/etc/systemd/system/nginx.service.d/90-skytune.conf ]] || bus_fail "rollback left the drop-in"
echo "ok: set (dry run, refusals, question, Ctrl-C, transaction, history, rollback, --persist, --json)"
