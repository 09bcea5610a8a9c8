#!/bin/bash
# skytune-bench@.service and .timer as built (packaging/): systemd-analyze verify accepts both,
# the timer is daily and persistent, the service is a oneshot into the system history and not idle.
# Usage: test-bench-units.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }
svc=$build/packaging/skytune-bench@.service
timer=$2/packaging/skytune-bench@.timer
[ -f "$svc" ] || fail "$svc not generated (cmake configure)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# verify needs an instance; ExecStart= must name an existing binary, so point it at the build's CLI.
sed "s|^ExecStart=[^ ]*|ExecStart=$build/cli/skytune|" "$svc" >"$tmp/skytune-bench@.service"
cp "$timer" "$tmp/skytune-bench@.timer"
ln -s skytune-bench@.service "$tmp/skytune-bench@performance.service"
ln -s skytune-bench@.timer "$tmp/skytune-bench@performance.timer"
out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
        ./skytune-bench@performance.service ./skytune-bench@performance.timer 2>&1)
rc=$?
# Messages about the host's other units are not ours.
ours=$(printf '%s\n' "$out" | grep -i 'skytune-bench')
[ $rc -eq 0 ] && [ -z "$ours" ] || fail "systemd-analyze verify (rc $rc): $out"
grep -qx 'Type=oneshot' "$svc" || fail "service is not Type=oneshot"
grep -q '^ExecStart=.* bench run %i ' "$svc" || fail "ExecStart= does not run bench run %i"
grep -qx 'StateDirectory=skytune' "$svc" || fail "no StateDirectory=skytune"
grep -Eq '^(Nice|IOSchedulingClass)=' "$svc" && fail "service runs at a changed priority"
grep -qx 'OnCalendar=daily' "$timer" || fail "timer is not daily"
grep -qx 'Persistent=true' "$timer" || fail "timer is not Persistent"
echo "ok: skytune-bench@ units verify"
