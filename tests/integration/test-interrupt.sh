#!/usr/bin/env bash
# Ctrl-C for real: SIGINT or SIGTERM sent to the running skytune in the middle of its work.
#  - profile: exit 130, the profile is still reported (and written with --out), marked
#    "interrupted" with the real window length; one last full sample keeps the TCP, vmstat and
#    softnet rates, even when stopped before the first 5 s full sample; no "use --duration" reason.
#  - plan and apply --dry-run: exit 130 during their profile, with no plan printed or written.
#  - probe: exit 130, "interrupted" in skytune.probe/1, the probes not started in "not_run".
#  - the progress line counts samples as the report does ("3 of 4 samples", then 4 samples).
#  - contradictory flags of profile, plan, apply and probe: exit 2, a message naming both.
set -euo pipefail
set -m          # background jobs in their own process group, so SIGINT is not ignored in them
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Start CMD in the background, send SIG after SECONDS, and wait: $rc is its exit code. With
# sampling=1, SECONDS count from the first sample (the main thread's first sleep, clock_nanosleep on
# x86_64, comes after it), not from the fork: a slow start-up neither eats the window nor lets the
# signal come before the handler is installed.
interrupt() {
        local sig=$1 after=$2 pid nr
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err" &
        pid=$!
        if [[ ${sampling:-0} == 1 ]]; then
                for _ in $(seq 500); do
                        read -r nr _ <"/proc/$pid/syscall" 2>/dev/null || nr=
                        [[ $nr == 230 || $nr == 35 ]] && break
                        sleep 0.02
                done
                [[ $nr == 230 || $nr == 35 ]] || { kill "$pid"; fail "$*: not sampling after 10 s (syscall '$nr')"; }
        fi
        sleep "$after"
        kill -"$sig" "$pid"
        rc=0
        wait "$pid" || rc=$?
}

# 1. profile, stopped 2.5 s into its window of 10 (before the second full sample at 5 s) and, with
#    SIGTERM, 0.4 s into it (before even the first 1 s sample).
for case in "INT 2.5" "TERM 0.4"; do
        set -- $case
        sampling=1 interrupt "$1" "$2" "$skytune" profile --json --out "$tmp/saved.json"
        [[ $rc == 130 ]] || fail "profile stopped by SIG$1 after $2 s exited $rc: $(cat "$tmp/err")"
        cmp -s "$tmp/out" "$tmp/saved.json" || fail "SIG$1: --out differs from what was printed"
        jq -e --argjson t "$2" '.interrupted == true and .window.interrupted == true
                and .window.requested_duration_s == 10
                and (.window.duration_s > $t - 0.3) and (.window.duration_s < $t + 1)
                and .window.full_samples == 2' "$tmp/out" >/dev/null ||
                fail "SIG$1 after $2 s: window $(jq -c .window "$tmp/out")"
        # The rates that come only from full samples (netstat, snmp, vmstat, softnet) survive.
        for m in network.tcp.listen_overflows_per_s network.tcp.out_resets_per_s network.udp.in_errors_per_s \
                memory.swap_in_per_s memory.major_faults_per_s interrupts.softnet_dropped_per_s cpu.utilization_pct; do
                jq -e --arg m "$m" 'getpath(["resources"] + ($m | split("."))) | .unit != null' "$tmp/out" >/dev/null ||
                        fail "SIG$1 after $2 s: no $m in the interrupted profile"
        done
        ! grep -q 'use --duration' "$tmp/out" || fail "SIG$1: a reason still says 'use --duration'"
        grep -q 'interrupted after' "$tmp/err" || fail "SIG$1: no word on the interruption: $(cat "$tmp/err")"
done
# The same metric set as a window that ran to its end.
"$skytune" profile --json --duration 2 >"$tmp/full.json"
# Compared by name, leaving out the per-object collections (cgroups, disks, interfaces, CPUs), whose
# members come and go with what the host does between the two runs.
metric_names() {
        jq -r '[paths(objects and has("unit"))] | map(select(all(.[]; . != "cgroups" and . != "devices" and
                . != "interfaces" and . != "per_cpu")) | join(".")) | .[]' "$1" | sort
}
missing=$(comm -23 <(metric_names "$tmp/full.json") <(metric_names "$tmp/out"))
[[ -z $missing ]] || fail "the interrupted profile lacks metrics that a full one has: $(echo $missing)"
# What cannot be computed is listed with the reason: a --duration 0 snapshot.
"$skytune" profile --json --duration 0 >"$tmp/snap.json"
for u in network.unavailable.netstat_rates network.unavailable.snmp_rates interrupts.unavailable.softnet_rates \
        memory.unavailable.vmstat_rates cpu.unavailable.rates; do
        jq -e --arg u "$u" 'getpath(["resources"] + ($u | split("."))) | test("--duration 0 is an instant snapshot")' \
                "$tmp/snap.json" >/dev/null || fail "snapshot: no reason at $u: $(jq -c .resources.network.unavailable "$tmp/snap.json")"
