#!/bin/bash
# skytune load against a real nginx on 127.0.0.1 (started here; skipped without nginx or jq): the
# closed and the open model, the per-interval records (--out-ndjson and the document's) adding up to
# the whole run, thresholds that pass (exit 0) and fail (exit 4), SIGINT ending a run with exit 130
# and an interrupted document, usage errors (exit 2), and a secret header that reaches the server but
# no output. Every run is a few seconds at most.
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-nginx.sh"
mkdir -p "$tmp/html"
echo hello >"$tmp/html/index.html"
start_nginx '$request_uri $http_authorization' "root $tmp/html; location /err { return 503; }"
url=http://127.0.0.1:$port/

# Closed model, with a secret from the environment: sent, never shown or written.
export LOAD_TEST_TOKEN=tok-$RANDOM-secret
"$skytune" load "$url" --users 3 --duration 1.5 --interval 0.5 -H 'Authorization: $LOAD_TEST_TOKEN' \
        --threshold 'p99 < 5s' --threshold 'success_rate > 99%' --out "$tmp/closed.json" \
        --out-ndjson "$tmp/closed.ndjson" >"$tmp/closed.txt" 2>"$tmp/closed.err" || fail "closed run: exit $?"
grep -q "$LOAD_TEST_TOKEN" "$tmp/access.log" || fail "the secret header did not reach nginx"
for f in closed.json closed.ndjson closed.txt closed.err; do
        ! grep -q "$LOAD_TEST_TOKEN" "$tmp/$f" || fail "the secret is in $f"
done
jq -e '.config.steps[0].endpoints[0].headers[0] == "Authorization: <secret from env LOAD_TEST_TOKEN>"' \
        "$tmp/closed.json" >/dev/null || fail "the secret header is not shown redacted"
jq -e '.schema == "skytune.load/1" and .verdict.exit == 0 and .interrupted == false and .total.completed > 100
       and .total.ok == .total.completed and (.thresholds | length) == 2 and all(.thresholds[]; .passed)' \
        "$tmp/closed.json" >/dev/null || fail "closed run document: $(jq -c '[.verdict, .total.completed]' "$tmp/closed.json")"
# The intervals add up to the run, in the document and in the stream.
for what in completed ok sent attempted; do
        total=$(jq ".total.$what" "$tmp/closed.json")
        doc=$(jq "[.intervals[] | select(.step == null) | .$what] | add" "$tmp/closed.json")
        stream=$(jq -s "[.[] | select(.step == \"load\") | .$what] | add" "$tmp/closed.ndjson")
        [[ "$doc" == "$total" && "$stream" == "$total" ]] || fail "$what: intervals $doc / $stream, total $total"
done
jq -e -s 'all(.[]; .schema == "skytune.load-interval/1") and length >= 6' "$tmp/closed.ndjson" >/dev/null ||
        fail "the NDJSON stream has no schema or too few records"
grep -q "^  latency " "$tmp/closed.txt" || fail "no latency line in the summary"
# Credentials in the URL are a secret as well: sent as Basic authorization, shown as <secret>.
"$skytune" load "http://agent:pw-$LOAD_TEST_TOKEN@127.0.0.1:$port/" --users 1 --duration 0.3 --json \
        >"$tmp/cred.json" 2>"$tmp/cred.err" || fail "a URL with credentials: exit $?"
! grep -q "pw-$LOAD_TEST_TOKEN" "$tmp/cred.json" "$tmp/cred.err" || fail "the URL's password is in the output"
jq -e '.config.steps[0].url == "http://<secret>@127.0.0.1:'"$port"'/" and .total.ok > 0' "$tmp/cred.json" >/dev/null ||
        fail "credentials: $(jq -c '.config.steps[0].url' "$tmp/cred.json")"
awk 'length > 80 { exit 1 }' "$tmp/closed.txt" || fail "the summary is wider than 80 columns"

# Open model: the rate is kept and a failing threshold exits 4.
rc=0
"$skytune" load "${url}err" --rate 200 --duration 1 --threshold 'error_rate < 1%' --json >"$tmp/open.json" \
        2>"$tmp/open.err" || rc=$?
[[ $rc == 4 ]] || fail "a failed threshold exited $rc, not 4"
jq -e '.verdict.exit == 4 and .config.steps[0].model == "open" and .total.attempted == 200
       and .total.status["503"] == .total.completed and .thresholds[0].passed == false
       and .thresholds[0].observed == 1' "$tmp/open.json" >/dev/null || fail "open run: $(jq -c .total "$tmp/open.json")"

# Two agents share one open schedule (--segment 0/2 and 1/2, started together by --start-at): each
# is due every other arrival, and together they are due exactly the 300 of 300/s for 1 s.
at=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S.%6NZ)
for i in 0 1; do
        "$skytune" load "$url" --rate 300 --duration 1 --segment $i/2 --start-at "$at" --json \
                >"$tmp/agent$i.json" 2>/dev/null &
done
wait
jq -e -s '(map(.total.attempted) | add) == 300 and all(.[]; .total.attempted == 150 and .client.segment.count == 2)
          and (map(.client.segment.index) | sort) == [0, 1] and all(.[]; .client.segment.start_skew_s < 0.5)' \
        "$tmp/agent0.json" "$tmp/agent1.json" >/dev/null ||
        fail "segments: $(jq -c '[.total.attempted, .client.segment]' "$tmp/agent0.json" "$tmp/agent1.json")"

