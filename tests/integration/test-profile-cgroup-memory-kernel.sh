#!/usr/bin/env bash
# Reclaim under a cgroup's own memory limit, on the real kernel (ctest label root-kernel): a transient
# cgroup v2 with memory.max 64M reads a 512 MiB file this test writes (with O_DIRECT, so none of it
# is cached outside the cgroup) over and over while `skytune profile --target` watches it. The
# profile must show the cgroup's reclaim (pages/s), its limit and the reclaim finding, and its
# scan rate must agree with the kernel's own counter read directly (memory.stat pgscan, delta over
# the same span). Everything it makes (the cgroup, the file, +memory in the parent's
# subtree_control if it was not there) is undone on every exit path.
#
# The memory controller must be on cgroup2. On a hybrid host it is usually bound to a v1 hierarchy
# (/sys/fs/cgroup/memory): then the test skips, unless SKYTUNE_TEST_REBIND_MEMCG=1 lets it unmount
# that hierarchy (only when it has no child cgroup), run, and mount it back.
set -euo pipefail
build=$1
skytune=${SKYTUNE:-$build/cli/skytune}
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (makes a cgroup)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[[ -n $cg2 ]] || { echo "SKIP: no cgroup2 mounted"; exit 77; }

name=skytune-cgmem-$$
cg=$cg2/$name
tmp=
v1mem= rebound= enabled= reader=
restore() {
        local rc=$?
        set +e
        [[ -n $reader ]] && kill "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
        if [[ -d $cg ]]; then
                for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do echo "$p" >"$cg2/cgroup.procs"; done
                rmdir "$cg" || rc=1
        fi
        [[ -n $enabled ]] && { echo -memory >"$cg2/cgroup.subtree_control" || rc=1; }
        if [[ -n $rebound ]]; then
                mkdir -p "$v1mem"
                # The controller goes back to v1 once no cgroup2 subtree has it (allow a moment).
                for _ in 1 2 3 4 5 6 7 8 9 10; do
                        mount -t cgroup -o memory cgroup "$v1mem" 2>/dev/null && break
                        sleep 0.5
                done
                mountpoint -q "$v1mem" || { echo "FAIL: could not mount $v1mem back" >&2; rc=1; }
        fi
        [[ -n $tmp ]] && rm -rf "$tmp"
        exit $rc
}
trap restore EXIT

if ! grep -qw memory "$cg2/cgroup.controllers"; then
        v1mem=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
        if [[ -z $v1mem || ${SKYTUNE_TEST_REBIND_MEMCG:-0} != 1 ]]; then
                echo "SKIP: the memory controller is not on cgroup2 ($cg2/cgroup.controllers)${v1mem:+, it is on $v1mem;" \
                     "SKYTUNE_TEST_REBIND_MEMCG=1 lets this test move it for its run}"
                exit 77
        fi
        [[ -z $(find "$v1mem" -mindepth 1 -type d -print -quit) ]] ||
                { echo "SKIP: $v1mem has child cgroups: the memory controller cannot be moved"; exit 77; }
        umount "$v1mem" && rebound=1
        for _ in $(seq 20); do grep -qw memory "$cg2/cgroup.controllers" && break; sleep 0.25; done
        grep -qw memory "$cg2/cgroup.controllers" || fail "memory did not come to cgroup2 after unmounting $v1mem"
fi
if ! grep -qw memory "$cg2/cgroup.subtree_control"; then
        echo +memory >"$cg2/cgroup.subtree_control" || { echo "SKIP: cannot enable memory in $cg2"; exit 77; }
        enabled=1
fi

# The file on a disk (not tmpfs: shmem is not reclaimed as page cache), written around the cache.
for base in "${TMPDIR:-/tmp}" "$build"; do
        [[ $(stat -f -c %T "$base") != tmpfs ]] && break
done
tmp=$(mktemp -d "$base/skytune-cgmem.XXXXXX")
dd if=/dev/zero of="$tmp/data" bs=1M count=512 oflag=direct status=none ||
        { echo "SKIP: cannot write $tmp/data with O_DIRECT"; exit 77; }

mkdir "$cg"
echo 64M >"$cg/memory.max"
# The reader, bounded in time: it reads the file again and again for at most 30 s.
sh -c "echo \$\$ >'$cg/cgroup.procs'; end=\$((\$(date +%s) + 30));
       while [ \$(date +%s) -lt \$end ]; do dd if='$tmp/data' of=/dev/null bs=1M status=none; done" &
reader=$!
sleep 1
scan0=$(awk '$1 == "pgscan" { print $2 }' "$cg/memory.stat")
t0=$(date +%s.%N)
"$skytune" profile --duration 4 --interval 1 --target "$name" --json >"$tmp/p.json"
t1=$(date +%s.%N)
scan1=$(awk '$1 == "pgscan" { print $2 }' "$cg/memory.stat")
kernel=$(awk -v a="$scan0" -v b="$scan1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / (e - s) }')

m=".resources.memory.cgroups[\"$name\"]"
jq -e "$m.target == \"$name\"" "$tmp/p.json" >/dev/null || fail "the target's cgroup is not in the profile"
jq -e "$m.max_bytes.value == 67108864" "$tmp/p.json" >/dev/null || fail "max_bytes is not 64 MiB"
ours=$(jq "$m.reclaim_scan_per_s.value" "$tmp/p.json")
steal=$(jq "$m.reclaim_steal_per_s.value" "$tmp/p.json")
hits=$(jq "$m.max_events_per_s.value + $m.high_events_per_s.value" "$tmp/p.json")
echo "cgroup $name: skytune reclaim_scan_per_s $ours, steal $steal, limit hits/s $hits;" \
     "kernel memory.stat pgscan delta/time $kernel pages/s"
awk -v o="$ours" 'BEGIN { exit !(o > 1000) }' || fail "reclaim_scan_per_s $ours is not above 1000 pages/s"
# The two spans differ by the CLI's start-up (under a second of 4 s): 25 % apart at most.
awk -v o="$ours" -v k="$kernel" 'BEGIN { d = o - k; if (d < 0) d = -d; exit !(d <= 0.25 * k) }' ||
        fail "reclaim_scan_per_s $ours is more than 25 % from the kernel's $kernel pages/s"
jq -e --arg mt "memory.cgroups.$name.reclaim_scan_per_s" \
        '[.findings[] | select(.metric == $mt and .kind == "saturation")] | length == 1' "$tmp/p.json" >/dev/null ||
        fail "no reclaim finding on $name: $(jq -c .findings "$tmp/p.json")"
jq -r --arg mt "memory.cgroups.$name.reclaim_scan_per_s" '.findings[] | select(.metric == $mt) | .message' "$tmp/p.json"
