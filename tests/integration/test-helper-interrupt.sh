#!/usr/bin/env bash
# skytune apply, interrupted for real at each stage, and its confirmation, against the private bus
# (lib-helper-bus.sh: dbus-daemon, polkitd, the helper activated on a copy of the fixture tree):
#  - during its profile (SIGINT and SIGTERM): exit 130, the fixture tree unchanged, no transaction;
#  - at the confirmation question (stdin a real pseudo-terminal, stdout a file): the same;
#  - while the helper works on a plan it was sent (a polkit rule that takes 3 s): the client waits,
#    reports the transaction the helper completed with how to undo it, and exits 130;
#  - the question is asked whenever stdin is a terminal, also with stdout piped: "n" applies nothing
#    (exit 1), "y" applies; without a terminal and without --yes it refuses (exit 2);
#  - no answer at all (polkitd stopped with SIGSTOP, so the helper waits): the helper killed while the
#    client waits (exit 1; 130 after a Ctrl-C) and a second Ctrl-C (exit 130 at once) say "outcome
#    unknown", never "nothing was changed" (the client cannot know whether the helper went on).
set -euo pipefail
set -m          # background jobs in their own process group, so SIGINT is not ignored in them
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"
drive=$BUS_SRC/tests/integration/pty-drive.py
before=$(tree_state)
unchanged() {   # unchanged WHAT: the fixture tree as it was, and no transaction in the journal
        [[ $(tree_state) == "$before" ]] || bus_fail "$1: the fixture tree changed: $(diff <(echo "$before") <(tree_state) | head)"
        [[ $(journal_count) == 0 ]] || bus_fail "$1: a transaction was journaled: $("$SKYTUNE" history)"
        "$SKYTUNE" history | grep -q 'No transactions yet' || bus_fail "$1: history: $("$SKYTUNE" history)"
}

# The policy has changes for this tree (else stopping before applying proves nothing).
"$SKYTUNE" apply --dry-run --json --policy throughput-performance --sysroot "$ROOT" --duration 1 >"$BUS_TMP/dry.json"
jq -e '.dry_run.pending > 0' "$BUS_TMP/dry.json" >/dev/null || bus_fail "throughput-performance changes nothing on the fixture"

# 1. During the profile (10 s), with --yes: nothing planned, nothing sent.
for sig in INT TERM; do
        "$SKYTUNE" apply --yes --policy throughput-performance --sysroot "$ROOT" >"$BUS_TMP/out" 2>"$BUS_TMP/err" &
        pid=$!
        sleep 1.5
        kill -"$sig" "$pid"
        rc=0; wait "$pid" || rc=$?
        [[ $rc == 130 ]] || bus_fail "SIG$sig during the profile: exit $rc: $(cat "$BUS_TMP/err")"
        grep -q "SIG$sig.*during the profile: nothing was planned or applied" "$BUS_TMP/err" || bus_fail "SIG$sig: $(cat "$BUS_TMP/err")"
        ! grep -q 'Applied transaction' "$BUS_TMP/out" || bus_fail "SIG$sig during the profile applied: $(cat "$BUS_TMP/out")"
        unchanged "SIG$sig during the profile"
done

# 2. At the question: stdin and stderr on a pseudo-terminal, stdout piped to a file.
make_plan <<<'sysctl vm.swappiness 12' >"$BUS_TMP/plan.json"
rc=0; python3 "$drive" "$BUS_TMP/q" signal:INT "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" || rc=$?
[[ $rc == 130 ]] || bus_fail "SIGINT at the question: exit $rc: $(cat "$BUS_TMP/q.tty")"
grep -q 'at the confirmation: nothing was applied' "$BUS_TMP/q.tty" || bus_fail "SIGINT at the question: $(cat "$BUS_TMP/q.tty")"
unchanged "SIGINT at the question"

# 3. The question is asked although stdout is not a terminal; "n" applies nothing, "y" applies.
rc=0; python3 "$drive" "$BUS_TMP/q" answer:n "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" || rc=$?
[[ $rc == 1 ]] || bus_fail "answer n: exit $rc (99: never asked): $(cat "$BUS_TMP/q.tty") $(cat "$BUS_TMP/q")"
grep -q 'Apply 1 change(s) through skytune-helper? \[y/N\]' "$BUS_TMP/q.tty" && grep -q 'cancelled: nothing was applied' "$BUS_TMP/q.tty" ||
        bus_fail "answer n: $(cat "$BUS_TMP/q.tty")"
unchanged "answer n"
rc=0; python3 "$drive" "$BUS_TMP/q" answer:y "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" || rc=$?
[[ $rc == 0 && $(cat "$ROOT/proc/sys/vm/swappiness") == 12 ]] && grep -q 'Applied transaction' "$BUS_TMP/q" ||
        bus_fail "answer y: exit $rc: $(cat "$BUS_TMP/q.tty") $(cat "$BUS_TMP/q")"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback after answer y"
