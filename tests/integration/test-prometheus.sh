#!/usr/bin/env bash
# skytune profile --format prometheus on the real /proc: promtool (Debian package prometheus)
# accepts the exposition text and its lint finds nothing; --out writes the same text atomically
# (a file a textfile collector reads is never torn); bad formats are usage errors.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v promtool >/dev/null ||
        fail "promtool not found: install Debian's prometheus package (scripts/install-deps.sh --test does)"

"$skytune" profile --duration 1 --interval 0.5 --format prometheus --out "$tmp/out.prom" >"$tmp/stdout.prom"
cmp -s "$tmp/out.prom" "$tmp/stdout.prom" || fail "--out and stdout differ"
[[ $(stat -c %a "$tmp/out.prom") == 644 ]] || fail "--out file mode $(stat -c %a "$tmp/out.prom"), want 644 for the collector"
if ! promtool check metrics <"$tmp/out.prom" >"$tmp/promtool.log" 2>&1; then
        cat "$tmp/promtool.log" >&2
        fail "promtool check metrics rejected the output (kept above)"
fi
[[ ! -s "$tmp/promtool.log" ]] || { cat "$tmp/promtool.log" >&2; fail "promtool lint findings (above)"; }

# What promtool does not check: the prefix, no timestamps, base units, no counters in disguise.
grep -v '^#' "$tmp/out.prom" | grep -v '^skytune_' && fail "a sample without the skytune_ prefix"
awk '!/^#/ { sub(/\{.*\}/, ""); if (NF != 2) { print; bad = 1 } } END { exit bad }' "$tmp/out.prom" ||
        fail "a sample line with a timestamp or no value (above)"
grep -E '^skytune_[a-z0-9_]*_(pct|ms|kb|per_s)(\{| )' "$tmp/out.prom" && fail "a metric not in base units (above)"
grep -Eq '^skytune_cpu_utilization_ratio [0-9.e+-]+$' "$tmp/out.prom" || fail "skytune_cpu_utilization_ratio missing"
awk '/^skytune_cpu_utilization_ratio / { exit !($2 >= 0 && $2 <= 1) }' "$tmp/out.prom" || fail "cpu utilization is not a 0-1 ratio"
online=$(getconf _NPROCESSORS_ONLN)
[[ $(grep -c '^skytune_cpu_per_cpu_utilization_ratio{cpu="[0-9]*"}' "$tmp/out.prom") -eq $online ]] ||
        fail "expected one per-CPU utilization series per online CPU ($online)"
grep -q '^skytune_build_info{version="' "$tmp/out.prom" || fail "skytune_build_info missing"
# When the profile was built: within a minute of now (the profile's microsecond timestamp parses).
awk -v now="$(date +%s)" '/^skytune_profile_generated_timestamp_seconds / { found = 1; d = now - $2; ok = d > -60 && d < 60 }
        END { exit !(found && ok) }' "$tmp/out.prom" || fail "skytune_profile_generated_timestamp_seconds missing or not now"

# The same profile as JSON and as exposition text agree on a value (percent -> ratio).
"$skytune" profile --duration 0 --format json >"$tmp/p.json"
"$skytune" profile --duration 0 --format prometheus >"$tmp/p.prom"
want=$(jq '.resources.cpu.online_cpus.value' "$tmp/p.json")
got=$(awk '/^skytune_cpu_online_cpus / { print $2 }' "$tmp/p.prom")
[[ "$got" == "${want%.0}" ]] || fail "online CPUs: JSON $want, exposition $got"
promtool check metrics <"$tmp/p.prom" >/dev/null 2>&1 || fail "promtool rejected the --duration 0 output"

# --out replaces an existing file by rename: a reader holding the old file keeps the old content.
exec 3<"$tmp/out.prom"
"$skytune" profile --duration 0 --format prometheus --out "$tmp/out.prom" >/dev/null
head -c 20 <&3 | grep -q '^# HELP' || fail "the old file changed under a reader"
exec 3<&-
ls "$tmp" | grep -v -E '^(out.prom|stdout.prom|promtool.log|p.json|p.prom)$' && fail "temporary files left next to --out"

# Errors name the problem and exit 2 (usage) or 1 (failure).
set +e
"$skytune" profile --format yaml >/dev/null 2>"$tmp/e"; rc=$?
set -e
[[ $rc -eq 2 ]] || fail "--format yaml exited $rc, want 2"
grep -q "text, json or prometheus" "$tmp/e" || fail "--format yaml: message does not list the formats: $(cat "$tmp/e")"
set +e
"$skytune" profile --duration 0 --format prometheus --out /nonexistent/dir/skytune.prom >/dev/null 2>"$tmp/e"; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "unwritable --out exited $rc, want 1"
grep -q "/nonexistent/dir/skytune.prom" "$tmp/e" || fail "unwritable --out: message does not name the file"
echo "ok: promtool check metrics passes on $(grep -c '^# TYPE' "$tmp/out.prom") metric families"
