#!/usr/bin/env bash
# skytune load measures what the injecting test server was set to inject (issue 14's tolerances):
# a fixed 20 ms delay is a 20 ms median; an error rate of 10 % is 10 % (and the 503s the client
# counted are exactly the ones the server injected, /_stats); connection resets are never counted
# as answers (the client's answers are the server's served count); a stall of 400 ms every 2 s shows in the open model's latency (from when
# each request was due) and not in its service time (from when it was sent), with 2 requests in
# flight at most, so the ones due during the stall wait before they are sent. Loopback, ~20 s.
set -euo pipefail
build=$1 src=$2
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
source "$src/tests/integration/lib-testserver.sh"
run() {   # run NAME ARGS...: skytune load, its document in $tmp/NAME.json
        local name=$1 rc=0
        shift
        "$skytune" load "$@" --no-system --out "$tmp/$name.json" >"$tmp/$name.txt" 2>"$tmp/$name.err" || rc=$?
        [[ $rc -eq 0 ]] || fail "load $name: exit $rc: $(cat "$tmp/$name.err")"
}
j() { jq -r "$1" "$tmp/$2.json"; }

# --- a fixed delay of 20 ms: the median latency and service time are 20 ms (+ the loopback's).
start_testserver d --delay-ms 20
run delay "http://127.0.0.1:$port/" --rate 100 --duration 3
within "$(j .total.latency_us.p50 delay)" 19500 26000 || fail "delay 20 ms: p50 latency $(j .total.latency_us.p50 delay) us"
within "$(j .total.service_us.p50 delay)" 19500 26000 || fail "delay 20 ms: p50 service $(j .total.service_us.p50 delay) us"
kill "$pid"

# --- 10 % errors (503, seeded): the client's rate and the server's count agree.
start_testserver e --error-rate 0.1 --error-status 503 --seed 7
run errors "http://127.0.0.1:$port/" --rate 200 --duration 3
within "$(j .total.error_rate errors)" 0.06 0.14 || fail "10 % injected errors: error_rate $(j .total.error_rate errors)"
injected=$(curl -sf "http://127.0.0.1:$port/_stats" | jq .errors_injected)
[[ $(j '.total.status["503"]' errors) -eq $injected ]] || fail "the client counted $(j '.total.status["503"]' errors) 503s, the server injected $injected"
kill "$pid"

# --- 5 % connection resets: never counted as answers. A request reset on a kept connection before
# any byte of an answer is sent once more on a fresh one (loadgen/exchange.c: the stale keep-alive
# case), so every reset costs a new connection, and a second reset of the same request is an error.
start_testserver r --reset-rate 0.05 --seed 3
run resets "http://127.0.0.1:$port/" --rate 200 --duration 3
resets=$(curl -sf "http://127.0.0.1:$port/_stats" | jq .resets_injected)
served=$(curl -sf "http://127.0.0.1:$port/_stats" | jq .served)
(( resets > 0 )) || fail "the server reset no connection"
(( $(j .total.new_connections resets) >= resets )) || fail "$resets resets but $(j .total.new_connections resets) connections"
[[ $(j .total.ok resets) -eq $served ]] || fail "the client counted $(j .total.ok resets) answers, the server served $served"
# Each reset either was retried (a kept connection) or failed (a fresh one, or the retry reset again);
# the server received every send and every retry.
retried=$(j .total.retried resets) received=$(curl -sf "http://127.0.0.1:$port/_stats" | jq .received)
[[ $retried =~ ^[0-9]+$ ]] && (( retried > 0 )) || fail "$resets resets but retried is $retried"
(( retried + $(j '.total.errors.read + .total.errors.send' resets) == resets )) ||
        fail "$resets resets: $retried retried and $(j '.total.errors.read + .total.errors.send' resets) failed"
(( $(j .total.sent resets) + retried == received )) || fail "sent $(j .total.sent resets) + retried $retried, server received $received"
grep -q "ok, $retried retried" "$tmp/resets.txt" || fail "the summary does not say $retried retried: $(cat "$tmp/resets.txt")"
kill "$pid"

# --- a 400 ms stall every 2 s with 2 slots: in the latency, not in the service time.
start_testserver s --delay-ms 2 --stall-every-s 2 --stall-ms 400
cat >"$tmp/stall.conf" <<CONF
name = "stall";
url = "http://127.0.0.1:$port/";
steps = ( { name = "open"; model = "open"; rate = 100; duration = "5s"; slots = 2; } );
CONF
run stall --scenario "$tmp/stall.conf"
lat=$(j .total.latency_us.p95 stall) svc=$(j .total.service_us.p95 stall)
within "$lat" 100000 1000000 || fail "stall: latency p95 $lat us, want the stall in it (100-1000 ms)"
within "$svc" 0 50000 || fail "stall: service p95 $svc us, want it without the stall (< 50 ms)"
within "$(j .total.latency_us.max stall)" 300000 1000000 || fail "stall: latency max $(j .total.latency_us.max stall) us"
echo "ok: delay p50 $(j .total.latency_us.p50 delay) us; errors $(j .total.error_rate errors) = server's $injected; resets $resets ($retried retried); stall latency p95 $lat us, service p95 $svc us"
