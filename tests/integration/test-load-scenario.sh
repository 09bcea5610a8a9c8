#!/bin/bash
# skytune load --scenario against a real nginx on 127.0.0.1 (started here; skipped without nginx or
# jq): steps one after another and side by side, weighted endpoints, a bearer token from a file that
# reaches the server but no output, a step's own threshold (exit 4, named with its step), a `step`
# phase whose `until` breaks and hands over to the next phase, and `scenario check` agreeing with the
# run. Every run is a few seconds at most.
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-nginx.sh"
start_nginx '$request_method $request_uri $http_authorization' 'location /err { return 503; } location /api { return 200 "ok"; }'

secret=tok-$RANDOM-$RANDOM-secret
echo "$secret" >"$tmp/token"
cat >"$tmp/run.conf" <<CONF
name = "itest";
url = "http://127.0.0.1:$port";
interval = "0.5s";
thresholds = [ "error_rate < 50%" ];
steps = (
        { name = "first"; users = 2; duration = "1s";
          endpoints = ( { path = "/api/a"; weight = 3; headers = [ "Authorization: Bearer @token" ]; },
                        { path = "/api/b"; weight = 1; } ); },
        { name = "left"; rate = 100; duration = "1s"; endpoints = ( { path = "/api/left"; } ); },
        { name = "right"; parallel = true; rate = 50; duration = "1s"; endpoints = ( { path = "/err"; } );
          thresholds = [ "error_rate < 1%" ]; },
        { name = "climb"; rate = 50; url = "http://127.0.0.1:$port/err";
          phases = ( { kind = "step"; start = 50; increment = 50; every = "0.5s"; max_steps = 20;
                       until = "error_rate < 1%"; },
                     { kind = "hold"; for = "0.5s"; value = 20; } ); }
);
CONF
"$skytune" scenario check --json "$tmp/run.conf" >"$tmp/check.json" || fail "scenario check: exit $?"
! grep -q "$secret" "$tmp/check.json" || fail "scenario check printed the secret"
rc=0
(cd "$tmp" && "$skytune" load --scenario run.conf --out run.json >run.txt 2>run.err) || rc=$?
[[ $rc == 4 ]] || fail "a failed step threshold exited $rc, not 4: $(cat "$tmp/run.err")"
doc=$tmp/run.json

# The order: first, then left and right together, then climb.
jq -e '.steps | map(.name) == ["first", "left", "right", "climb"]' "$doc" >/dev/null || fail "steps: $(jq -c '[.steps[].name]' "$doc")"
jq -e '(.steps[1].start_s >= .steps[0].end_s) and (.steps[2].start_s >= .steps[0].end_s)
       and ((.steps[1].start_s - .steps[2].start_s) | fabs) < 0.2
       and (.steps[3].start_s >= ([.steps[1].end_s, .steps[2].end_s] | max))' "$doc" >/dev/null ||
        fail "timing: $(jq -c '[.steps[] | [.name, .start_s, .end_s]]' "$doc")"
# The plan the check showed is the plan that ran.
[[ $(jq -c '[.steps[] | [.name, .parallel]]' "$tmp/check.json") == '[["first",false],["left",false],["right",true],["climb",false]]' ]] ||
        fail "check: $(jq -c '[.steps[] | [.name, .parallel]]' "$tmp/check.json")"

# Weights 3:1 over what the server saw, and every request of /api/a carried the token.
a=$(grep -c '^GET /api/a ' "$tmp/access.log") b=$(grep -c '^GET /api/b ' "$tmp/access.log")
(( b > 0 && a * 10 >= b * 25 && a * 10 <= b * 35 )) || fail "weights: /api/a $a, /api/b $b"
[[ $(grep -c "^GET /api/a Bearer $secret\$" "$tmp/access.log") == "$a" ]] || fail "the token did not reach /api/a"
! grep -q "^GET /api/b .*$secret" "$tmp/access.log" || fail "the token went to /api/b as well"
for f in run.json run.txt run.err; do
        ! grep -q "$secret" "$tmp/$f" || fail "the secret is in $f"
done
jq -e '.steps[0].endpoints | map(.name) == ["GET /api/a", "GET /api/b"]' "$doc" >/dev/null || fail "endpoint names"
jq -e '[.steps[0].endpoints[].summary.completed] | add == $t' --argjson t "$(jq '.steps[0].summary.completed' "$doc")" \
        "$doc" >/dev/null || fail "the endpoints do not add up to their step"

# Counts: left 100 at 100/s for 1 s, right 50 all 503; the step threshold names its step.
jq -e '.steps[1].summary.attempted == 100 and .steps[1].summary.ok == 100
       and .steps[2].summary.attempted == 50 and .steps[2].summary.status["503"] == 50' "$doc" >/dev/null ||
        fail "counts: $(jq -c '[.steps[1,2].summary | [.attempted, .ok]]' "$doc")"
jq -e '(.thresholds | length) == 2 and any(.thresholds[]; .step == "right" and .passed == false)
       and any(.thresholds[]; .step == null and .passed == true)' "$doc" >/dev/null ||
        fail "thresholds: $(jq -c .thresholds "$doc")"
grep -q 'FAIL  error_rate < 1% *right' "$tmp/run.txt" || fail "the summary does not name the failed step"

# climb: the first 0.5 s at 50/s breaks `until`, so the step phase ends after one interval and the
# hold follows: far less than 20 steps of 0.5 s.
jq -e '.steps[3].phases | length == 2 and .[0].kind == "step" and .[1].kind == "hold"
       and (.[0].end_s - .[0].start_s) < 1 and .[1].planned_from == 20' "$doc" >/dev/null || fail "until: $(jq -c '.steps[3].phases' "$doc")"
echo "ok"
