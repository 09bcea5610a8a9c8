#!/usr/bin/env bash
# Issue 12, points 5-7 and 10: every plan skytune-helper refuses, `skytune apply --dry-run --plan` refuses
# too, with the same reason. Each bad plan of the table goes through both: the dry run must exit 1 (not
# 3 "pending", not 0) and name the reason; the helper, activated on the private bus with a real polkitd,
# must refuse the same bytes with a message that holds that very reason; nothing is written. Then the
# dry run warns about a lowered hard limit it could not raise again.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

# PID 1 and an nginx whose hard open-files limit is 524288, in the fixture's /proc.
mkdir -p "$ROOT/proc/1" "$ROOT/proc/4242"
echo systemd >"$ROOT/proc/1/comm"
echo nginx >"$ROOT/proc/4242/comm"
printf 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n' \
        >"$ROOT/proc/4242/limits"
cp "$ROOT/proc/4242/limits" "$ROOT/proc/1/limits"
before=$(tree_state)

c() { printf '{"schema":"skytune.plan/1","changes":[%s]}' "$1"; }
ch() { printf '{"kind":"%s","key":"%s","proposed":"%s"}' "$1" "$2" "$3"; }
plans=(
        # both halves of a coupled pair
        "$(c "$(ch sysctl vm.dirty_bytes 100000000),$(ch sysctl vm.dirty_ratio 20)")"
        "$(c "$(ch sysctl vm.dirty_background_ratio 5),$(ch sysctl vm.dirty_background_bytes 50000000)")"
        # the same key twice, in two spellings
        "$(c "$(ch sysctl vm.swappiness 10),$(ch sysctl vm/swappiness 20)")"
        "$(c "$(ch ulimit unit:nginx:nofile 65536),$(ch ulimit unit:nginx.service:nofile 65536)")"
        "$(c "$(ch io_scheduler vda none),$(ch io_scheduler vda kyber)")"
        # values the host does not offer
        "$(c "$(ch cpu_governor policy0 ondemand)")"
        "$(c "$(ch cpu_epp policy0 turbo)")"
        "$(c "$(ch sysctl vm.swappiness 10),$(ch io_scheduler vda bfq)")"
        # keys the helper refuses up front
        "$(c "$(ch sysctl kernel.numa_balancing 0)")"
        "$(c "$(ch sysctl kernel.modprobe /tmp/x)")"
        "$(c "$(ch ulimit login:*:rtprio 10)")"
        # wrong member types and shapes
        "$(c '{"kind":1,"key":"vm.swappiness","proposed":"10"}')"
        "$(c '{"kind":"sysctl","key":["vm"],"proposed":"10"}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":10}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"10","mechanism":7}')"
        "$(c '{"kind":"sysctl","key":"vm.swappiness","proposed":"10","persist_file":[]}')"
        "$(c '{"kind":"ulimit","key":"process:nginx:nofile","proposed":"65536","allow_critical_process":"yes"}')"
        "$(c '"vm.swappiness=10"')"
        '{"schema":"skytune.plan/1","persist":"yes","changes":[]}'
        '{"schema":"skytune.plan/1","changes":{}}'
        '{"schema":"skytune.plan/2","changes":[]}'
        '{"schema":"skytune.plan/1","changes":[],"changes":[]}'
        # values: leading zeros and signs (5), floors and critical processes (6), grammar gaps (7)
        "$(c "$(ch sysctl net.core.somaxconn 0150)")"
        "$(c "$(ch sysctl net.core.somaxconn +150)")"
        "$(c "$(ch sysctl net.ipv4.tcp_rmem '4096 087380 6291456')")"
        "$(c "$(ch read_ahead_kb vda 0128)")"
        "$(c "$(ch ulimit login:*:nofile 065536)")"
        "$(c "$(ch ulimit login:*:nofile 0)")"
        "$(c "$(ch ulimit default:*:stack 0)")"
        "$(c "$(ch ulimit unit:sshd:nproc 0)")"
        "$(c "$(ch ulimit process:nginx:nofile 0:0)")"
        "$(c "$(ch ulimit process:systemd:nofile 65536)")"
        "$(c "$(ch ulimit process:skytune-helper:nofile 65536)")"
        "$(c "$(ch sysctl net.ipv4.tcp_rmem '87380 4096 6291456')")"
        "$(c "$(ch sysctl net.ipv4.tcp_wmem '4096 6291456 16384')")"
        "$(c "$(ch ulimit login:0:65535:nofile 65536)")"
        # too many changes
        "$(jq -cn '{schema: "skytune.plan/1", changes: [range(257) | {kind: "io_scheduler", key: "d\(.)", proposed: "none"}]}')"
)
(( ${#plans[@]} >= 24 )) || bus_fail "the table has only ${#plans[@]} plans"

file=$BUS_TMP/plan.json
for p in "${plans[@]}"; do
        printf '%s' "$p" >"$file"
        rc=0
        "$SKYTUNE" apply --dry-run --detailed-exitcode --plan "$file" --sysroot "$ROOT" >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
        [[ $rc == 1 ]] || bus_fail "dry run exit $rc (want 1) for ${p:0:200}: $(cat "$BUS_TMP/out" "$BUS_TMP/err")"
        reason=$(sed -n "s|^skytune: error: $file: ||p" "$BUS_TMP/err")
        [[ -n $reason ]] || bus_fail "dry run gave no reason for ${p:0:200}: $(cat "$BUS_TMP/err")"
        out=$(must_fail hcall Apply st "$p" 0) || bus_fail "helper accepted ${p:0:200}"
        grep -qF -- "nothing was changed" <<<"$out" || bus_fail "helper: not refused as a plan for ${p:0:200}: $out"
        grep -qF -- "$reason" <<<"$out" || bus_fail "reasons differ for ${p:0:200}:
  dry run: $reason
  helper:  $out"
done

# A plan over 1 MiB: busctl cannot pass it (an argument is at most 128 KiB), so the helper's half of this
# case is the unit test of plan_validate(); the dry run refuses it with the helper's message.
printf '{"schema":"skytune.plan/1","pad":"%s","changes":[%s]}' "$(head -c 1100000 /dev/zero | tr '\0' x)" \
        "$(ch sysctl vm.swappiness 10)" >"$file"
rc=0
"$SKYTUNE" apply --dry-run --detailed-exitcode --plan "$file" --sysroot "$ROOT" >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
[[ $rc == 1 ]] && grep -qF "plan is larger than 1048576 bytes" "$BUS_TMP/err" || bus_fail "1 MiB plan: exit $rc, $(cat "$BUS_TMP/err")"

# The high-risk opt-in lets PID 1 through both (the helper skips a process it cannot prlimit in a fixture).
p=$(c '{"kind":"ulimit","key":"process:systemd:nofile","proposed":"65536","allow_critical_process":true}')
printf '%s' "$p" >"$file"
"$SKYTUNE" apply --dry-run --plan "$file" --sysroot "$ROOT" >/dev/null 2>"$BUS_TMP/err" || bus_fail "opt-in refused: $(cat "$BUS_TMP/err")"
hcall Apply st "$p" 0 >/dev/null || bus_fail "helper refused the opt-in"

# A lowered hard limit of a running process: the dry run says the helper may not raise it again.
printf '%s' "$(c "$(ch ulimit process:nginx:nofile 1024:4096)")" >"$file"
COLUMNS=1000 "$SKYTUNE" apply --dry-run --plan "$file" --sysroot "$ROOT" >"$BUS_TMP/out" 2>&1 || bus_fail "lowering plan refused: $(cat "$BUS_TMP/out")"
grep -q "lowers the hard limit .* from 524288 to 4096.*CAP_SYS_RESOURCE" "$BUS_TMP/out" || bus_fail "no lowered-hard-limit warning: $(cat "$BUS_TMP/out")"
"$SKYTUNE" apply --dry-run --json --plan "$file" --sysroot "$ROOT" >"$BUS_TMP/out"
jq -e '.dry_run.warnings | any(.message | contains("CAP_SYS_RESOURCE"))' "$BUS_TMP/out" >/dev/null || bus_fail "no warning in the JSON"

[[ $(tree_state) == "$before" ]] || bus_fail "something was written"
echo "ok: ${#plans[@]} bad plans refused alike by the dry run and the helper"
