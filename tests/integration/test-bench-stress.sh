#!/bin/bash
# A suite with stress benchmarks (kind "stress": one `skytune stress` child per repetition) against
# the injecting test server (a 300/s capacity, 5 ms delay): bench check shows the options as
# stress spells them, a breakpoint benchmark records the capacity (last_good_rps near 300), and a
# short gradual ramp far below it finds no knee: its knee samples are null, not a failed run, and
# bench compare of two such runs calls them unknown and fails no gate; an endurance benchmark given
# the server's pid (server_pid) records its RSS drift, and a spike its peak p99 and served share.
# About 55 s.
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-testserver.sh"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
start_testserver s --capacity 300 --delay-ms 5 --lifetime 200
H=$tmp/h.db
ramp="{ name = \"ramp\"; kind = \"stress\"; url = \"http://127.0.0.1:$port/\"; pattern = \"gradual\"; repetitions = 3;
    options = { from = 20; to = 60; ramp = \"2s\"; };
    gates = ( { metric = \"knee_rps\"; max_regression = 10.0; }, { metric = \"p99_ms\"; max_regression = 200.0; } ); }"
cat >"$tmp/suite.conf" <<CONF
name = "stress";
warmup = 0;
benchmarks = (
  { name = "capacity"; kind = "stress"; url = "http://127.0.0.1:$port/"; pattern = "breakpoint"; repetitions = 1;
    options = { start = 100; increment = 100; step = "3s"; sustain = "1s"; slo_p99 = "100ms"; repeats = 1;
                rest = "1s"; max_steps = 6; slo_lateness = "50ms"; }; timeout = "60s"; },
  $ramp );
CONF
"$skytune" bench check "$tmp/suite.conf" --json >"$tmp/check.json" || fail "bench check"
jq -e '.benchmarks[0].spec.options["max-steps"] == "6" and .benchmarks[0].spec.pattern == "breakpoint" and
       ([.benchmarks[1].metrics[].name] == ["rps", "p99_ms", "errors_pct", "knee_rps", "knee_p99_ms"])' \
        "$tmp/check.json" >/dev/null || fail "check: $(cat "$tmp/check.json")"
"$skytune" bench run "$tmp/suite.conf" --history "$H" --json >"$tmp/run1.json" 2>"$tmp/run1.err" ||
        fail "run 1: $(cat "$tmp/run1.err")"
m() { jq -c --arg b "$1" --arg m "$2" '.benchmarks[] | select(.name == $b) | .metrics[] | select(.name == $m) | .samples' "$tmp/run$3.json"; }
last_good=$(m capacity last_good_rps 1 | jq '.[0]')
within "$last_good" 200 330 || fail "breakpoint: last_good_rps $last_good, want near the 300/s capacity"
within "$(m capacity first_bad_rps 1 | jq '.[0]')" 280 420 || fail "breakpoint: first_bad_rps $(m capacity first_bad_rps 1)"
[[ $(m ramp knee_rps 1) == "[null,null,null]" ]] || fail "ramp far below capacity: knee_rps $(m ramp knee_rps 1), want nulls"
m ramp rps 1 | jq -e 'length == 3 and all(.[]; . > 30 and . < 50)' >/dev/null || fail "ramp rps $(m ramp rps 1)"
# The second run is the ramp's alone (the same benchmark: the same configuration digest).
printf 'name = "stress";\nwarmup = 0;\nbenchmarks = ( %s );\n' "$ramp" >"$tmp/ramp.conf"
"$skytune" bench run "$tmp/ramp.conf" --history "$H" --json >"$tmp/run2.json" 2>"$tmp/run2.err" ||
        fail "run 2: $(cat "$tmp/run2.err")"
set +e
"$skytune" bench compare 1 2 --history "$H" --json >"$tmp/cmp.json" 2>"$tmp/cmp.err"
code=$?
set -e
[[ $code == 0 || $code == 5 ]] || fail "compare: exit $code, $(cat "$tmp/cmp.err") $(jq -c .metrics "$tmp/cmp.json")"
jq -e '[.metrics[] | select(.benchmark == "ramp" and .metric == "knee_rps")][0].verdict == "unknown"' "$tmp/cmp.json" \
        >/dev/null || fail "knee_rps of null samples: $(jq -c .metrics "$tmp/cmp.json")"
# The server named by its pid (server_pid, as --server-pid): endurance measures its RSS drift; a
# spike far over the capacity has a peak p99 and a served share.
cat >"$tmp/server.conf" <<CONF
name = "server";
warmup = 0;
benchmarks = (
  { name = "soak"; kind = "stress"; url = "http://127.0.0.1:$port/"; pattern = "endurance"; repetitions = 1;
    options = { rate = 50; hold = "4s"; window = "1s"; }; server_pid = $pid; },
  { name = "spike"; kind = "stress"; url = "http://127.0.0.1:$port/"; pattern = "spike"; repetitions = 1;
    options = { rate = 100; factor = 5; before = "4s"; spike = "1s"; after = "3s"; }; } );
CONF
"$skytune" bench run "$tmp/server.conf" --history "$H" --json >"$tmp/run3.json" 2>"$tmp/run3.err" ||
        fail "run 3: $(cat "$tmp/run3.err")"
m soak rss_drift_pct 3 | jq -e 'length == 1 and (.[0] | type) == "number"' >/dev/null ||
        fail "endurance with server_pid: rss_drift_pct $(m soak rss_drift_pct 3), want a number"
m spike peak_p99_ms 3 | jq -e '.[0] > 20' >/dev/null || fail "spike: peak_p99_ms $(m spike peak_p99_ms 3)"
m spike served_pct 3 | jq -e '.[0] > 0 and .[0] <= 100' >/dev/null || fail "spike: served_pct $(m spike served_pct 3)"
echo "ok: stress benchmarks record the breakpoint's capacity ($last_good/s) and null knees, compared as unknown;"\
        "the server's RSS drift ($(m soak rss_drift_pct 3 | jq '.[0]') %) and a spike's peak p99"
