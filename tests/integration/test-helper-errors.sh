#!/usr/bin/env bash
# The D-Bus error names of the transaction engine's failures: the core (helper/helper-core.h) returns
# a negative errno and a message, and helper/bus.c alone maps them (-ENOENT NotFound, -EBUSY Conflict,
# other failures Failed, -EINVAL InvalidPlan for Apply); each with the core's message.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

# dbus-send prints the error's name ("Error NAME: message"); busctl prints only the message.
call() { must_fail dbus-send --system --print-reply --reply-timeout=30000 --dest="$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.$1" "${@:2}"; }
expect() {        # expect NAME MESSAGE-PART OUTPUT
        grep -q "^Error $BUS_IFACE.Error.$1: .*$2" <<<"$3" || bus_fail "expected Error.$1 ($2), got: $3"
}

out=$(call RollbackWithFlags string:last uint64:0) || bus_fail "rollback with nothing applied succeeded"
expect NotFound "no applied transaction to roll back" "$out"
out=$(call GetTransaction string:20200101T000000-000000-000000) || bus_fail "unknown transaction found"
expect NotFound "no transaction 20200101T000000-000000-000000" "$out"

id=$(hjson Apply st "$(make_plan false <<<'sysctl vm.swappiness 10')" 0 | jq -r .id)
hjson Rollback s "$id" >/dev/null
out=$(call Rollback "string:$id") || bus_fail "second rollback accepted"
expect Conflict "transaction $id is rolled-back; only an applied transaction" "$out"

# An owned file that cannot be written (its first directory: ENOSPC): Failed, and the live change
# this apply had written is rolled back.
helper_stop
bus_activation --test-fault mkdir:1:ENOSPC
out=$(call Apply "string:$(make_plan true <<<'read_ahead_kb vda 4096')" uint64:0) || bus_fail "apply with a failing owned file succeeded"
expect Failed "No space left on device; what this transaction had changed was rolled back" "$out"
[[ $(cat "$ROOT/sys/block/vda/queue/read_ahead_kb") == 128 ]] || bus_fail "read_ahead_kb not rolled back"
echo "OK: NotFound, Conflict and Failed from the core"