# No terminal on stdin, no --yes: refused before anything is sent.
rc=0; "$SKYTUNE" apply --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" </dev/null >"$BUS_TMP/out" 2>"$BUS_TMP/err" || rc=$?
[[ $rc == 2 && $(journal_count) == 1 && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] && grep -q -- '--yes' "$BUS_TMP/err" ||
        bus_fail "no terminal, no --yes: exit $rc: $(cat "$BUS_TMP/err")"

# 4. While the helper works on it: a polkit rule that takes 3 s to grant nobody the apply action.
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.apply" && subject.user == "nobody") {
                var t = Date.now();
                while (Date.now() - t < 3000) { }
                return polkit.Result.YES;
        }
});' 48
sleep 1        # polkitd reloads its rules asynchronously (as in test-helper-auth.sh)
chmod 0644 "$BUS_TMP/plan.json"
for sig in INT TERM; do
        t0=$(date +%s%N)
        # setpriv and env exec, so $! is skytune itself (a shell function would put a subshell between).
        setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                "$SKYTUNE" apply --yes --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" </dev/null >"$BUS_TMP/out" 2>"$BUS_TMP/err" &
        pid=$!
        sleep 1
        kill -"$sig" "$pid"
        rc=0; wait "$pid" || rc=$?
        (( ($(date +%s%N) - t0) / 1000000 >= 2500 )) || bus_fail "SIG$sig: the helper was not slow (the test proves nothing)"
        [[ $rc == 130 ]] || bus_fail "SIG$sig while the helper worked: exit $rc: $(cat "$BUS_TMP/err")"
        id=$(sed -n 's/^Applied transaction \(.*\):$/\1/p' "$BUS_TMP/out")
        [[ -n $id ]] || bus_fail "SIG$sig: the transaction the helper completed is not reported: $(cat "$BUS_TMP/out") $(cat "$BUS_TMP/err")"
        grep -q "waiting for skytune-helper's answer" "$BUS_TMP/err" &&
                grep -q "completed transaction $id, which stays applied (undo it with 'skytune rollback $id')" "$BUS_TMP/err" ||
                bus_fail "SIG$sig: $(cat "$BUS_TMP/err")"
        "$SKYTUNE" history --json | jq -e --arg id "$id" '.transactions[] | select(.id == $id) | .state == "applied"' >/dev/null ||
                bus_fail "SIG$sig: transaction $id is not applied: $("$SKYTUNE" history)"
        [[ $(cat "$ROOT/proc/sys/vm/swappiness") == 12 ]] || bus_fail "SIG$sig: reported applied, but swappiness is $(cat "$ROOT/proc/sys/vm/swappiness")"
        "$SKYTUNE" rollback "$id" >/dev/null || bus_fail "rollback $id"
done

# 5. No answer: polkitd stopped, so the helper waits for its check of nobody's Apply.
trap 'rc=$?; kill -CONT "$POLKIT_PID" 2>/dev/null; set +e; (exit $rc); bus_teardown' EXIT
apply_as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                "$SKYTUNE" apply --yes --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" </dev/null >"$BUS_TMP/out" 2>"$BUS_TMP/err" &
        pid=$!
}
# Until the client ($pid) is on the bus and a helper owns the name (after a kill, only the client's call
# starts one), then a second more for the call to be queued there.
reached_helper() {
        for _ in $(seq 200); do
                busctl --system list --unique --no-legend 2>/dev/null | awk -v p="$pid" '$2 == p { f = 1 } END { exit !f }' &&
                        [[ -n $(helper_pid) ]] && break
                sleep 0.05
        done
        sleep 1
}
# Kill the helper; none is a failure here, not an error of kill.
kill_helper() {
        local hpid
        hpid=$(helper_pid)
        [[ -n $hpid ]] || bus_fail "$1: no helper to kill"
        kill -KILL "$hpid"
}
# Interrupt the client and wait until it says it waits for the answer (so the call was sent before).
interrupt_waiting() {
        kill -INT "$pid"
        for _ in $(seq 200); do grep -q "interrupted: waiting for skytune-helper's answer" "$BUS_TMP/err" && return 0; sleep 0.05; done
        bus_fail "$1: the client did not wait for the answer after SIGINT: $(cat "$BUS_TMP/err")"
}
unknown() {        # unknown WHAT RC: exit RC, "outcome unknown" and not "nothing was changed"
        local rc=0
        wait "$pid" || rc=$?
        [[ $rc == "$2" ]] || bus_fail "$1: exit $rc, expected $2: $(cat "$BUS_TMP/err")"
        grep -q "outcome unknown: see 'skytune history' / 'skytune status'" "$BUS_TMP/err" &&
                ! grep -q 'nothing was changed' "$BUS_TMP/err" || bus_fail "$1: $(cat "$BUS_TMP/err")"
}
hcall ListTransactions >/dev/null
kill -STOP "$POLKIT_PID"
for interrupt in no yes; do
        apply_as_nobody
        reached_helper
        [[ $interrupt == yes ]] && interrupt_waiting "interrupted: $interrupt"
        kill_helper "interrupted: $interrupt"
        unknown "the helper gone while the client waited (interrupted: $interrupt)" "$([[ $interrupt == yes ]] && echo 130 || echo 1)"
done
setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
        "$SKYTUNE" rollback 20000101T000000-000000-000000 </dev/null >"$BUS_TMP/out" 2>"$BUS_TMP/err" &
pid=$!
reached_helper
kill_helper rollback
unknown "rollback, the helper gone while the client waited" 1
apply_as_nobody
reached_helper
t0=$(date +%s%N)
interrupt_waiting "a second Ctrl-C"; sleep 0.2; kill -INT "$pid"
unknown "a second Ctrl-C" 130
(( ($(date +%s%N) - t0) / 1000000 < 3000 )) || bus_fail "a second Ctrl-C: the client kept waiting"
# (polkitd, woken, cannot resolve the gone client's bus name, so the helper refuses the late call.)
kill -CONT "$POLKIT_PID"
hcall ListTransactions >/dev/null
[[ $(tree_state) == "$before" ]] || bus_fail "tree differs at the end"
echo "ok: apply interrupted during the profile, at the question and while the helper worked; the question with stdout piped;" \
        "no answer is an unknown outcome"
