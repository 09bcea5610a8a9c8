#!/usr/bin/env bash
# The real binary on the real /proc: values checked against independent reads, plus the CLI's
# contract (exit codes, --out, --duration 0, errors that name the problem).
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$skytune" profile --duration 1 --interval 0.25 --json >"$tmp/p.json"
jq -e '.schema == "skytune.profile/1"' "$tmp/p.json" >/dev/null || fail "schema"
jq -e '.window.samples == 5' "$tmp/p.json" >/dev/null || fail "expected 5 samples, got $(jq .window.samples "$tmp/p.json")"

# CPUs: the online count from the kernel's own list, independently of /proc/stat.
online=$(getconf _NPROCESSORS_ONLN)
[[ $(jq '.resources.cpu.online_cpus.value' "$tmp/p.json") == "$online.0" || \
   $(jq '.resources.cpu.online_cpus.value' "$tmp/p.json") == "$online" ]] || fail "online_cpus != $online"
[[ $(jq '.host.cpus' "$tmp/p.json") == "$online" ]] || fail "host.cpus $(jq .host.cpus "$tmp/p.json") != $online"

# Memory: MemTotal from /proc/meminfo, in bytes.
memtotal=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
[[ $(jq '.host.memory_bytes' "$tmp/p.json") == "$memtotal" ]] || fail "host.memory_bytes != $memtotal"
jq -e --argjson m "$memtotal" '.resources.memory.total_bytes.value == $m' "$tmp/p.json" >/dev/null ||
        fail "memory.total_bytes != $memtotal"

# Block devices: every whole device in /sys/block with I/O since boot is reported.
for dev in /sys/block/*; do
        name=$(basename "$dev")
        ios=$(awk '{ print $1 + $5 }' "$dev/stat")
        [[ $ios -gt 0 ]] || continue
        jq -e --arg d "$name" '.resources.disk.devices[$d] != null' "$tmp/p.json" >/dev/null ||
                fail "block device $name (with $ios I/Os) missing from the profile"
        rot=$(cat "$dev/queue/rotational")
        jq -e --arg d "$name" --argjson r "$rot" '.resources.disk.devices[$d].rotational == ($r == 1)' "$tmp/p.json" >/dev/null ||
                fail "rotational flag of $name"
done

# Network interfaces from /proc/net/dev.
for ifc in $(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev); do
        jq -e --arg i "$ifc" '.resources.network.interfaces[$i] != null' "$tmp/p.json" >/dev/null ||
                fail "interface $ifc missing"
done

# Kernel and a sysctl value read independently.
[[ $(jq -r '.host.kernel' "$tmp/p.json") == "$(uname -r)" ]] || fail "kernel release"
[[ $(jq -r '.tunables.sysctl["vm.swappiness"]' "$tmp/p.json") == "$(cat /proc/sys/vm/swappiness)" ]] || fail "vm.swappiness"
[[ $(jq '.metric_count' "$tmp/p.json") -ge 100 ]] || fail "only $(jq .metric_count "$tmp/p.json") metrics"

# --duration 0: an instant snapshot, no rates, and it says so.
"$skytune" profile --duration 0 --json --out "$tmp/o.json" >"$tmp/z.json"
cmp -s "$tmp/o.json" "$tmp/z.json" || fail "--out and stdout differ"
jq -e '.window.samples == 1' "$tmp/z.json" >/dev/null || fail "--duration 0 samples"
jq -e '.resources.cpu.unavailable.rates' "$tmp/z.json" >/dev/null || fail "--duration 0 must report rates unavailable"

# Human output: findings section and resources.
"$skytune" profile --duration 0 >"$tmp/h.txt"
grep -q '^Findings' "$tmp/h.txt" || fail "human output has no findings section"
grep -q '^cpu$' "$tmp/h.txt" || fail "human output has no cpu section"
# Sizes in binary units from the same MemTotal; an unknown fact (JSON null) reads "unknown", never 0.
want=$(awk -v b="$memtotal" 'BEGIN { printf "%.2f GiB", b / 1073741824 }')
grep -Eq "^  total_bytes +${want} *$" "$tmp/h.txt" || fail "total_bytes is not shown as $want: $(grep total_bytes "$tmp/h.txt")"
if jq -e '[.resources.network.interfaces[] | select(.speed_mbps == null)] | length > 0' "$tmp/z.json" >/dev/null; then
        grep -Eq 'speed_mbps +unknown$' "$tmp/h.txt" || fail "an unknown link speed is not shown as unknown"
fi

# Usage errors exit 2 and name the problem; failures exit 1; nothing exits 0 on error.
set +e
"$skytune" profile --duration abc 2>"$tmp/e"; [[ $? -eq 2 ]] || fail "bad --duration must exit 2"
grep -q -- "--duration 'abc'" "$tmp/e" || fail "bad --duration message: $(cat "$tmp/e")"
"$skytune" profile --bogus 2>/dev/null; [[ $? -eq 2 ]] || fail "unknown option must exit 2"
"$skytune" profile extra 2>/dev/null; [[ $? -eq 2 ]] || fail "extra argument must exit 2"
"$skytune" frobnicate 2>/dev/null; [[ $? -eq 2 ]] || fail "unknown command must exit 2"
"$skytune" profile --duration 1 --interval 2 2>/dev/null; [[ $? -eq 2 ]] || fail "interval > duration must exit 2"
"$skytune" profile --duration 0 --sysroot /nonexistent 2>"$tmp/e"; [[ $? -eq 1 ]] || fail "missing sysroot must exit 1"
grep -q "/nonexistent" "$tmp/e" || fail "sysroot error must name the path"
"$skytune" profile --duration 0 --out /nonexistent/dir/p.json >/dev/null 2>"$tmp/e"; [[ $? -eq 1 ]] || fail "unwritable --out must exit 1"
"$skytune" profile --duration 0 --json >/dev/full 2>/dev/null; [[ $? -eq 1 ]] || fail "a failed write to stdout must exit 1"
set -e
"$skytune" --help | grep -q profile || fail "--help"
"$skytune" profile --help | grep -q -- --duration || fail "profile --help"
echo "test-profile-live: ok"
