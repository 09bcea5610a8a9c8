#!/usr/bin/env bash
# skytune bench end to end: a suite of command benchmarks run twice into a history (the second time
# one benchmark twice as slow), compare calls that one regressed with its gate failed (exit 4, JUnit
# failure) and the unchanged one same; runs on hosts whose CPU models differ are refused with the
# field named, and compared with --force (the soft THP difference shown); Ctrl-C records nothing
# (exit 130); malformed suites and arguments are refused with file:line or usage (exit 2); a
# damaged history is moved aside, not deleted; a load benchmark's url starting with '-' is taken as
# the URL, not an option.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
F=$SRC/tests/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }
H=$T/h.db
# The fixture with steady's gate at 100 %, not 20 %: runs made one after the other drift on a busy
# host (+10 ms of fork and exec is 20 % of its 50 ms), and this gate is there to pass, not to be
# close. (A copy: other tests use the fixture as it is.)
suite=$T/two-sleeps.conf
awk '/name = "steady"/ { s = 1 } s && /max_regression/ { sub(/max_regression = 20\.0/, "max_regression = 100.0"); s = 0 } 1' \
        "$F/bench/two-sleeps.conf" >"$suite"
grep -A1 'name = "steady"' "$suite" | grep -q 'max_regression = 100.0' || fail "steady's gate not raised in $suite"

# Two runs: the second with "sleep" twice as long.
SKYTUNE_TEST_SLEEP=0.05 $S bench run "$suite" --history "$H" --json >"$T/run1.json" || fail "first run"
SKYTUNE_TEST_SLEEP=0.1 $S bench run "$suite" --history "$H" >"$T/run2.txt" || fail "second run"
[[ $(jq '.benchmarks[0].metrics[0].samples | length' "$T/run1.json") == 10 ]] || fail "10 samples kept (warm-up dropped)"
[[ $(jq -r .schema "$T/run1.json") == skytune.bench-run/1 && $(jq .id "$T/run1.json") == 1 ]] || fail "run document"
# Interleaved: repetitions of the benchmarks alternate in time.
jq -e '(.benchmarks[0].repetition_started_us[1] > .benchmarks[1].repetition_started_us[0]) and
       (.benchmarks[1].repetition_started_us[0] > .benchmarks[0].repetition_started_us[0])' "$T/run1.json" >/dev/null ||
        fail "repetitions are not interleaved"
grep -q '^run 2 of suite two-sleeps' "$T/run2.txt" || fail "run text: $(cat "$T/run2.txt")"

code=$(rc $S bench compare --history "$H" --json --noise 30 --junit "$T/junit.xml")
[[ $code == 4 ]] || fail "compare with a failed gate: exit $code, $(cat "$T/err")"
verdict() { jq -r --arg b "$1" '.metrics[] | select(.benchmark == $b and .metric == "wall_s") | .verdict' "$T/out"; }
[[ $(verdict sleep) == regressed ]] || fail "the twice slower benchmark is $(verdict sleep): $(jq -c .metrics "$T/out")"
# The unchanged one is same; on a busy host (fork and exec of a 50 ms sleep under ASan) it may be
# unknown with the repetitions that would decide, never regressed or improved.
steady_ok() {
        local v; v=$(verdict steady)
        [[ $v == same ]] || { [[ $v == unknown ]] && jq -e '[.metrics[] | select(.benchmark == "steady")][0].more_repetitions > 0' "$T/out" >/dev/null; }
}
steady_ok || fail "the unchanged benchmark is $(verdict steady): $(jq -c .metrics "$T/out")"
# (net_improvement is over every metric: the loop's may improve more than sleep's regressed when
# the machine's load drops between the runs, so only its type is asked.)
jq -e '.summary.regressions >= 1 and .summary.gates_failed == 1 and (.summary.net_improvement | type == "number")' "$T/out" >/dev/null ||
        fail "summary: $(jq -c .summary "$T/out")"
jq -e '[.metrics[] | .p_holm >= .p] | all' "$T/out" >/dev/null || fail "Holm never lowers a p-value"
xmllint --noout "$T/junit.xml" || fail "JUnit XML is not well-formed (xmllint: libxml2-utils)"
grep -q 'tests="2" failures="1"' "$T/junit.xml" && grep -q '<failure message=.*verdict regressed' "$T/junit.xml" ||
        fail "JUnit: $(cat "$T/junit.xml")"
# The same runs in text, named explicitly.
[[ $(rc $S bench compare 1 2 --history "$H" --noise 30) == 4 ]] && grep -q '^sleep .*regressed  gate failed' "$T/out" &&
        grep -q '^net improvement' "$T/out" || fail "compare text: $(cat "$T/out")"

