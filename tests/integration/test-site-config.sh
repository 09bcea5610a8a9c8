#!/usr/bin/env bash
# /etc/skytune/skytune.conf (skytune.conf(5)), the settings the CLI and the services share: its
# policy is plan's default (an explicit --policy wins); its monitor.store is where `skytune monitor`
# and `skytune alerts` read and, beside monitor.conf, where skytune-monitor writes (monitor.conf's
# own store wins); a mistake is an error at file:line and a failure (exit 1), never a silent default.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
fx=$src/tests/fixtures/captured-vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The CLI: SKYTUNE_CONF names the file (the default is /etc/skytune/skytune.conf).
"$build/tests/store-fill" "$tmp/site.db" 1 || fail "store-fill"
cat >"$tmp/skytune.conf" <<CONF
policy = "throughput-performance";
monitor = { store = "$tmp/site.db"; };
CONF
export SKYTUNE_CONF=$tmp/skytune.conf
"$sky" monitor series --json >"$tmp/series.json" || fail "monitor series without --store"
[ "$(jq -r .store "$tmp/series.json")" = "$tmp/site.db" ] || fail "monitor series read $(jq -r .store "$tmp/series.json")"
"$sky" alerts --json >"$tmp/alerts.json" || fail "alerts without --store"
[ "$(jq -r .store "$tmp/alerts.json")" = "$tmp/site.db" ] || fail "alerts read $(jq -r .store "$tmp/alerts.json")"
"$sky" monitor series --store "$tmp/none.db" 2>/dev/null && fail "--store does not win over skytune.conf"

"$sky" plan --sysroot "$fx" --duration 1 --json >"$tmp/plan.json" 2>"$tmp/plan.err" || fail "plan: $(cat "$tmp/plan.err")"
jq -e '.policy.name == "throughput-performance"' "$tmp/plan.json" >/dev/null ||
        fail "plan did not take skytune.conf's policy: $(jq -c .policy.name "$tmp/plan.json")"
"$sky" plan --sysroot "$fx" --duration 1 --policy balanced --json >"$tmp/plan2.json" 2>/dev/null || fail "plan --policy"
jq -e '.policy.name == "balanced"' "$tmp/plan2.json" >/dev/null || fail "--policy does not win"

# A mistake: file:line, exit 1, for every command that reads the file.
printf 'policy = "balanced";\nmonitor = { stor = "/x"; };\n' >"$tmp/skytune.conf"
rc=0; "$sky" monitor series 2>"$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "$tmp/skytune.conf:2: unknown .*stor" "$tmp/err" || fail "a bad skytune.conf: exit $rc, $(cat "$tmp/err")"
rc=0; "$sky" plan --sysroot "$fx" --duration 1 >/dev/null 2>"$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "skytune.conf:2:" "$tmp/err" || fail "plan with a bad skytune.conf: exit $rc, $(cat "$tmp/err")"
unset SKYTUNE_CONF

# The daemon reads skytune.conf beside its monitor.conf: monitor.store is its store...
mkdir "$tmp/etc"
printf 'monitor = { store = "%s"; };\n' "$tmp/daemon.db" >"$tmp/etc/skytune.conf"
printf 'interval = "1s";\nlisten = "off";\n' >"$tmp/etc/monitor.conf"
"$mon" --config "$tmp/etc/monitor.conf" --check >"$tmp/check.out" 2>&1 || fail "--check: $(cat "$tmp/check.out")"
grep -q "into $tmp/daemon.db" "$tmp/check.out" || fail "--check does not show skytune.conf's store: $(cat "$tmp/check.out")"
"$mon" --config "$tmp/etc/monitor.conf" --sysroot "$fx" --interval 0.2 --duration 1 2>"$tmp/d.log" || fail "daemon: $(cat "$tmp/d.log")"
[ -s "$tmp/daemon.db" ] || fail "the daemon did not write skytune.conf's store"
# ... unless monitor.conf names its own; a broken skytune.conf stops the start at file:line.
printf 'store = "%s";\nlisten = "off";\n' "$tmp/own.db" >"$tmp/etc/monitor.conf"
"$mon" --config "$tmp/etc/monitor.conf" --check | grep -q "into $tmp/own.db" || fail "monitor.conf's store does not win"
printf 'monitor = { store = "relative.db"; };\n' >"$tmp/etc/skytune.conf"
rc=0; "$mon" --config "$tmp/etc/monitor.conf" --check >"$tmp/bad.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "skytune.conf:1: 'monitor.store' must be an absolute path" "$tmp/bad.out" ||
        fail "the daemon with a bad skytune.conf: exit $rc, $(cat "$tmp/bad.out")"
echo PASS
