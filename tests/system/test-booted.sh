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
#  6. kill -9 during an apply: the next activation rolls the transaction back, history says so.
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
deb=$(ct_deb "$build" "$src") || { echo "FAIL: the .deb of $src could not be built" >&2; exit 1; }
ct_unpack "$tarball" "$tmp/root"
cp "$deb" "$tmp/root/root/skytune.deb"
machine=skytune-sys-$$
ct_boot "$machine"
ct dpkg -i /root/skytune.deb >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; echo "FAIL: dpkg -i in the container" >&2; exit 1; }
ct_log "installed $(basename "$deb") with dpkg in the container"

# proof NAME FUNCTION: run one proof; a failure is counted, reported, and the next proof runs.
proof() {
        local name=$1 t0=$SECONDS
        shift
        if ( set -e; "$@" ); then
                passed=$((passed + 1)); ct_log "PASS $name ($((SECONDS - t0)) s)"
        else
                failed=$((failed + 1)); ct_log "FAIL $name ($((SECONDS - t0)) s)"
        fi
}
bad() { echo "  FAIL: $*" >&2; return 1; }
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
        # docs/helper.md: only CAP_SYS_RESOURCE (bit 24) in the effective and bounding sets, no_new_privs.
        for f in CapEff CapPrm CapBnd; do
                [[ $(awk -v f="$f:" '$1 == f { print $2 }' "$tmp/helper.status") == 0000000001000000 ]] ||
                        bad "$f of the running helper is $(awk -v f="$f:" '$1 == f { print $2 }' "$tmp/helper.status"), docs/helper.md says CAP_SYS_RESOURCE only (0000000001000000)"
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
        ct_log "  running helper: CapEff/CapBnd CAP_SYS_RESOURCE, NoNewPrivs 1, exposure $exposure"
        # The helper exits after its idle time (30 s), and the unit goes inactive.
        ct_wait_inactive skytune-helper.service 50 || bad "skytune-helper.service still $(helper_state) 50 s after the last call"
        ct skytune rollback --yes "$tx" </dev/null >/dev/null 2>&1 || ct skytune rollback "$tx" </dev/null >/dev/null 2>&1 ||
                bad "rollback of $tx failed"
        [[ $(sysctl_in net.core.somaxconn) == 4096 ]] || bad "rollback did not restore net.core.somaxconn"
}
proof "1+5 activation by the real bus and systemd; helper privileges; idle exit" proof_activation