# Baselines: run 1 is the baseline, so run 2 regressed against it; accepting run 2 (a deliberate
# change) makes a third run like it "same", not a regression.
[[ $(rc $S bench baseline accept 2 --history "$H") == 1 ]] && grep -q "has no baseline 'main' to accept" "$T/err" || fail "accept without a baseline"
$S bench baseline set 1 --history "$H" >/dev/null
[[ $(rc $S bench compare --baseline main --history "$H" --noise 30) == 4 ]] && grep -q '^suite two-sleeps: run 1 (A) against run 2 (B)' "$T/out" ||
        fail "compare against the baseline: $(cat "$T/out" "$T/err")"
$S bench baseline accept 2 --history "$H" | grep -q 'baseline main of suite two-sleeps: run 2 (accepted change)' || fail "accept"
# Against the accepted run 2, sleep's gate does not fail (exit 0); one may stay undecided (exit 5)
# with ten repetitions on a busy host, and steady's fail (exit 4) only if the host doubled it.
SKYTUNE_TEST_SLEEP=0.1 $S bench run "$suite" --history "$H" >/dev/null
code=$(rc $S bench compare --baseline main --history "$H" --noise 30 --json)
[[ $code == [045] ]] && [[ $(verdict sleep) != regressed ]] && jq -e '.a.id == 2 and .b.id == 3 and
        ([.metrics[] | select(.benchmark == "sleep" and .metric == "wall_s")][0].gate.status != "failed")' "$T/out" >/dev/null ||
        fail "after accept: exit $code, $(jq -c '.metrics[0]' "$T/out")"
$S bench baseline show --history "$H" | grep -q '^two-sleeps main: run 2 since .* (accepted change over run 1)$' || fail "baseline show"
[[ $(rc $S bench compare --baseline other --history "$H") == 1 ]] && grep -q "has no baseline 'other'" "$T/err" || fail "missing baseline"

# An A/A run raises the threshold of each metric to the spread it shows: run 1 against run 2 (the
# sleep twice as long) as "A/A" of run 2 makes the sleep's threshold far above the 2 % floor.
$S bench compare 2 3 --aa 1 --history "$H" --json >"$T/aa.json" || [[ $? == [45] ]] || fail "compare --aa"
# (steady's own threshold below sleep's: only that metric's is raised; a busy host widens both.)
jq -e '[.metrics[] | select(.benchmark == "sleep")][0].threshold > 0.3 and
       ([.metrics[] | select(.benchmark == "steady")][0].threshold < [.metrics[] | select(.benchmark == "sleep")][0].threshold)' "$T/aa.json" >/dev/null ||
        fail "--aa thresholds: $(jq -c '[.metrics[] | {benchmark, threshold}]' "$T/aa.json")"

# Three repetitions a side cannot fail a gate (the exact p is at least 2/C(6,3) = 0.1): compare says
# so and how many would do, and the gate on the twice slower sleep is undecided: exit 5.
printf 'name = "few";\nrepetitions = 3;\nwarmup = 0;\nbenchmarks = ( { name = "t"; kind = "command"; command = "sleep $SKYTUNE_TEST_SLEEP";\n  metrics = [ "wall_s" ]; gates = ( { metric = "wall_s"; max_regression = 1.0; } ); } );\n' >"$T/few.conf"
SKYTUNE_TEST_SLEEP=0.02 $S bench run "$T/few.conf" --history "$T/few.db" >/dev/null &&
        SKYTUNE_TEST_SLEEP=0.04 $S bench run "$T/few.conf" --history "$T/few.db" >/dev/null || fail "few runs"
code=$(rc $S bench compare --history "$T/few.db" --json)
[[ $code == 5 ]] && jq -e '.metrics[0].gate.status == "unknown" and .summary.gates_unknown == 1' "$T/out" >/dev/null &&
        grep -q 'the gate on t wall_s cannot fail with 3 and 3 repetitions across 1 metrics .*run at least 4 repetitions a side' "$T/err" ||
        fail "a gate that cannot fail: exit $code, $(cat "$T/err") $(jq -c .metrics "$T/out")"

# One run given, the newest: the newest other is older, so it is A (B is always the later run).
$S bench compare 3 --history "$H" --json >"$T/one.json" || [[ $? == [45] ]] || fail "compare one run"
jq -e '.a.id == 2 and .b.id == 3' "$T/one.json" >/dev/null || fail "one run: A $(jq .a.id "$T/one.json"), B $(jq .b.id "$T/one.json")"

# A probe benchmark runs in-process, one round per repetition.
printf 'repetitions = 3;\nwarmup = 0;\nbenchmarks = ( { name = "cpu"; kind = "probe"; probe = "cpu"; duration = 0.05;\n  metrics = [ "int_ops_per_s_1thread" ]; } );\n' >"$T/probe.conf"
$S bench run "$T/probe.conf" --history "$T/probe.db" --json >"$T/probe.json" || fail "probe benchmark"
jq -e '.benchmarks[0].metrics[0] | (.samples | length == 3 and all(. > 0)) and .higher_is_better' "$T/probe.json" >/dev/null ||
        fail "probe samples: $(jq -c '.benchmarks[0].metrics[0]' "$T/probe.json")"

