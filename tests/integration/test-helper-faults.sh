#!/usr/bin/env bash
# The journal's promise under failure, through the helper's --test-fault hook (helper/test-hooks.c):
# a one-shot ENOSPC (EIO at an fsync or unlink) at each file operation (open, write, fsync, rename,
# unlink, mkdir) of the journal and of the owned files during a persisted apply and during its
# rollback, then SIGKILL at each of them (at a write: after half of it), then a real ENOSPC from a
# nearly full tmpfs as the state directory. For every point:
#  - Apply replies "applied", the transaction's .json says so, and after a restart it is still applied
#    with every value and owned file as applied; or it fails, and every value and owned file is exactly
#    as before (byte for byte, no temp file, no created directory), at once and after a restart;
#  - a kill leaves nothing behind once the next start has recovered;
#  - Rollback either restores everything or names what it could not, and a restart never shows an
#    "applied" transaction whose values are gone.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (it starts polkitd and the helper, and mounts a tmpfs)"; exit 77; }
# A private mount namespace, so that the tmpfs of the last part is this run's alone.
if [[ -z ${SKYTUNE_FAULTS_NS:-} ]]; then
        SKYTUNE_FAULTS_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
FIXTURE=$BUS_SRC/tests/fixtures/helper-host

plan=$(make_plan true <<'P'
sysctl vm.swappiness 10
sysctl net.core.somaxconn 8192
ulimit login:@dev:nofile 8192
P
)
ops() { grep -c 'test hook: file operation' "$BUS_TMP/bus.log" || true; }
# A fresh fixture and an empty journal, the helper stopped.
reset() {
        helper_stop || bus_fail "helper did not stop"
        rm -rf "${ROOT:?}"/* "${STATE:?}"/*
        cp -a "$FIXTURE/." "$ROOT/"
}
start() { bus_activation "$@"; busctl --system get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Version >/dev/null || bus_fail "no activation"; }
restart() { helper_stop || bus_fail "helper did not stop"; start; }
newest_tx() { find "$STATE/tx" -maxdepth 1 -name '*.json' | sort | tail -n1; }
no_temp() { ! find "$ROOT" "$STATE/tx" -name '.#*' | grep -q .; }

before=$(tree_state)
# Reference run: count the points and learn their kinds.
reset
start --test-fault any:1000000:EIO
n0=$(ops)
hjson Apply st "$plan" 0 >"$BUS_TMP/tx.json" || bus_fail "reference apply failed"
after=$(tree_state)
[[ $after != "$before" ]] || bus_fail "the reference apply changed nothing"
id=$(jq -r .id "$BUS_TMP/tx.json")
n1=$(ops)
hjson Rollback s "$id" >/dev/null || bus_fail "reference rollback failed"
n2=$(ops)
[[ $(tree_state) == "$before" ]] || bus_fail "reference rollback did not restore"
napply=$((n1 - n0)) nroll=$((n2 - n1))
mapfile -t kinds < <(grep -o 'test hook: file operation [0-9]* ([a-z]*)' "$BUS_TMP/bus.log" | sed 's/.*(\(.*\))/\1/')
kind_at() { echo "${kinds[$(($1 - 1))]}"; }
what_for() { case $1 in fsync | unlink) echo EIO ;; *) echo ENOSPC ;; esac; }
[[ $napply -ge 20 && $nroll -ge 10 ]] || bus_fail "too few points: apply $napply, rollback $nroll"

check_apply_outcome() {        # $1: label; the apply's exit status in $rc, its output in $out
        if [[ $rc -eq 0 ]]; then
                [[ $(tree_state) == "$after" ]] || bus_fail "$1: applied, but the tree is not as applied"
                local tx
                tx=$(newest_tx)
                [[ $(jq -r .state "$tx") == applied ]] || bus_fail "$1: applied, but the durable record says $(jq -r .state "$tx")"
                restart
                [[ $(hjson GetTransaction s "$(jq -r .id "$tx")" | jq -r .state) == applied && $(tree_state) == "$after" ]] ||
                        bus_fail "$1: applied, but after a restart it is not"
        else
                [[ $(tree_state) == "$before" ]] || { diff <(echo "$before") <(tree_state) >&2 || true; bus_fail "$1: failed ($out), but the tree changed"; }
                grep -q 'rolled back\|nothing was changed' <<<"$out" || bus_fail "$1: error does not say what became of the changes: $out"
                restart
                [[ $(tree_state) == "$before" ]] || bus_fail "$1: changed after a restart"
                local tx
                tx=$(newest_tx)
                [[ -z $tx ]] || [[ $(hjson GetTransaction s "$(basename "$tx" .json)" | jq -r .state) =~ ^(failed|recovered${FULL:+|applying})$ ]] ||
                        bus_fail "$1: the journal says $(jq -r .state "$tx")"
        fi
        no_temp || bus_fail "$1: temp files left: $(find "$ROOT" "$STATE/tx" -name '.#*')"
}

failed=0
for ((n = 1; n <= napply; n++)); do
        what=$(what_for "$(kind_at "$n")")
        reset
        start --test-fault "any:$n:$what"
        rc=0; out=$(hjson Apply st "$plan" 0 2>&1) || rc=$?
        [[ $rc -ne 0 ]] && failed=$((failed + 1))
        check_apply_outcome "apply, $(kind_at "$n") $n of $napply fails with $what"
done
echo "apply: $napply injection points, $failed of them failed the call"

killed_applied=0
for ((n = 1; n <= napply; n++)); do
        reset
        start --test-fault "any:$n:KILL"
        must_fail hcall Apply st "$plan" 0 >/dev/null || bus_fail "apply, kill at $n: it did not die"
        helper_wait_exit 5 || bus_fail "apply, kill at $n: helper still there"
        start
        # Killed after the final record's rename: it is applied, and says so. Anywhere else: recovered.
        st=none
        [[ -z $(newest_tx) ]] || st=$(hjson GetTransaction s "$(basename "$(newest_tx)" .json)" | jq -r .state)
        if [[ $st == applied ]]; then
                [[ $(tree_state) == "$after" ]] || bus_fail "apply, kill at $n: the journal says applied, the values differ"
                killed_applied=$((killed_applied + 1))
        else
                [[ $st =~ ^(recovered|none)$ && $(tree_state) == "$before" ]] ||
                        { diff <(echo "$before") <(tree_state) >&2 || true; bus_fail "apply, kill at $(kind_at "$n") $n: $st, not restored by the recovery"; }
        fi
        no_temp || bus_fail "apply, kill at $n: temp files left"
done
echo "apply: $napply kill points, $killed_applied of them after the final record (still applied), the rest recovered"

for ((n = 1; n <= nroll; n++)); do
        k=$(kind_at $((napply + n)))
        for what in "$(what_for "$k")" KILL; do
                reset
                start
                id=$(hjson Apply st "$plan" 0 | jq -r .id)
                helper_stop
                start --test-fault "any:$n:$what"
                rc=0; out=$(hjson Rollback s "$id" 2>&1) || rc=$?
                label="rollback, $k $n of $nroll: $what"
                if [[ $what == KILL ]]; then
                        helper_wait_exit 5 || true
                elif [[ $rc -eq 0 ]]; then
                        if [[ $(jq -r .failures <<<"$out") -eq 0 ]]; then
                                [[ $(tree_state) == "$before" ]] || bus_fail "$label: reply says all restored, but the tree differs"
                        else
                                jq -e '[.changes[], .files[] | select(.rollback == "failed")] | length > 0' <<<"$out" >/dev/null ||
                                        bus_fail "$label: failures without a failed item: $out"
                        fi
                else
                        [[ $(tree_state) == "$after" ]] || bus_fail "$label: failed ($out), but the tree changed"
                fi
                restart
                st=$(hjson GetTransaction s "$id" | jq -r .state)
                case $st in
                applied) [[ $(tree_state) == "$after" ]] || bus_fail "$label: journal says applied, values are not" ;;
                rolled-back | recovered) [[ $(tree_state) == "$before" || $(jq -r .failures <<<"$out" 2>/dev/null) -gt 0 ]] ||
                        bus_fail "$label: journal says $st, but the tree differs" ;;
                partially-rolled-back)
                        # What failed stays rollable: a second rollback without the fault restores it all.
                        [[ $(jq -r .failures <<<"$out" 2>/dev/null) -gt 0 ]] || bus_fail "$label: partially rolled back without a failure: $out"
                        hjson Rollback s "$id" >/dev/null || bus_fail "$label: the second rollback failed"
                        [[ $(tree_state) == "$before" ]] || bus_fail "$label: the second rollback did not restore the tree" ;;
                *) bus_fail "$label: journal says $st after a restart" ;;
                esac
                no_temp || bus_fail "$label: temp files left"
        done
done
echo "rollback: $nroll injection points and $nroll kill points"

# A real ENOSPC: the state directory on a tmpfs of 16 pages, filled up to K free pages.
full_failed=0
for k in 0 1 2 3 4 6; do
        reset
        mount -t tmpfs -o size=64k,mode=0700 skytune-faults "$STATE"
        head -c $(((16 - k) * 4096)) /dev/zero >"$STATE/filler" 2>/dev/null || true
        start
        rc=0; out=$(hjson Apply st "$plan" 0 2>&1) || rc=$?
        # The filler keeps the disk full across the restart: there the record may stay "applying" (the
        # recovery cannot save "recovered"), which each start rolls back again, finding the old values.
        [[ $rc -eq 0 ]] || full_failed=$((full_failed + 1))
        FULL=1 check_apply_outcome "tmpfs with $k free pages"
        rm -f "$STATE/filler"
        restart
        [[ $(tree_state) == "$before" || $rc -eq 0 ]] || bus_fail "tmpfs with $k free pages: not as before once there is room"
        for t in "$STATE"/tx/*.json; do
                [[ -e $t ]] || continue
                [[ $(jq -r .state "$t") =~ ^(applied|failed|recovered)$ ]] || bus_fail "tmpfs with $k free pages: $(jq -r .state "$t") once there is room"
        done
        helper_stop
        umount "$STATE"
done
echo "tmpfs: 6 fill levels (0 to 6 free pages), $full_failed of them failed the call"
echo "ok: $napply apply and $nroll rollback injection points, as many kill points, and a full tmpfs keep the journal's promise"
