#!/usr/bin/env bash
# The injecting test server (tests/servers/skytune-testserver.c) against real clients (curl, wrk):
# what it was set to inject is what they measure, and its /_stats agree with their counts. A 20 ms
# delay is ~20 ms in wrk's latency; capacity R caps wrk's rate near R and queues (latency grows);
# a full queue answers 503; errors and resets come at the set rate and are counted exactly; a stall
# shows in the maximum latency; /_control changes the capacity while it runs; the same seed gives the
# same answers. Loopback only, each run a few seconds.
set -euo pipefail
build=$1 src=$2
command -v wrk >/dev/null || { echo "SKIP: wrk is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
source "$src/tests/integration/lib-testserver.sh"
# start NAME ARGS...: start_testserver (lib-testserver.sh).
start() { start_testserver "$@"; }
stat() { curl -sf "http://127.0.0.1:$port/_stats" | jq -r ".$1"; }
# wrk_run CONNS SECONDS: wrk's report in $tmp/wrk.
wrk_run() { wrk -t1 -c"$1" -d"$2"s --latency "http://127.0.0.1:$port/" >"$tmp/wrk"; }
# In milliseconds: wrk's percentile P (50%, 99%) or its Max latency.
wrk_ms() {
        awk -v key="$1" '
                function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
                key == "max" && $1 == "Latency" { print ms($4); exit }
                $1 == key { print ms($2); exit }' "$tmp/wrk"
}
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk"; }
wrk_non2xx() { awk '/Non-2xx/ { print $NF; f = 1 } END { if (!f) print 0 }' "$tmp/wrk"; }
wrk_read_errors() { sed -n 's/.*Socket errors:.*read \([0-9]*\),.*/\1/p' "$tmp/wrk" | grep . || echo 0; }

# Refusals: a non-loopback address, a bad value.
rc=0; "$server" --bind 0.0.0.0 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q loopback "$tmp/err" || fail "--bind 0.0.0.0: exit $rc, want 2 naming loopback"
rc=0; "$server" --error-rate 2 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q -- '--error-rate 2' "$tmp/err" || fail "--error-rate 2: exit $rc, want 2"

# 1. Plain answers, HTTP/1.0, a bad request line, the control endpoint's errors.
start plain
[[ $(curl -sf "http://127.0.0.1:$port/any/path?q=1") == ok ]] || fail "no plain answer"
[[ $(curl -s -0 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") == 200 ]] || fail "HTTP/1.0"
[[ $(printf 'NONSENSE\r\n\r\n' | timeout 5 curl -s telnet://127.0.0.1:$port 2>/dev/null | head -1) == *" 400 "* ]] ||
        fail "a bad request line is not answered 400"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$port/_control?delay_ms=abc")
[[ $code == 400 ]] && grep -q 'delay_ms=abc: bad value' "$tmp/body" || fail "bad control value: $code $(cat "$tmp/body")"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$port/_control?nosuch=1&delay_ms=5")
[[ $code == 400 ]] && grep -q 'nosuch.*no such setting' "$tmp/body" || fail "unknown control key: $code"
[[ $(curl -sf "http://127.0.0.1:$port/_control" | jq -r .delay_ms) == 0 ]] || fail "a refused control changed settings"
[[ $(stat received) == 2 ]] || fail "received $(stat received), want 2 (control and stats not counted)"
kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || fail "SIGTERM: exit $rc, want 0"

# 2. A fixed 20 ms delay is 20 ms in wrk's latency (4 connections, 2 s: about 400 requests).
start delay --delay-ms 20
wrk_run 4 2
p50=$(wrk_ms 50%) p99=$(wrk_ms 99%)
within "$p50" 19.9 25 || fail "20 ms delay: wrk p50 $p50 ms"
within "$p99" 19.9 60 || fail "20 ms delay: wrk p99 $p99 ms"
mean=$(stat delay_ms_mean)
within "$mean" 19.9 20.1 || fail "stats delay_ms_mean $mean"
# Exponential delays of mean 10 ms: the median is 10 ln 2 = 6.9 ms. Seeded again here, so that the
# 100 delays do not depend on how many draws wrk took: their median is 5.8 ms, and a fixed 10 ms is
# above the bound. One curl in sequence, as wrk back-fills latencies above its mean interval (its CO
# correction).
curl -sf "http://127.0.0.1:$port/_control?delay_dist=exponential&delay_ms=10&seed=5" >/dev/null
urls=(); for _ in $(seq 100); do urls+=("http://127.0.0.1:$port/"); done
curl -s -w '\n%{time_total}\n' "${urls[@]}" | grep '^[0-9]' | sort -n >"$tmp/exp"
p50=$(awk 'NR == 50 { print $1 * 1000 }' "$tmp/exp")
within "$p50" 4.5 9.9 || fail "exponential 10 ms: curl median $p50 ms, want about 6"

# 3. Capacity 500 per second caps wrk's rate near 500, and 20 connections queue: latency about
# 20 / 500 s = 40 ms. Then /_control raises it to 2000 while the server runs.
start cap --capacity 500
wrk_run 20 3
rps=$(wrk_rps) p50=$(wrk_ms 50%)
within "$rps" 450 525 || fail "capacity 500: wrk $rps requests/s"
within "$p50" 35 70 || fail "capacity 500 with 20 connections: p50 $p50 ms, want about 40"
(( $(stat queued_max) >= 15 )) || fail "queued_max $(stat queued_max), want about 20"
curl -sf "http://127.0.0.1:$port/_control?capacity=2000" >/dev/null
wrk_run 20 2
rps=$(wrk_rps)
# Well above 500 (an ASan server and wrk on a busy host may not reach 2000), not above 2000.
within "$rps" 1000 2100 || fail "capacity raised to 2000: wrk $rps requests/s"

# 4. A full queue answers 503 at once: capacity 100, at most 5 queued, 30 connections.
start queue --capacity 100 --max-queue 5
wrk_run 30 2
rejected=$(stat rejected_queue_full) non2xx=$(wrk_non2xx)
(( rejected > 100 )) || fail "max queue 5: only $rejected rejected"
# wrk stops at its deadline: the answers to its last requests (one per connection) go unread.
within "$non2xx" $((rejected - 30)) "$rejected" || fail "wrk saw $non2xx non-2xx, the server rejected $rejected"
served=$(stat served)
within "$served" 170 215 || fail "capacity 100 for 2 s served $served"

# 5. Errors and resets at their rates, counted exactly as the client saw them.
start errors --error-rate 0.2 --error-status 503 --seed 11
wrk_run 4 2
received=$(stat received) injected=$(stat errors_injected) non2xx=$(wrk_non2xx)
within "$non2xx" $((injected - 4)) "$injected" || fail "wrk saw $non2xx non-2xx, the server injected $injected"
within "$(awk -v a="$injected" -v b="$received" 'BEGIN { print a / b }')" 0.18 0.22 || fail "error rate $injected/$received"
curl -sf "http://127.0.0.1:$port/_control?error_rate=0&reset_rate=0.1" >/dev/null
before=$(stat received)
wrk_run 4 1
resets=$(stat resets_injected) reads=$(wrk_read_errors) n=$(( $(stat received) - before ))
within "$reads" $((resets * 9 / 10)) "$resets" || fail "wrk saw $reads read errors, the server reset $resets"
within "$(awk -v a="$resets" -v b="$n" 'BEGIN { print a / b }')" 0.08 0.12 || fail "reset rate $resets/$n"

# 6. A stall every second for 300 ms: wrk's maximum latency shows it.
start stall --stall-every-s 1 --stall-ms 300
wrk_run 2 3
max=$(wrk_ms max)
within "$max" 250 550 || fail "stall of 300 ms: wrk max latency $max ms"
(( $(stat stalled) > 0 )) || fail "stats count no stalled answer"

# 7. The same seed gives the same answers, another seed others.
statuses() {
        local s
        for _ in $(seq 60); do s+=$(curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$port/"); done
        echo "$s"
}
start seed-a --error-rate 0.3 --seed 5; a=$(statuses)
start seed-b --error-rate 0.3 --seed 5; b=$(statuses)
start seed-c --error-rate 0.3 --seed 6; c=$(statuses)
[[ $a == "$b" ]] || fail "seed 5 twice gave different answers"
[[ $a != "$c" ]] || fail "seeds 5 and 6 gave the same answers"
[[ $a == *500* && $a == *200* ]] || fail "error rate 0.3: $a"

# 8. Bounded: --lifetime ends the server by itself.
start short --lifetime 1
sleep 1.5
kill -0 "$pid" 2>/dev/null && fail "the server outlived --lifetime 1"
wait "$pid" || fail "--lifetime: exit $?"
echo "ok: the test server injects what it was set to"
