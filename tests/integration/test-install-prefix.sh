#!/usr/bin/env bash
# An install below another prefix is consistent: configured with -DCMAKE_INSTALL_PREFIX=/usr/local
# and installed to a DESTDIR, the systemd unit's ExecStart= and the D-Bus activation file's Exec=
# name the helper where it was installed, and that helper is there. (The packages keep /usr:
# tests/packaging/test-deb.sh and test-rpm.sh.) Builds only the two installed programs, unoptimised.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/usr/local
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX=$prefix -DSKYTUNE_TESTS=OFF \
        -DSKYTUNE_SYSTEMD_UNIT_DIR=$prefix/lib/systemd/system >"$tmp/configure.log" 2>&1 ||
        { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" -j2 --target skytune skytune-helper >"$tmp/build.log" 2>&1 ||
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
! grep -rn '@[A-Z_]*@' "$unit" "$activation" || fail "a placeholder was left unreplaced"
echo "ok: unit and activation file point at $helper"
