#!/usr/bin/env bash
# Apply through the bus (activation, polkit): values and journal written; rollback restores the tree
# byte for byte (owned files removed again); a second identical apply changes nothing; the helper keeps
# no capability but CAP_SYS_RESOURCE, sets no_new_privs and exits when idle.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=5        # the helper of the first Apply must still run when its /proc is read below
bus_setup "$1" "$2"

before=$(tree_state)
plan=$(make_plan true <<'P'
sysctl vm.swappiness 10
sysctl vm/dirty_ratio 30
sysctl net.ipv4.tcp_rmem 4096 262144 16777216
sysctl net.core.somaxconn 8192
io_scheduler vda kyber
read_ahead_kb vda 4096
nr_requests sdb 128
cpu_governor policy0 performance
ulimit login:*:nofile 65536:131072
ulimit login:@db:memlock 8388608:unlimited
ulimit unit:nginx:nofile 16384
ulimit unit:nginx:memlock 65536:infinity
P
)
tx=$(hjson Apply st "$plan" 0)
id=$(jq -r .id <<<"$tx")
[[ $(jq -r .state <<<"$tx") == applied ]] || bus_fail "state: $tx"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "swappiness not written"
[[ $(cat "$ROOT/proc/sys/vm/dirty_ratio") == 30 ]] || bus_fail "dirty_ratio (given in / form) not written"
[[ $(cat "$ROOT/sys/block/vda/queue/scheduler") == kyber ]] || bus_fail "scheduler not written"
[[ $(cat "$ROOT/sys/block/sdb/queue/nr_requests") == 128 ]] || bus_fail "nr_requests not written"
[[ $(cat "$ROOT/sys/devices/system/cpu/cpufreq/policy0/scaling_governor") == performance ]] || bus_fail "governor"
grep -qx 'vm.swappiness = 10' "$ROOT/etc/sysctl.d/90-skytune.conf" || bus_fail "sysctl.d drop-in"
grep -q 'KERNEL=="vda", ATTR{queue/scheduler}="kyber"' "$ROOT/etc/udev/rules.d/90-skytune.rules" || bus_fail "udev rule"
grep -qx '\* hard nofile 131072' "$ROOT/etc/security/limits.d/90-skytune.conf" || bus_fail "limits.d"
grep -qx 'LimitNOFILE=16384:16384' "$ROOT/etc/systemd/system/nginx.service.d/90-skytune.conf" || bus_fail "unit drop-in"
# Units as each file counts them: limits.conf memlock in KiB, systemd in bytes with "infinity".
grep -qx '@db soft memlock 8192' "$ROOT/etc/security/limits.d/90-skytune.conf" &&
        grep -qx '@db hard memlock unlimited' "$ROOT/etc/security/limits.d/90-skytune.conf" ||
        bus_fail "limits.d memlock: $(cat "$ROOT/etc/security/limits.d/90-skytune.conf")"
grep -qx 'LimitMEMLOCK=65536:infinity' "$ROOT/etc/systemd/system/nginx.service.d/90-skytune.conf" || bus_fail "unit drop-in memlock"
grep -q 'w /sys/devices/system/cpu/cpufreq/policy0/scaling_governor - - - - performance' "$ROOT/etc/tmpfiles.d/90-skytune.conf" ||
        bus_fail "tmpfiles line"
cmp -s "$ROOT/etc/sysctl.d/10-admin.conf" "$2/tests/fixtures/helper-host/etc/sysctl.d/10-admin.conf" || bus_fail "admin file touched"
jq -e '.notes | any(test("sysroot"))' <<<"$tx" >/dev/null || bus_fail "no note about daemon-reload: $(jq -c .notes <<<"$tx")"

# The journal: private directory, one file, old and new values, boot id.
j=$STATE/tx/$id.json
[[ $(stat -c %a "$STATE") == 700 && $(stat -c %a "$STATE/tx") == 700 ]] || bus_fail "state directory not 0700"
[[ $(stat -c %a "$j") == 600 ]] || bus_fail "journal file mode"
jq -e --arg b "$(tr -d - </proc/sys/kernel/random/boot_id)" '.schema == "skytune.tx/1" and .boot_id == $b and .state == "applied"' "$j" >/dev/null ||
        bus_fail "journal header: $(head -c 300 "$j")"