done
jq -e '.interrupted == false' "$tmp/snap.json" >/dev/null || fail "a snapshot is marked interrupted"
# A signal once the window is sampled (strace sends SIGINT at the first write, that of the finished
# profile) or during a --duration 0 snapshot: the profile is complete and printed, and the exit is 130.
for window in "0" "0.3 --interval 0.1"; do
        rc=0
        ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=write -e inject=write:signal=SIGINT:when=1 \
                "$skytune" profile --json --duration $window >"$tmp/out" 2>"$tmp/err" || rc=$?
        [[ $rc == 130 ]] || fail "SIGINT after a --duration $window window: exit $rc: $(cat "$tmp/err")"
        jq -e '.interrupted == false and .schema == "skytune.profile/1"' "$tmp/out" >/dev/null ||
                fail "SIGINT after a --duration $window window: $(head -c 300 "$tmp/out")"
        grep -q 'interrupted (SIGINT) after the window was sampled' "$tmp/err" || fail "SIGINT after the window: $(cat "$tmp/err")"
done

# 2. plan and apply --dry-run stop during their profile: no plan from a truncated window.
interrupt INT 1.5 "$skytune" plan --out "$tmp/plan.json"
[[ $rc == 130 && ! -s $tmp/out && ! -e $tmp/plan.json ]] || fail "plan interrupted: rc $rc, out $(head -c 300 "$tmp/out")"
grep -q 'no plan was made' "$tmp/err" || fail "plan interrupted: $(cat "$tmp/err")"
interrupt TERM 1.5 "$skytune" apply --dry-run --json
[[ $rc == 130 && ! -s $tmp/out ]] || fail "apply --dry-run interrupted: rc $rc, out $(head -c 300 "$tmp/out")"
grep -q 'SIGTERM.*nothing was planned or applied' "$tmp/err" || fail "apply --dry-run interrupted: $(cat "$tmp/err")"

# 3. probe: cpu is 5 rounds of 1 s, so at 2.5 s it is in its third round and memory has not started.
interrupt INT 2.5 "$skytune" probe cpu memory --json
[[ $rc == 130 ]] || fail "probe interrupted exited $rc: $(cat "$tmp/err")"
jq -e '.interrupted == true and .not_run == ["memory"] and .probes[0].name == "cpu" and .probes[0].interrupted == true
        and .probes[0].rounds >= 1 and .probes[0].rounds < 5' "$tmp/out" >/dev/null ||
        fail "probe interrupted: $(jq -c '{interrupted, not_run, p: [.probes[] | {name, rounds, interrupted}]}' "$tmp/out")"
"$skytune" probe cpu --rounds 1 --duration 0.2 --json | jq -e '.interrupted == false and .not_run == []' >/dev/null ||
        fail "an uninterrupted probe run is not marked so"

# 4. The progress line counts samples (taken of planned), as the report does.
script -qefc "$skytune profile --duration 3 --json --out $tmp/prog.json >/dev/null" "$tmp/typescript" >/dev/null
samples=$(jq .window.samples "$tmp/prog.json")
last=$(tr '\r' '\n' <"$tmp/typescript" | grep -o '[0-9]* of [0-9]* samples' | tail -1)
[[ $last == "3 of $samples samples" && $samples == 4 ]] || fail "progress '$last', report $samples samples"

# 5. Contradictory flags: exit 2 and a message naming both.
refused() {     # refused "FLAG A" "FLAG B" ARGS...
        local a=$1 b=$2 rc=0
        shift 2
        "$skytune" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
        [[ $rc == 2 ]] || fail "'$*' exited $rc (want 2): $(cat "$tmp/err")"
        grep -qF -- "$a" "$tmp/err" && grep -qF -- "$b" "$tmp/err" || fail "'$*': the message does not name $a and $b: $(cat "$tmp/err")"
        [[ ! -s $tmp/out ]] || fail "'$*' printed: $(head -c 200 "$tmp/out")"
}
refused --json "--format prometheus" profile --json --format prometheus --duration 0
refused --json "--format prometheus" profile --format prometheus --json --duration 0
refused "--format text" "--format json" profile --format text --format json --duration 0
refused --interval "--duration 0" profile --duration 0 --interval 1
refused --profile --duration plan --profile "$tmp/full.json" --duration 3
refused --dry-run --yes apply --dry-run --yes --duration 0
refused --dry-run --verify apply --dry-run --verify --duration 0
refused --rollback-on-regression --verify apply --rollback-on-regression --yes --duration 0
refused --rounds --verify apply --rounds 3 --yes --duration 0
refused --detailed-exitcode --dry-run apply --detailed-exitcode --yes --duration 0
refused --profile --duration apply --dry-run --profile "$tmp/full.json" --duration 3
refused --plan --duration apply --dry-run --plan "$tmp/full.json" --duration 3
refused --fail-on-regression --baseline probe cpu --fail-on-regression
# No terminal on stdin and no --yes: refused before any work (no 10 s profile first).
t0=$(date +%s%N)
rc=0; "$skytune" apply </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
(( rc == 2 && ($(date +%s%N) - t0) / 1000000 < 2000 )) && grep -q -- '--yes' "$tmp/err" ||
        fail "apply without a terminal and without --yes: rc $rc: $(cat "$tmp/err")"
echo "ok: profile, plan, apply --dry-run and probe interrupted for real; progress count; contradictory flags refused"
