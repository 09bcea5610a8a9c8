#!/usr/bin/env bash
# Run a command inside the helper's test environment (private system bus with activation, polkitd,
# fixture sysroot): helper-bus-run.sh BUILD_DIR SOURCE_DIR CMD [ARGS...]. The command sees
# DBUS_SYSTEM_BUS_ADDRESS, SKYTUNE_BUS_ROOT and SKYTUNE_BUS_STATE. Used by bench/bench-helper.c.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
build=$1 src=$2
shift 2
bus_setup "$build" "$src"
export SKYTUNE_BUS_ROOT=$ROOT SKYTUNE_BUS_STATE=$STATE
"$@"
