#!/usr/bin/env bash
# skytune installed for real (issue 19): the .deb of the tree under test, installed with dpkg in a
# booted Debian 12 container (systemd as PID 1, its own system bus and polkitd, its own network
# namespace), proves:
#  1. activation: `skytune apply --yes` as root; the real bus activates skytune-helper.service
#     through systemd, the change lands, the unit is active, the journal has the helper's fields,
#     and the helper exits when idle (the unit goes inactive);
#  2. the hardened unit writes every kind it is meant to: a per-namespace sysctl live and in
#     sysctl.d, a unit's LimitNOFILE= drop-in with the daemon-reload that makes systemctl show it,
#     a limits.d file, a system.conf.d file;
#  3. persistence: after a reboot the persisted values are there (systemd-sysctl, the manager's
#     DefaultLimitNOFILE); rollback, reboot: the defaults, and no skytune file is left;
#  4. real polkit: a user is denied with nothing written, a group rule grants its member, denied
#     again once the rule is gone;
#  5. the running helper's CapEff, CapBnd and NoNewPrivs are those docs/helper.md documents, and
#     systemd-analyze security on the running unit is <= 1.7;
#  6. kill -9 during an apply: the next activation rolls the transaction back, history says so;
#  8. skytune-monitor.service: installed disabled; enabled, it is ready (sd_notify) as a dynamic
#     user without capabilities, scores <= 2.0 in systemd-analyze security, fills the store that
#     `skytune monitor query` reads, serves /metrics on 127.0.0.1:9677, on reload reports a bad file
#     at file:line and keeps going, and sends an alert's notification (its URL by LoadCredential=)
#     to a receiver on loopback;
#  7. the package's life: upgrade, remove, purge.
# Only per-network-namespace sysctls are changed (net.*): the host never sees them.
# Usage: tests/system/test-booted.sh BUILD_DIR SRC_DIR   (as root; exit 77 where it cannot run)
set -euo pipefail
build=$(realpath -m "$1") src=$(realpath "$2")
source "$src/tests/system/lib-container.sh"
t_start=$SECONDS

[[ $(id -u) -eq 0 ]] || ct_skip "the booted-container tests need root (systemd-nspawn)"
for tool in systemd-nspawn debootstrap nsenter; do
        command -v "$tool" >/dev/null || ct_skip "$tool missing: scripts/install-deps.sh --test installs systemd-container and debootstrap"
done
[[ -r /etc/debian_version ]] || ct_skip "debootstrap of Debian needs a Debian host (its keyring)"

tmp=$(mktemp -d /var/tmp/skytune-system.XXXXXX)
passed=0 failed=0
finish() {
        local rc=$?
        ct_stop
        [[ $rc -ne 0 && $rc -ne 77 && -f $tmp/root.console.log ]] && { echo "--- container console (last lines)" >&2; tail -n 15 "$tmp/root.console.log" >&2; }
        rm -rf "$tmp"
        exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM

tarball=$(ct_base_tarball "$build")
# SKYTUNE_SYSTEM_DEB=FILE: test that package instead of building one (running the proofs by hand).
deb=${SKYTUNE_SYSTEM_DEB:-}
[[ -n $deb ]] || deb=$(ct_deb "$build" "$src") || { echo "FAIL: the .deb of $src could not be built" >&2; exit 1; }
ct_unpack "$tarball" "$tmp/root"
cp "$deb" "$tmp/root/root/skytune.deb"
machine=skytune-sys-$$
ct_boot "$machine"
# What is in /etc and /var/lib before the package (proof 7 compares after the purge).
etc_snapshot() { ct sh -c 'find /etc /var/lib/skytune -xdev 2>/dev/null; true' | LC_ALL=C sort; }
etc_snapshot >"$tmp/etc.before"
ct dpkg -i /root/skytune.deb >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; echo "FAIL: dpkg -i in the container" >&2; exit 1; }
ct_log "installed $(basename "$deb") with dpkg in the container"