jq -e '.changes[] | select(.key == "vm.swappiness") | .old == "60" and .new == "10" and .status == "applied"' "$j" >/dev/null ||
        bus_fail "journal change record"
jq -e '.changes[] | select(.key == "vm.dirty_ratio") | .pair == {key: "vm.dirty_bytes", old: "0"}' "$j" >/dev/null ||
        bus_fail "dirty pair not recorded"
jq -e '.files[] | select(.path == "etc/security/limits.d/90-skytune.conf") | .existed == false and .old_content == null' "$j" >/dev/null ||
        bus_fail "absence of the owned file not recorded"
jq -e '.files[] | select(.path == "etc/sysctl.d/90-skytune.conf") | .status == "written"' "$j" >/dev/null || bus_fail "file status"

# Capabilities of the running helper, from /proc: nothing beyond CAP_SYS_RESOURCE (bit 24).
pid=$(helper_pid)
[[ -n $pid ]] || bus_fail "no helper pid"
for set in CapEff CapPrm CapBnd CapInh CapAmb; do
        v=$((16#$(awk -v s="$set:" '$1 == s { print $2 }' "/proc/$pid/status")))
        (( (v & ~(1 << 24)) == 0 )) || bus_fail "$set of the helper is $(printf %x $v)"
done
mybnd=$((16#$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)))
if (( mybnd & (1 << 24) )); then
        [[ $(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status") == 0000000001000000 ]] || bus_fail "CapEff lacks CAP_SYS_RESOURCE"
fi
[[ $(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/status") == 1 ]] || bus_fail "no_new_privs not set"
# The environment could not redirect it (the activation passes SKYTUNE_SYSROOT=/nonexistent).


# A second identical apply: nothing to change, no new journal file.
tx2=$(hjson Apply st "$plan" 0)
[[ $(jq -r .state <<<"$tx2") == unchanged ]] || bus_fail "second apply: $(jq -c '[.state, [.changes[].status]]' <<<"$tx2")"
[[ $(journal_count) == 1 ]] || bus_fail "second apply wrote a journal"

# GetTransaction reports no drift; rollback restores every byte and removes the owned files.
hjson GetTransaction s last | jq -e '[.changes[] | select(.status == "applied") | .drift] | all(. == false)' >/dev/null ||
        bus_fail "drift right after apply"
rb=$(hjson Rollback s "$id")
[[ $(jq -r .state <<<"$rb") == rolled-back && $(jq .conflicts <<<"$rb") == 0 ]] || bus_fail "rollback: $rb"
after=$(tree_state)
diff <(echo "$before") <(echo "$after") || bus_fail "the tree differs after rollback"
[[ $(cat "$ROOT/proc/sys/net/ipv4/tcp_rmem") == $'4096\t131072\t6291456' ]] || bus_fail "tcp_rmem not byte for byte"
# Rolling back twice is a Conflict, an unknown id NotFound.
must_fail hcall Rollback s "$id" | grep -q 'only an applied transaction' || bus_fail "second rollback accepted"
must_fail hcall Rollback s 20990101T000000-000000-000000 | grep -q 'no transaction' || bus_fail "unknown id"
[[ $(busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version) == "s \"$(awk '/^project/ {print}' "$2/CMakeLists.txt" | sed 's/.*VERSION \([0-9.]*\).*/\1/')\"" ]] ||
        bus_fail "Version property"

# Idle exit (--idle-timeout 5): the name goes away and the process ends.
helper_wait_exit 11 || bus_fail "helper still running after the idle timeout"
for _ in $(seq 60); do
        [[ -e /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || break
        sleep 0.05
done
[[ ! -e /proc/$pid ]] || grep -q '^State:.*Z' "/proc/$pid/status" || bus_fail "helper process $pid still alive"
grep -q "releasing $BUS_NAME" "$BUS_TMP/bus.log" || bus_fail "no idle release logged"
echo "ok: apply, journal, byte-for-byte rollback, idempotence, capabilities, idle exit"