# Fingerprints: hosts a and b differ in the CPU model (hard) and THP (soft).
$S bench run "$F/bench/sleeps.conf" --repeat 3 --history "$T/fp.db" --sysroot "$F/bench-host/a" >/dev/null
$S bench run "$F/bench/sleeps.conf" --repeat 3 --history "$T/fp.db" --sysroot "$F/bench-host/b" >/dev/null
[[ $(SKYTUNE_SYSROOT=$F/bench-host/b $S bench run "$F/bench/sleeps.conf" --repeat 1 --history "$T/env.db" --json 2>/dev/null |
      jq -r .fingerprint.hard.cpu_model) == "Fixture CPU 4000" ]] || fail "SKYTUNE_SYSROOT is not where the fingerprint is read"
[[ $(rc $S bench compare --history "$T/fp.db") == 1 ]] && grep -q "hard fingerprint fields: cpu_model ('Fixture CPU 3000' vs 'Fixture CPU 4000')" "$T/err" &&
        grep -q -- '--force' "$T/err" && [[ ! -s $T/out ]] || fail "different CPUs compared: $(cat "$T/err")"
[[ $(rc $S bench compare --history "$T/fp.db" --force) == [045] ]] && grep -q '^forced across cpu_model: Fixture CPU 3000 -> Fixture CPU 4000' "$T/out" &&
        grep -q '^differs: thp: madvise -> always' "$T/out" || fail "--force: $(cat "$T/out" "$T/err")"

# Ctrl-C during a run: exit 130, nothing recorded.
before=$(sqlite3 "$H" 'SELECT count(*) FROM run')
SKYTUNE_TEST_SLEEP=0.05 $S bench run "$suite" --history "$H" --repeat 50 >/dev/null 2>"$T/int.err" &
pid=$!
sleep 1
kill -INT $pid
code=0
wait $pid || code=$?
[[ $code == 130 ]] && grep -q 'interrupted: the run of suite two-sleeps was not recorded' "$T/int.err" ||
        fail "interrupted run: exit $code, $(cat "$T/int.err")"
[[ $(sqlite3 "$H" 'SELECT count(*) FROM run') == "$before" ]] || fail "an interrupted run left rows"
# A failing command fails the run and records nothing.
printf 'benchmarks = ( { name = "f"; kind = "command"; command = "exit 3"; } );\n' >"$T/fails.conf"
[[ $(rc $S bench run "$T/fails.conf" --history "$H") == 1 ]] && grep -q "benchmark f, warm-up 1: 'exit 3' exited with status 3" "$T/err" ||
        fail "failing command: $(cat "$T/err")"

# Malformed suites and arguments.
printf 'benchmarks = (\n { name = "x"; kind = "command";\n command = "true"; metrics = [ "wall" ]; } );\n' >"$T/bad.conf"
[[ $(rc $S bench run "$T/bad.conf" --history "$H") == 2 ]] && grep -q "bad.conf:3: a command benchmark has no metric 'wall': did you mean 'wall_s'" "$T/err" ||
        fail "malformed suite: $(cat "$T/err")"
[[ $(rc $S bench check "$T/missing.conf") == 2 ]] && grep -q "cannot read the suite" "$T/err" || fail "missing suite"
[[ $(rc $S bench run "$suite" --repeat 0) == 2 && $(rc $S bench compare x --history "$H") == 2 ]] || fail "usage errors"
[[ $(rc $S bench compare 1 99 --history "$H") == 1 ]] && grep -q 'no run 99' "$T/err" || fail "missing run"
[[ $(rc $S bench frobnicate) == 2 ]] || fail "unknown subcommand"

# A damaged history is moved aside and a new one started.
echo "not a database at all, but long enough to look like the start of one" >"$T/bad.db"
$S bench run "$F/bench/sleeps.conf" --repeat 1 --history "$T/bad.db" >/dev/null 2>"$T/err" || fail "run into a damaged history"
grep -q 'moved aside to' "$T/err" && ls "$T"/bad.db.corrupt-* >/dev/null || fail "damaged history: $(cat "$T/err")"
# A load benchmark's url is the URL, even when it starts with '-' (after "--" on load's command line).
printf 'name = "dash";\nwarmup = 0;\nbenchmarks = ( { name = "l"; kind = "load"; url = "--help"; duration = 1;\n  repetitions = 1; } );\n' >"$T/dash.conf"
[[ $(rc $S bench run "$T/dash.conf" --history "$T/dash.db") != 0 ]] && grep -q "'--help' is not a URL" "$T/err" ||
        fail "a url starting with '-': $(cat "$T/err")"
echo "test-bench: ok"