# A client that cannot keep the schedule (stopped for 0.7 s of a 1.5 s run at 200/s: the due requests
# go out late with slots free) makes the run invalid: exit 5, client_bound.
"$skytune" load "$url" --rate 200 --duration 1.5 --json >"$tmp/bound.json" 2>/dev/null &
pid=$!
sleep 0.4
kill -STOP $pid
sleep 0.7
kill -CONT $pid
rc=0
wait $pid || rc=$?
[[ $rc == 5 ]] || fail "a stopped client exited $rc, not 5: $(jq -c '[.client, .total.late_client]' "$tmp/bound.json")"
jq -e '.client.client_bound == true and .total.late_client >= 50 and .verdict.exit == 5' "$tmp/bound.json" \
        >/dev/null || fail "client-bound: $(jq -c '[.client, .total.late_client]' "$tmp/bound.json")"
# The same rate undisturbed is not client-bound.
jq -e '.client.client_bound == false' "$tmp/agent0.json" >/dev/null ||
        fail "an undisturbed run is client-bound: $(jq -c '[.client, .total.late_client]' "$tmp/agent0.json")"

# --progress: one line per interval on stderr.
"$skytune" load "$url" --users 1 --duration 1.2 --interval 0.4 --progress >/dev/null 2>"$tmp/progress.err" ||
        fail "progress run failed"
(( $(grep -c 'req/s' "$tmp/progress.err") >= 3 )) || fail "no progress lines: $(cat "$tmp/progress.err")"

# A ramp alone (0 -> 200/s over 1 s, no hold): about 100 requests due; think time slows users down.
"$skytune" load "$url" --rate 1 --ramp 0:200:1 --duration 0 --json >"$tmp/ramp.json" 2>/dev/null || fail "ramp run"
jq -e '.total.attempted >= 99 and .total.attempted <= 101 and .steps[0].phases[0].kind == "ramp"
       and (.steps[0].phases | length) == 1' "$tmp/ramp.json" >/dev/null ||
        fail "ramp: $(jq -c '[.total.attempted, .steps[0].phases]' "$tmp/ramp.json")"
"$skytune" load "$url" --users 2 --think 0.25 --duration 1 --json >"$tmp/think.json" 2>/dev/null || fail "think run"
jq -e '.total.completed >= 6 and .total.completed <= 10 and .config.steps[0].think_s == 0.25' "$tmp/think.json" \
        >/dev/null || fail "think: $(jq -c .total.completed "$tmp/think.json")"

# A `for` threshold with abort ends the run early.
rc=0
"$skytune" load "${url}err" --rate 100 --duration 20 --interval 0.5 --threshold 'error_rate < 1% for 1s abort' \
        --json >"$tmp/abort.json" 2>/dev/null || rc=$?
[[ $rc == 4 ]] || fail "an abort threshold exited $rc"
jq -e '.aborted_by == "error_rate < 1% for 1s abort" and .duration_s < 5 and .thresholds[0].failed_at_s != null
       and any(.markers[]; .kind == "threshold_failed") and any(.markers[]; .kind == "phase")' \
        "$tmp/abort.json" >/dev/null || fail "abort: $(jq -c '[.aborted_by, .duration_s]' "$tmp/abort.json")"

# SIGINT and SIGTERM: exit 130, the partial results written and marked.
for sig in INT TERM; do
        "$skytune" load "$url" --users 2 --duration 30 --out "$tmp/int.json" >/dev/null 2>"$tmp/int.err" &
        pid=$!
        sleep 1.5
        kill -$sig $pid
        rc=0
        wait $pid || rc=$?
        [[ $rc == 130 ]] || fail "SIG$sig exited $rc, not 130"
        jq -e '.interrupted == true and .verdict.exit == 130 and .total.completed > 0 and .duration_s < 10' \
                "$tmp/int.json" >/dev/null || fail "SIG$sig document: $(jq -c '[.interrupted, .duration_s]' "$tmp/int.json")"
        grep -q interrupted "$tmp/int.err" || fail "SIG$sig: nothing said on stderr"
done

# A run that cannot start, or gets no connection at all: 1, with the URL named.
rc=0
"$skytune" load 'http://[::1' --users 1 --duration 0.5 >/dev/null 2>"$tmp/bad.err" || rc=$?
[[ $rc == 1 ]] && grep -q 'http://\[::1' "$tmp/bad.err" || fail "a bad URL exited $rc: $(cat "$tmp/bad.err")"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rc=0
"$skytune" load "http://127.0.0.1:$closed/" --users 1 --duration 0.5 --json >"$tmp/refused.json" 2>/dev/null || rc=$?
[[ $rc == 1 ]] || fail "no connection at all exited $rc, not 1"
jq -e '.verdict.exit == 1 and .total.errors.connect > 0 and .total.ok == 0' "$tmp/refused.json" >/dev/null ||
        fail "refused: $(jq -c '[.verdict, .total.errors]' "$tmp/refused.json")"

# Usage errors: 2, with the option named.
for args in "--users 2 --rate 5 $url" "--duration soon $url" "--threshold nonsense $url" "--segment 3/3 $url" \
            "--think 1 --rate 5 $url" "--json --out-ndjson - $url" ""; do
        rc=0
        # shellcheck disable=SC2086
        "$skytune" load $args >/dev/null 2>"$tmp/usage.err" || rc=$?
        [[ $rc == 2 ]] || fail "'skytune load $args' exited $rc, not 2"
        [[ -s "$tmp/usage.err" ]] || fail "'skytune load $args' said nothing"
done
"$skytune" load --help | grep -q -- "--threshold EXPR" || fail "--help does not teach thresholds"
echo "ok"
