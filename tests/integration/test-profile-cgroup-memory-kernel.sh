#!/usr/bin/env bash
# Reclaim under a cgroup's own memory limit, on the real kernel (ctest label root-kernel): a transient
# cgroup with a 64M limit reads a 512 MiB file this test writes (with O_DIRECT, so none of it is
# cached outside the cgroup) over and over while `skytune profile --target` watches it. The profile
# must show the cgroup's reclaim (pages/s), its limit hits and the reclaim finding, and its rate
# must agree with the kernel's own counter read directly over the same span: memory.stat pgscan on
# cgroup v2; on the v1 memory controller of a hybrid host, which counts no reclaim per cgroup, the
# limit hits of memory.failcnt (the finding's metric there).
# Everything it makes (the cgroup, the file, +memory in the parent's subtree_control if it was not
# there) is undone on every exit path.
set -euo pipefail
build=$1
skytune=${SKYTUNE:-$build/cli/skytune}
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (makes a cgroup)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
# mount FSTYPE [SUPER_OPTION]: the first mount point of that type (after the " - " separator).
mount_of() {
        awk -v t="$1" -v o="${2:-}" '{ for (i = 7; i < NF; i++) if ($i == "-") break
                if ($(i + 1) == t && (o == "" || ("," $(i + 3) ",") ~ ("," o ","))) { print $5; exit } }' /proc/self/mountinfo
}
cg2=$(mount_of cgroup2)

name=skytune-cgmem-$$
tmp= enabled= reader= sleeper= ticker= gone=
if [[ -n $cg2 ]] && grep -qw memory "$cg2/cgroup.controllers"; then
        v=2 base=$cg2 limit_file=memory.max metric=reclaim_scan_per_s
else
        base=$(mount_of cgroup memory)
        [[ -n $base ]] || { echo "SKIP: no cgroup hierarchy has the memory controller"; exit 77; }
        v=1 limit_file=memory.limit_in_bytes metric=max_events_per_s