# proof NAME FUNCTION: run one proof; a failure is counted, reported, and the next proof runs.
proof() {
        local name=$1 t0=$SECONDS
        shift
        # In this shell (a reboot changes the container's leader), each check reporting through bad().
        proof_bad=0
        set +e
        "$@"
        set -e
        if [[ $proof_bad -eq 0 ]]; then
                passed=$((passed + 1)); ct_log "PASS $name ($((SECONDS - t0)) s)"
        else
                failed=$((failed + 1)); ct_log "FAIL $name ($((SECONDS - t0)) s)"
        fi
}
bad() { echo "  FAIL: $*" >&2; proof_bad=$((proof_bad + 1)); return 1; }
plan() {        # plan FILE KIND KEY VALUE [KIND KEY VALUE]...: a skytune.plan/1 file in the container
        local file=$1; shift
        local changes=()
        while (($#)); do
                changes+=("$(jq -cn --arg k "$1" --arg key "$2" --arg v "$3" '{kind: $k, key: $key, proposed: $v, rule: "system-test", reason: "system test"}')")
                shift 3
        done
        printf '%s\n' "${changes[@]}" | jq -s '{schema: "skytune.plan/1", policy: "system-test", changes: .}' >"$ct_root$file"
        chmod 0644 "$ct_root$file"
}
sysctl_in() { ct cat "/proc/sys/${1//.//}"; }
last_tx() { ct skytune history --json | jq -r '.transactions[-1] | "\(.id) \(.state)"'; }
rollback() {     # rollback TX: as root (--yes where the CLI asks for it without a TTY)
        ct skytune rollback --yes "$1" </dev/null >"$tmp/rollback.out" 2>&1 || ct skytune rollback "$1" </dev/null >"$tmp/rollback.out" 2>&1 ||
                { cat "$tmp/rollback.out" >&2; return 1; }
}
helper_state() { ct systemctl show -p ActiveState --value skytune-helper.service; }
journal_tx_fields() { ct journalctl -o json --no-pager MESSAGE_ID=5ded79be69ed4b068cbc1b074db6e50d "SKYTUNE_TX=$1"; }

# --- 1 and 5: activation through the real bus, privileges of the running helper, idle exit ----------
proof_activation() {
        [[ $(helper_state) == inactive ]] || bad "skytune-helper.service is $(helper_state) before the first call"
        plan /root/p1.json sysctl net.core.somaxconn 8192
        ct skytune apply --yes --plan /root/p1.json </dev/null >"$tmp/p1.out" 2>&1 || { cat "$tmp/p1.out" >&2; bad "skytune apply --yes as root failed"; }
        [[ $(sysctl_in net.core.somaxconn) == 8192 ]] || bad "net.core.somaxconn is $(sysctl_in net.core.somaxconn), not 8192"
        [[ $(helper_state) == active ]] || bad "skytune-helper.service is $(helper_state) right after the apply"
        ct systemctl status --no-pager skytune-helper.service >"$tmp/status.txt" 2>&1 || true
        grep -q 'Active: active (running)' "$tmp/status.txt" || { cat "$tmp/status.txt" >&2; bad "systemctl status does not show the helper running"; }
        grep -q '/usr/libexec/skytune/skytune-helper' "$tmp/status.txt" || bad "systemctl status does not show the installed helper"
        read -r tx state < <(last_tx)
        [[ $state == applied ]] || bad "history: transaction $tx is $state"
        journal_tx_fields "$tx" | jq -se 'any(.[]; .SKYTUNE_KEY == "net.core.somaxconn" and .SKYTUNE_NEW == "8192"
                and ._SYSTEMD_UNIT == "skytune-helper.service")' >/dev/null ||
                bad "the journal has no skytune-helper.service record with SKYTUNE_KEY=net.core.somaxconn SKYTUNE_NEW=8192 for $tx"
        # 5 while the helper serves: its /proc status and the unit's exposure.
        local pid
        pid=$(ct systemctl show -p MainPID --value skytune-helper.service)
        ct cat "/proc/$pid/status" >"$tmp/helper.status"
        # docs/helper.md: only CAP_SYS_RESOURCE (bit 24) in the effective, permitted and bounding sets,
        # no_new_privs; of course only as far as the container has it (its PID 1's bounding set: a
        # host that runs nspawn without CAP_SYS_RESOURCE cannot give it to the container).
        local bnd1 want
        bnd1=$(ct awk '$1 == "CapBnd:" { print $2 }' /proc/1/status)
        want=$(printf '%016x' $((0x1000000 & 0x$bnd1)))
        [[ $want == 0000000001000000 ]] || ct_log "  this container has no CAP_SYS_RESOURCE (PID 1's CapBnd $bnd1): the helper can have none"
        for f in CapEff CapPrm CapBnd; do
                [[ $(awk -v f="$f:" '$1 == f { print $2 }' "$tmp/helper.status") == "$want" ]] ||
                        bad "$f of the running helper is $(awk -v f="$f:" '$1 == f { print $2 }' "$tmp/helper.status"), docs/helper.md says CAP_SYS_RESOURCE only ($want here)"
        done
        for f in CapInh CapAmb; do
                [[ $(awk -v f="$f:" '$1 == f { print $2 }' "$tmp/helper.status") == 0000000000000000 ]] || bad "$f of the running helper is not empty"
        done
        [[ $(awk '$1 == "NoNewPrivs:" { print $2 }' "$tmp/helper.status") == 1 ]] || bad "NoNewPrivs of the running helper is not 1"
        ct systemd-analyze security --no-pager skytune-helper.service >"$tmp/security.txt" 2>&1 || true
        local exposure
        exposure=$(sed -n 's/.*Overall exposure level for skytune-helper.service: \([0-9.]*\).*/\1/p' "$tmp/security.txt")
        [[ -n $exposure ]] || { tail -n 5 "$tmp/security.txt" >&2; bad "systemd-analyze security printed no exposure"; }
        awk -v e="$exposure" 'BEGIN { exit !(e <= 1.7) }' || bad "systemd-analyze security: exposure $exposure > 1.7"
        ct_log "  running helper $pid: $(grep -E '^(Cap|NoNewPrivs)' "$tmp/helper.status" | tr -s '\t\n' '  '); exposure $exposure"
        # The helper exits after its idle time (30 s), and the unit goes inactive.
        ct_wait_inactive skytune-helper.service 50 || bad "skytune-helper.service still $(helper_state) 50 s after the last call"
        rollback "$tx" || bad "rollback of $tx failed"
        [[ $(sysctl_in net.core.somaxconn) == 4096 ]] || bad "rollback did not restore net.core.somaxconn"
}
proof "1+5 activation by the real bus and systemd; helper privileges; idle exit" proof_activation

# --- 2: every kind of write the hardened unit must do (and 3: across reboots) ------------------------
probe_unit=skytune-sys-probe.service
show() { ct systemctl show -p "$2" --value ${1:+"$1"}; }     # show UNIT|"" PROPERTY ("": the manager)
proof_writes() {
        printf '[Unit]\nDescription=skytune system test: a unit whose limits skytune sets\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
                >"$ct_root/etc/systemd/system/$probe_unit"
        ct systemctl daemon-reload
        show "" DefaultLimitNOFILE >"$tmp/default-nofile.before"
        plan /root/p2.json sysctl net.core.somaxconn 6000 sysctl net.ipv4.tcp_fin_timeout 37 \
                ulimit "unit:$probe_unit:nofile" 4096:8192 ulimit 'login:*:nofile' 4096:16384 ulimit 'default:*:nofile' 2048:32768
        ct skytune apply --yes --persist --plan /root/p2.json </dev/null >"$tmp/p2.out" 2>&1 || { cat "$tmp/p2.out" >&2; bad "skytune apply --persist of every kind failed"; }
        read -r tx2 state < <(last_tx)
        echo "$tx2" >"$tmp/tx2"
        [[ $state == applied ]] || bad "history: $tx2 is $state"
        [[ $(sysctl_in net.core.somaxconn) == 6000 && $(sysctl_in net.ipv4.tcp_fin_timeout) == 37 ]] || bad "the live sysctls are not 6000 and 37"
        grep -qx 'net.core.somaxconn = 6000' "$ct_root/etc/sysctl.d/90-skytune.conf" &&
                grep -qx 'net.ipv4.tcp_fin_timeout = 37' "$ct_root/etc/sysctl.d/90-skytune.conf" ||
                bad "/etc/sysctl.d/90-skytune.conf: $(cat "$ct_root/etc/sysctl.d/90-skytune.conf" 2>&1)"
        # The unit's drop-in, with the daemon-reload the helper asked for: systemd reports the limit.
        [[ -f $ct_root/etc/systemd/system/$probe_unit.d/90-skytune.conf ]] || bad "no drop-in for $probe_unit"
        [[ $(show "$probe_unit" LimitNOFILE) == 8192 && $(show "$probe_unit" LimitNOFILESoft) == 4096 ]] ||
                bad "systemctl show $probe_unit: LimitNOFILE=$(show "$probe_unit" LimitNOFILE) LimitNOFILESoft=$(show "$probe_unit" LimitNOFILESoft), want 8192 and 4096 (no daemon-reload?)"
        grep -Eq '^\*[[:space:]]+(soft|hard|-)[[:space:]]+nofile' "$ct_root/etc/security/limits.d/90-skytune.conf" ||
                bad "/etc/security/limits.d/90-skytune.conf: $(cat "$ct_root/etc/security/limits.d/90-skytune.conf" 2>&1)"
        grep -q '^DefaultLimitNOFILE=2048:32768' "$ct_root/etc/systemd/system.conf.d/90-skytune.conf" ||
                bad "/etc/systemd/system.conf.d/90-skytune.conf: $(cat "$ct_root/etc/systemd/system.conf.d/90-skytune.conf" 2>&1)"
        # Kinds a container has no hardware for: the dry run says unavailable instead of failing.
        plan /root/p2b.json cpu_governor policy0 performance
        ct skytune apply --dry-run --plan /root/p2b.json </dev/null >"$tmp/p2b.out" 2>&1 || true
        ct_log "  cpu_governor in the container: $(grep -m1 -i 'unavailable\|not on this host\|no cpufreq\|cannot' "$tmp/p2b.out" || head -n 1 "$tmp/p2b.out")"
}
proof "2 every kind of write through the hardened unit (sysctl live and sysctl.d, unit drop-in + daemon-reload, limits.d, system.conf.d)" proof_writes

proof_reboot() {
        local tx2
        tx2=$(cat "$tmp/tx2")
        ct_reboot "$machine"
        [[ $(sysctl_in net.core.somaxconn) == 6000 && $(sysctl_in net.ipv4.tcp_fin_timeout) == 37 ]] ||
                bad "after the reboot: somaxconn $(sysctl_in net.core.somaxconn), tcp_fin_timeout $(sysctl_in net.ipv4.tcp_fin_timeout) (systemd-sysctl did not apply 90-skytune.conf)"
        [[ $(show "" DefaultLimitNOFILE) == 32768 && $(show "" DefaultLimitNOFILESoft) == 2048 ]] ||
                bad "after the reboot: DefaultLimitNOFILE=$(show "" DefaultLimitNOFILE), want 32768 (system.conf.d is read at boot)"
        [[ $(show "$probe_unit" LimitNOFILE) == 8192 ]] || bad "after the reboot: $probe_unit LimitNOFILE=$(show "$probe_unit" LimitNOFILE)"
        rollback "$tx2" || bad "rollback of $tx2 after the reboot failed"
        ct_reboot "$machine"
        [[ $(sysctl_in net.core.somaxconn) == 4096 && $(sysctl_in net.ipv4.tcp_fin_timeout) == 60 ]] ||
                bad "after rollback and reboot: somaxconn $(sysctl_in net.core.somaxconn), tcp_fin_timeout $(sysctl_in net.ipv4.tcp_fin_timeout)"
        [[ $(show "" DefaultLimitNOFILE) == "$(cat "$tmp/default-nofile.before")" ]] || bad "after rollback and reboot: DefaultLimitNOFILE=$(show "" DefaultLimitNOFILE)"
        local left
        left=$(cd "$ct_root/etc" && find . -name '90-skytune*')
        [[ -z $left ]] || bad "skytune files left after rollback: $left"
}
proof "3 persistence across a reboot; rollback across a reboot" proof_reboot

# --- 4: authorization on the real polkit ------------------------------------------------------------
proof_polkit() {
        ct groupadd skytuners
        ct useradd -m -s /bin/sh sktester
        local rules=$ct_root/etc/polkit-1/rules.d/50-skytune-system-test.rules ntx
        plan /srv/p4.json sysctl net.core.somaxconn 5000
        ntx=$(ct skytune history --json | jq '.transactions | length')
        if ct_as sktester skytune apply --yes --plan /srv/p4.json </dev/null >"$tmp/p4a.out" 2>&1; then bad "a user without a grant applied"; fi
        [[ $(sysctl_in net.core.somaxconn) == 4096 ]] || bad "the denied apply changed somaxconn"
        [[ $(ct skytune history --json | jq '.transactions | length') == "$ntx" ]] || bad "the denied apply made a transaction"
        ct_log "  denied: $(grep -m1 -i 'not auth\|denied\|polkit' "$tmp/p4a.out" || tail -n 1 "$tmp/p4a.out")"
        ct usermod -aG skytuners sktester
        mkdir -p "$(dirname "$rules")"
        cat >"$rules" <<'RULES'
polkit.addRule(function(action, subject) {
        if (action.id.indexOf("io.skysentinel.skytune.") == 0 && subject.isInGroup("skytuners"))
                return polkit.Result.YES;
});
RULES
        sleep 2         # polkitd reloads rules.d on change (inotify)
        ct_as sktester skytune apply --yes --plan /srv/p4.json </dev/null >"$tmp/p4b.out" 2>&1 || { cat "$tmp/p4b.out" >&2; bad "the group rule did not grant the apply"; }
        [[ $(sysctl_in net.core.somaxconn) == 5000 ]] || bad "the granted apply did not set somaxconn"
        read -r tx state < <(last_tx)
        rollback "$tx" || bad "rollback of $tx"
        rm -f "$rules"
        sleep 2
        if ct_as sktester skytune apply --yes --plan /srv/p4.json </dev/null >"$tmp/p4c.out" 2>&1; then bad "applied after the rule was removed"; fi
        [[ $(sysctl_in net.core.somaxconn) == 4096 ]] || bad "the apply after the rule was removed changed somaxconn"
}
proof "4 real polkit: denied, granted by a group rule, denied again" proof_polkit

# --- 6: kill -9 during an apply; the next activation rolls back -------------------------------------
proof_crash() {
        local dropin=$ct_root/etc/systemd/system/skytune-helper.service.d
        ct systemctl stop skytune-helper.service
        mkdir -p "$dropin"
        # The helper's test hook: SIGKILL right after its first system write (docs/helper.md).
        printf '[Service]\nExecStart=\nExecStart=/usr/libexec/skytune/skytune-helper --log-target journal --test-crash-after 1\n' >"$dropin/test-crash.conf"
        ct systemctl daemon-reload
        plan /root/p6.json sysctl net.core.somaxconn 7000 sysctl net.ipv4.tcp_fin_timeout 41
        if ct skytune apply --yes --plan /root/p6.json </dev/null >"$tmp/p6.out" 2>&1; then bad "the apply succeeded although the helper was killed"; fi
        ct journalctl --no-pager -u skytune-helper.service -n 20 | grep -q 'SIGKILL\|status=9/KILL\|killing myself' || bad "the journal does not show the helper killed"
        rm -rf "$dropin"
        ct systemctl daemon-reload
        ct skytune history --json >"$tmp/p6.history" || bad "skytune history (the next activation) failed"
        jq -e '.transactions[-1].state == "recovered"' "$tmp/p6.history" >/dev/null ||
                bad "history: the killed transaction is $(jq -r '.transactions[-1].state' "$tmp/p6.history"), not recovered"
        [[ $(sysctl_in net.core.somaxconn) == 4096 && $(sysctl_in net.ipv4.tcp_fin_timeout) == 60 ]] || bad "the next activation did not roll back the killed apply"
}
proof "6 kill -9 during an apply; the next activation rolls it back" proof_crash

# --- 8: the monitor's unit: installed disabled; enabled, it samples as a dynamic user ---------------
proof_monitor() {
        local u=skytune-monitor.service pid conf=$ct_root/etc/skytune/monitor.conf n score pattern
        [[ $(ct systemctl is-enabled $u || true) == disabled ]] || bad "$u is $(ct systemctl is-enabled $u), not installed disabled"
        [[ $(show $u ActiveState) == inactive ]] || bad "the package started $u"
        ct systemctl enable --now $u >/dev/null 2>&1 || { ct journalctl --no-pager -u $u -n 20 >&2; bad "systemctl enable --now $u"; return; }
        [[ $(show $u ActiveState) == active ]] || bad "$u is $(show $u ActiveState) after enable --now"
        [[ $(show $u StatusText) == "sampling every 1 s into /var/lib/skytune-monitor/store.db" ]] || bad "$u's status (READY and STATUS from sd_notify): '$(show $u StatusText)'"
        pid=$(show $u MainPID)
        ct awk '/^Uid:/ { exit ($2 == 0) } ' "/proc/$pid/status" || bad "skytune-monitor runs as root"
        [[ $(ct awk '/^CapEff:/ { print $2 }' "/proc/$pid/status") == 0000000000000000 ]] || bad "skytune-monitor has capabilities"
        score=$(ct systemd-analyze security $u 2>/dev/null | awk '/Overall exposure level/ { print $(NF-2) }')
        awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' || bad "systemd-analyze security $u: exposure $score, want <= 2.0"
        ct_log "  exposure $score (systemd-analyze security on the running unit)"
        # The first write comes 10 s after the start: up to 30 s for 8 samples.
        for _ in $(seq 30); do
                n=$(ct skytune monitor query cpu.utilization_pct --since 1m --step 1m --json 2>/dev/null | jq '[.buckets[].count] | add // 0' || echo 0)
                [[ $n -ge 8 ]] && break
                sleep 1
        done
        [[ $n -ge 8 ]] || bad "skytune monitor query as root: $n cpu.utilization_pct samples after 30 s, want >= 8"
        # The loopback API on its default address, read with bash's /dev/tcp (the tree has no curl).
        ct bash -c 'exec 3<>/dev/tcp/127.0.0.1/9677 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' \
                >"$tmp/p8.metrics" 2>&1 || bad "GET http://127.0.0.1:9677/metrics from the unit: $(head -c 300 "$tmp/p8.metrics")"
        grep -q '^skytune_cpu_utilization_ratio ' "$tmp/p8.metrics" ||
                bad "the unit's /metrics lacks skytune_cpu_utilization_ratio: $(head -c 300 "$tmp/p8.metrics")"
        # A broken configuration on reload: reported at file:line in the journal, the old one kept.
        mkdir -p "$(dirname "$conf")"
        printf 'interval = "fast";\n' >"$conf"
        ct systemctl reload $u || bad "systemctl reload $u"
        journal_wait() { for _ in $(seq 20); do ct journalctl --no-pager -u $u "$@" | grep -q "$pattern" && return 0; sleep 0.5; done; return 1; }
        pattern="/etc/skytune/monitor.conf:1: 'interval' must be a period"
        journal_wait -p err || bad "the journal lacks the bad file's error at file:line (priority err)"
        [[ $(show $u ActiveState) == active ]] || bad "a bad configuration stopped $u"
        printf 'interval = "2s";\n' >"$conf"
        ct systemctl reload $u || bad "systemctl reload $u"
        pattern="configuration reloaded: a sample every 2 s"
        journal_wait || bad "the good configuration was not applied"
        # A notification through the unit's sandbox: its URL handed over by LoadCredential= (a root-only
        # file the dynamic user cannot read itself), the receiver on the container's loopback (a sink in
        # the container's network namespace, run by the host's python3).
        local etc=$ct_root/etc/skytune dropin=$ct_root/etc/systemd/system/$u.d sink
        nsenter -t "$ct_leader" -n python3 "$src/tests/integration/notify-sink.py" http "$tmp/hook.port" "$tmp/hook.log" &
        sink=$!
        for _ in $(seq 50); do [[ -s $tmp/hook.port ]] && break; sleep 0.1; done
        printf 'http://127.0.0.1:%s/booted\n' "$(cat "$tmp/hook.port")" >"$etc/hook-url"
        chmod 600 "$etc/hook-url"
        mkdir -p "$etc/alerts.d" "$dropin"
        printf '[Service]\nLoadCredential=hook-url:/etc/skytune/hook-url\n' >"$dropin/notify.conf"
        printf 'notifiers = ( { name = "hook"; type = "webhook"; url_file = "hook-url"; } );\n' >"$conf"
        printf 'rules = ( { name = "BootedMemory"; expr = "memory.used_pct"; warn = 0.001; } );\n' >"$etc/alerts.d/booted.conf"
        ct systemctl daemon-reload
        ct systemctl restart $u || bad "systemctl restart $u with a notifier"
        for _ in $(seq 30); do grep -q 'BootedMemory' "$tmp/hook.log" 2>/dev/null && break; sleep 1; done
        grep -q '"path": "/booted".*BootedMemory' "$tmp/hook.log" 2>/dev/null ||
                { ct journalctl --no-pager -u $u -n 20 >&2; bad "no notification from the unit reached the loopback receiver"; }
        kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null || true
        rm -rf "$dropin" "$etc/alerts.d" "$etc/hook-url"
        ct systemctl daemon-reload
        rm -f "$conf"
        rmdir "$(dirname "$conf")"      # the package has no /etc/skytune: proof 7 compares /etc
        ct systemctl disable --now $u >/dev/null 2>&1 || bad "systemctl disable --now $u"
        [[ $(show $u Result) == success ]] || bad "$u stopped with result $(show $u Result)"
        [[ -s $ct_root/var/lib/private/skytune-monitor/store.db ]] || bad "no store in the state directory"
}
proof "8 the monitor's unit: disabled at install, then samples as a dynamic user" proof_monitor

# --- 7: the package's life: upgrade, remove, purge --------------------------------------------------
proof_life() {
        # The "next" build: the same package with a higher version, so dpkg runs an upgrade.
        rm -rf "$tmp/next"
        dpkg-deb -R "$deb" "$tmp/next"
        sed -i 's/^Version: \(.*\)/Version: \1+systest1/' "$tmp/next/DEBIAN/control"
        dpkg-deb -b "$tmp/next" "$ct_root/root/skytune-next.deb" >/dev/null
        plan /root/p7.json sysctl net.core.somaxconn 5500
        ct skytune apply --yes --plan /root/p7.json </dev/null >/dev/null 2>&1 || bad "apply before the upgrade"
        read -r tx state < <(last_tx)
        ct dpkg -i /root/skytune-next.deb >"$tmp/p7.up" 2>&1 || { cat "$tmp/p7.up" >&2; bad "the upgrade failed"; }
        [[ $(ct skytune history --json | jq -r --arg t "$tx" '.transactions[] | select(.id == $t) | .state') == applied ]] || bad "$tx is not applied after the upgrade"
        [[ $(sysctl_in net.core.somaxconn) == 5500 ]] || bad "the upgrade changed somaxconn"
        # remove with the helper running: the prerm stops it; nothing can activate it; the journal stays.
        ct skytune history >/dev/null
        [[ $(helper_state) == active ]] || bad "the helper is not running before the remove"
        ct dpkg -r skytune >"$tmp/p7.rm" 2>&1 || { cat "$tmp/p7.rm" >&2; bad "dpkg -r failed"; }
        [[ $(helper_state) != active ]] || bad "the helper still runs after dpkg -r"
        ! ct busctl --system list --activatable | grep -q '^io.skysentinel.SkyTune1 ' || bad "io.skysentinel.SkyTune1 still activatable after dpkg -r"
        [[ -f $ct_root/var/lib/skytune/tx/$tx.json ]] || bad "dpkg -r removed the journal ($tx)"
        # purge with a transaction still applied: warned, then everything skytune made is gone and
        # nothing else (directories that were there before the install included).
        ct dpkg --purge skytune >"$tmp/p7.purge" 2>&1 || { cat "$tmp/p7.purge" >&2; bad "dpkg --purge failed"; }
        grep -q 'warning: purging the journal of 1 applied transaction' "$tmp/p7.purge" || bad "purge did not warn about the applied transaction: $(cat "$tmp/p7.purge")"
        [[ ! -e $ct_root/var/lib/private/skytune-monitor && ! -e $ct_root/var/lib/skytune-monitor ]] || bad "purge left the monitor's store (proof 8 made one)"
        etc_snapshot | grep -v -E "^/etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$|^/etc/systemd/system/$probe_unit$|^/etc/polkit-1/rules.d$" >"$tmp/etc.after"
        grep -v -E "^/etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$|^/etc/polkit-1/rules.d$" "$tmp/etc.before" >"$tmp/etc.before.f"
        diff "$tmp/etc.before.f" "$tmp/etc.after" >&2 || bad "after the purge /etc differs from before the install (- before, + after)"
}
proof "7 the package's life: upgrade, remove, purge" proof_life

ct_stop
ct_log "$passed passed, $failed failed; $ct_boots boots; $((SECONDS - t_start)) s in all"
echo "test-booted: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
