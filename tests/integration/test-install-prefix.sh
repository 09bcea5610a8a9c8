#!/usr/bin/env bash
# An install below another prefix is consistent: configured with -DCMAKE_INSTALL_PREFIX=/usr/local
# and installed to a DESTDIR, the systemd unit's ExecStart= and the D-Bus activation file's Exec=
# name the helper where it was installed, and that helper is there; so does skytune-monitor.service's
# ExecStart= for the monitor, and the shipped alert rules are where the monitor looks; the example
# benchmark suite is installed. (The packages
# keep /usr: tests/packaging/test-deb.sh and test-rpm.sh.) Builds only the installed programs,
# unoptimised.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/usr/local
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX=$prefix -DSKYTUNE_TESTS=OFF \
        -DSKYTUNE_SYSTEMD_UNIT_DIR=$prefix/lib/systemd/system >"$tmp/configure.log" 2>&1 ||
        { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" -j2 --target skytune skytune-helper skytune-monitor >"$tmp/build.log" 2>&1 ||
        { tail -30 "$tmp/build.log"; fail "build"; }
DESTDIR=$tmp/dest cmake --install "$tmp/build" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "install"; }
dest=$tmp/dest
helper=$prefix/libexec/skytune/skytune-helper
[[ -x $dest$helper ]] || fail "no helper at $helper: $(cd "$dest" && find . -name skytune-helper)"
unit=$dest$prefix/lib/systemd/system/skytune-helper.service
activation=$dest$prefix/share/dbus-1/system-services/io.skysentinel.SkyTune1.service
[[ -f $unit ]] || fail "no unit at ${unit#"$dest"}"
[[ -f $activation ]] || fail "no activation file at ${activation#"$dest"}"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[[ $exec_start == "$helper" ]] || fail "the unit's ExecStart= is '$exec_start', the helper is at $helper"
exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$activation")
[[ $exec == "$helper" ]] || fail "the activation file's Exec= is '$exec', the helper is at $helper"
monitor=$prefix/bin/skytune-monitor
munit=$dest$prefix/lib/systemd/system/skytune-monitor.service
[[ -x $dest$monitor && -f $munit ]] || fail "no skytune-monitor or its unit below $prefix"
mexec=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$munit")
[[ $mexec == "$monitor" ]] || fail "skytune-monitor.service's ExecStart= is '$mexec', the monitor is at $monitor"
[[ -f $dest$prefix/share/skytune/alerts/host.conf ]] || fail "no shipped alert rules in $prefix/share/skytune/alerts"
[[ -f $dest$prefix/share/skytune/suites/performance.conf ]] || fail "no example benchmark suite in $prefix/share/skytune/suites"
strings "$dest$monitor" | grep -x "$prefix/share/skytune/alerts" >/dev/null || fail "the monitor does not look for its rules in $prefix/share/skytune/alerts"
! grep -rn '@[A-Z_]*@' "$unit" "$activation" "$munit" || fail "a placeholder was left unreplaced"
echo "ok: the units and the activation file point at $helper and $monitor"