fi
cg=$base/$name
restore() {
        local rc=$?
        set +e
        [[ -n $reader ]] && kill "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
        [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
        [[ -n $ticker ]] && kill "$ticker" 2>/dev/null && wait "$ticker" 2>/dev/null
        [[ -n $gone && -d $gone ]] && { rmdir "$gone" || rc=1; }
        if [[ -d $cg ]]; then
                for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do echo "$p" >"$base/cgroup.procs"; done
                rmdir "$cg" || rc=1
        fi
        [[ -n $enabled ]] && { echo -memory >"$cg2/cgroup.subtree_control" || rc=1; }
        [[ -n $tmp ]] && rm -rf "$tmp"
        exit $rc
}
trap restore EXIT
if [[ $v == 2 ]] && ! grep -qw memory "$cg2/cgroup.subtree_control"; then
        echo +memory >"$cg2/cgroup.subtree_control" || { echo "SKIP: cannot enable memory in $cg2"; exit 77; }
        enabled=1
fi

# The file on a disk (not tmpfs: shmem is not reclaimed as page cache), written around the cache.
for dir in "${TMPDIR:-/tmp}" /var/tmp "$build"; do
        [[ $(stat -f -c %T "$dir") != tmpfs ]] && break
done
tmp=$(mktemp -d "$dir/skytune-cgmem.XXXXXX")
dd if=/dev/zero of="$tmp/data" bs=1M count=512 oflag=direct status=none ||
        { echo "SKIP: cannot write $tmp/data with O_DIRECT"; exit 77; }

mkdir "$cg"
echo 64M >"$cg/$limit_file"
# The reader, bounded in time: it reads the file again and again for at most 30 s.
sh -c "echo \$\$ >'$cg/cgroup.procs'; end=\$((\$(date +%s) + 30));
       while [ \$(date +%s) -lt \$end ]; do dd if='$tmp/data' of=/dev/null bs=1M status=none; done" &
reader=$!
sleep 1
# The kernel's own counter behind the finding's metric.
counter() {
        if [[ $v == 2 ]]; then awk '$1 == "pgscan" { print $2 }' "$cg/memory.stat"; else cat "$cg/memory.failcnt"; fi
}
refault() { awk '$1 == "workingset_refault_file" { print $2 }' "$cg/memory.stat"; }
# The counter read every 50 ms with the time: the kernel's rate is taken over skytune's own window,
# not over its start-up and exit too (a second or more under ASan, when reclaim need not be steady).
(while :; do echo "$(date +%s.%N) $(counter)"; sleep 0.05; done) >"$tmp/counter.log" &
ticker=$!
sleep 0.2
ref0=$(refault)
t0=$(date +%s.%N)
"$skytune" profile --duration 4 --interval 1 --target "$name" --json >"$tmp/p.json"
t1=$(date +%s.%N)
ref1=$(refault)
sleep 0.2       # a reading after the window's end
kill "$ticker" && wait "$ticker" 2>/dev/null || true
ticker=
rate() { awk -v a="$1" -v b="$2" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / (e - s) }'; }
# The window is the 4 s that end when the document is generated (its last sample, then the report).
end=$(date -d "$(jq -r .generated "$tmp/p.json")" +%s.%N)
kernel=$(awk -v e="$end" '$1 <= e - 4 { t0 = $1; c0 = $2 } $1 >= e && !t1 { t1 = $1; c1 = $2 }
        END { if (t0 && t1) printf "%.1f", (c1 - c0) / (t1 - t0) }' "$tmp/counter.log")
[[ -n $kernel ]] || fail "the counter log does not span skytune's window (ending $end): $(head -1 "$tmp/counter.log"), $(tail -1 "$tmp/counter.log")"

m=".resources.memory.cgroups[\"$name\"]"
jq -e "$m.target == \"$name\"" "$tmp/p.json" >/dev/null || fail "the target's cgroup is not in the profile"
jq -e "$m.max_bytes.value == 67108864" "$tmp/p.json" >/dev/null || fail "max_bytes is not 64 MiB"
jq -e ".resources.memory.cgroups_version == \"cgroup v$v\"" "$tmp/p.json" >/dev/null || fail "not read as cgroup v$v"
ours=$(jq "$m.$metric.value" "$tmp/p.json")
hits=$(jq "$m.max_events_per_s.value" "$tmp/p.json")
refaults=$(jq "$m.refault_file_per_s.value" "$tmp/p.json")
echo "cgroup v$v $name: skytune $metric $ours/s (limit hits $hits/s, file refaults $refaults pages/s);" \
     "the kernel's counter ($([[ $v == 2 ]] && echo memory.stat pgscan || echo memory.failcnt)) over the window: $kernel/s," \
     "workingset_refault_file $(rate "$ref0" "$ref1") pages/s"
threshold=$([[ $v == 2 ]] && echo 1000 || echo 10)
awk -v o="$ours" -v t="$threshold" 'BEGIN { exit !(o > t) }' || fail "$metric $ours is not above $threshold/s"
awk -v h="$hits" 'BEGIN { exit !(h > 0) }' || fail "no limit hits (max_events_per_s $hits)"
# The same window, to the 50 ms of the counter's readings and the report's time: 25 % apart at most.
awk -v o="$ours" -v k="$kernel" 'BEGIN { d = o - k; if (d < 0) d = -d; exit !(d <= 0.25 * k) }' ||
        fail "$metric $ours is more than 25 % from the kernel's $kernel/s"
jq -e --arg mt "memory.cgroups.$name.$metric" \
        '[.findings[] | select(.metric == $mt and .kind == "saturation")] | length == 1' "$tmp/p.json" >/dev/null ||
        fail "no reclaim finding on $name: $(jq -c .findings "$tmp/p.json")"
jq -r --arg mt "memory.cgroups.$name.$metric" '.findings[] | select(.metric == $mt) | .message' "$tmp/p.json"

# A cgroup removed during the window: its kept files read ENODEV on the kernel, so it is gone at the
# first sample after its removal (not a full one at 1 s intervals), not at the next full sample (5 s).
gone=$base/$name-gone
mkdir "$gone"
sh -c "echo \$\$ >'$gone/cgroup.procs'; exec sleep 30" &
sleeper=$!
"$skytune" profile --duration 6 --interval 1 --target "$name-gone" --json >"$tmp/g.json" &
prof=$!
sleep 2.5
kill "$sleeper" && wait "$sleeper" 2>/dev/null || true
sleeper=
for _ in $(seq 100); do rmdir "$gone" 2>/dev/null && break; sleep 0.05; done
wait "$prof" || fail "skytune profile failed while a watched cgroup was removed"
why=$(jq -r ".resources.memory.unavailable[\"cgroups.$name-gone\"] // empty" "$tmp/g.json")
at=$(sed -n 's/.* was gone \([0-9.]*\) s into the window.*/\1/p' <<<"$why")
[[ -n $at ]] || fail "the removed cgroup is not reported gone: ${why:-nothing in memory.unavailable}"
awk -v a="$at" 'BEGIN { exit !(a < 5) }' || fail "removal noticed at the full sample ($at s), not at the sample after it"
echo "$why"
