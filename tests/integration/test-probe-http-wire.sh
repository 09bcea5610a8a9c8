#!/usr/bin/env bash
# The http probe's behaviour on the wire, against tests/integration/probe/server.py (127.0.0.1 only)
# logging every request it receives and shaping its responses: what a request carries (method,
# target, Host, the user's headers and no others, the body), keep-alive, the response framings a
# client must read (Content-Length, chunked with extensions and trailers, 100 Continue, HTTP/1.0
# close-delimited, Connection: close, a response split across reads, a large body), a server that
# closes idle connections (no error: the request goes on a fresh connection), and the faults each
# error class stands for (a reset in the response headers is "read", an unanswered request with
# --timeout is "timeout"). Pins the engine's behaviour so that a rewrite can be checked against it.
# Bounded: short rounds, at most about a thousand requests per case, about 18 s in all.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-probe-server.sh"
# run NAME ARGS...: one round of the http probe with --json into $tmp/NAME.json (j); the case's
# name is $case for messages.
run() {
        case=$1
        shift
        j=$tmp/$case.json
        local rc=0
        "$skytune" probe --rounds 1 --json "$@" >"$j" || rc=$?
        [[ $rc -eq ${want_rc:-0} ]] || fail "$case: probe exit $rc, want ${want_rc:-0}"
}
d() { jq -r ".probes[0].round_info[0].detail$1" "$j"; }                 # d .FIELD: of the round
L() { jq -rs "$@" "$log"; }                                              # L FILTER: over the server's log
errs() { jq '[.probes[0].round_info[0].detail.errors[]] | add' "$j"; }

# clean: every request that was not cut succeeded (success rate 1) and there was no transport error.
clean() {
        local a c s cut e
        a=$(d .attempted) c=$(d .completed) s=$(d .successful) cut=$(d .cut_at_deadline) e=$(errs)
        [[ $e -eq 0 ]] || fail "$case: $e transport errors: $(d .errors | jq -c .)"
        [[ $s -eq $c && $c -eq $((a - cut)) ]] || fail "$case: attempted $a, cut $cut, completed $c, successful $s"
        [[ $c -gt 0 ]] || fail "$case: nothing completed"
        [[ $(d '.status["200"] // 0') -eq $s ]] || fail "$case: status $(d .status | jq -c .), want only 200"
}

# --- 1. Requests on the wire --------------------------------------------------------------------
start_server wire --delay-ms 1
base=http://127.0.0.1:$port
host="127.0.0.1:$port"

# GET: the URL's path and query are the target; Host and the user's headers as given (name case
# kept), nothing else: no Accept, no User-Agent, no body.
run get --url "$base/some/path?a=1&b=two%20x" --rate 50 --users 1 --duration 0.3 \
        --header 'Authorization: Bearer t0ken' --header 'x-Mixed-CASE: Value with  spaces'
clean
n=$(L length)
[[ $n -eq $(d .attempted) ]] || fail "$case: server saw $n requests, the probe attempted $(d .attempted)"
within "$n" 10 20 || fail "$case: $n requests at 50/s for 0.3 s"
[[ $(L '[.[].method] | unique | join(",")') == GET ]] || fail "$case: methods $(L -c '[.[].method] | unique')"
[[ $(L '[.[].target] | unique | join(",")') == "/some/path?a=1&b=two%20x" ]] || fail "$case: targets $(L -c '[.[].target] | unique')"
[[ $(L '[.[].version] | unique | join(",")') == HTTP/1.1 ]] || fail "$case: versions $(L -c '[.[].version] | unique')"
want='[["Authorization","Bearer t0ken"],["Host","'$host'"],["x-Mixed-CASE","Value with  spaces"]]'
got=$(L -c '[.[].headers | sort] | unique')
[[ $got == "[$want]" ]] || fail "$case: headers $got, want exactly $want"
[[ $(L '[.[].body_len] | add') -eq 0 ]] || fail "$case: a GET carried a body"

# The user's Accept replaces the dropped default (once, as given).
: >"$log"
run accept --url "$base/" --rate 50 --users 1 --duration 0.2 --header 'Accept: application/json'
clean
got=$(L -c '[.[].headers | sort] | unique')
want='[["Accept","application/json"],["Host","'$host'"]]'
[[ $got == "[$want]" ]] || fail "$case: headers $got, want exactly $want"

# --data: POST with that exact body, its Content-Length and the form Content-Type.
: >"$log"
body='a=1&b=%20x&c=d e'
run post --url "$base/form" --rate 50 --users 1 --duration 0.2 --data "$body"
clean
[[ $(L '[.[].method] | unique | join(",")') == POST ]] || fail "$case: methods $(L -c '[.[].method] | unique')"
[[ $(L '[.[].target] | unique | join(",")') == /form ]] || fail "$case: targets $(L -c '[.[].target] | unique')"
[[ $(L -c '[.[].body] | unique') == "$(jq -nc --arg b "$body" '[$b]')" ]] || fail "$case: bodies $(L -c '[.[].body] | unique')"
got=$(L -c '[.[].headers | sort] | unique')
want='[["Content-Length","'${#body}'"],["Content-Type","application/x-www-form-urlencoded"],["Host","'$host'"]]'
[[ $got == "[$want]" ]] || fail "$case: headers $got, want exactly $want"

# --method PUT --data x: PUT with the body; the user's Content-Type replaces the form one.
: >"$log"
run put --url "$base/doc/1" --rate 50 --users 1 --duration 0.2 --method PUT --data '{"x":1}' \
        --header 'Content-Type: application/json'
clean
[[ $(L '[.[].method] | unique | join(",")') == PUT ]] || fail "$case: methods $(L -c '[.[].method] | unique')"
[[ $(L -c '[.[].body] | unique') == '["{\"x\":1}"]' ]] || fail "$case: bodies $(L -c '[.[].body] | unique')"
got=$(L -c '[.[].headers | sort] | unique')
want='[["Content-Length","7"],["Content-Type","application/json"],["Host","'$host'"]]'
[[ $got == "[$want]" ]] || fail "$case: headers $got, want exactly $want"

# --method DELETE without --data: no body and no Content-Length.
: >"$log"
run delete --url "$base/doc/1" --rate 50 --users 1 --duration 0.2 --method DELETE
clean
[[ $(L '[.[].method] | unique | join(",")') == DELETE ]] || fail "$case: methods $(L -c '[.[].method] | unique')"
got=$(L -c '[.[].headers | sort] | unique')
want='[["Host","'$host'"]]'
[[ $got == "[$want]" ]] || fail "$case: headers $got, want exactly $want"
[[ $(L '[.[].body_len] | add') -eq 0 ]] || fail "$case: a DELETE without --data carried a body"

# --- 2. Keep-alive: 4 users, 4 connections, hundreds of requests ---------------------------------
# The lower bounds of the counts below allow 25-30 ms per request (4 ms idle, a 40 ms delayed ACK
# stall fails them), over rounds long enough for a busy host's pauses.
start_server keepalive --delay-ms 4
run keepalive --url "http://127.0.0.1:$port/" --users 4 --duration 1
clean
c=$(d .completed) nc=$(d .new_connections) n=$(L length) sc=$(L '[.[].conn] | unique | length')
within "$c" 150 1200 || fail "$case: $c requests completed, want hundreds"
[[ $n -eq $(d .attempted) ]] || fail "$case: server saw $n requests, the probe attempted $(d .attempted)"
within "$nc" 4 5 || fail "$case: new_connections $nc for 4 users and $c requests"
within "$sc" 4 5 || fail "$case: the server saw $sc connections for 4 users and $n requests"
[[ $(L '[.[] | select(.seq > 1)] | length') -ge $((n - 5)) ]] || fail "$case: connections not reused"
ka_c=$c ka_nc=$nc

# --- 3. Response framings: every request succeeds --------------------------------------------
# Chunked (3000 bytes in 4 chunks: upper-case hex sizes, extensions, a trailer), kept alive.
start_server chunked --delay-ms 4 --chunked --body-bytes 3000
run chunked --url "http://127.0.0.1:$port/" --users 4 --duration 0.8
clean
within "$(d .completed)" 100 1200 || fail "$case: $(d .completed) completed"
within "$(d .new_connections)" 4 5 || fail "$case: new_connections $(d .new_connections): chunked bodies broke keep-alive"

# HEAD: the response's Content-Length announces a body that does not come; the connection is kept.
run head --url "http://127.0.0.1:$port/" --method HEAD --users 4 --duration 0.4
clean
within "$(d .new_connections)" 4 5 || fail "$case: new_connections $(d .new_connections) for 4 users: HEAD responses broke keep-alive"
[[ $(L '[.[].method] | unique | join(",")') == GET,HEAD ]] || fail "$case: methods $(L -c '[.[].method] | unique')"

# 100 Continue before every final response: not a status of its own, the connection kept.
start_server interim --delay-ms 4 --interim
run interim --url "http://127.0.0.1:$port/" --users 4 --duration 0.8
clean
within "$(d .completed)" 100 1200 || fail "$case: $(d .completed) completed"
within "$(d .new_connections)" 4 5 || fail "$case: new_connections $(d .new_connections)"

# Every response written 3 bytes at a time, 1 ms apart (split mid-line and mid-chunk-size), chunked,
# after a 100 Continue: about 90 ms a response, 12 in 1 s allows 330 ms.
start_server split --split-bytes 3 --chunked --interim --body-bytes 40
run split --url "http://127.0.0.1:$port/" --users 4 --duration 1
clean
within "$(d .completed)" 12 400 || fail "$case: $(d .completed) completed"
within "$(d .new_connections)" 4 5 || fail "$case: new_connections $(d .new_connections)"
split_c=$(d .completed)

# 1 MiB bodies are read and discarded, and the connection stays usable (kept alive).
start_server large --body-bytes 1048576
run large --url "http://127.0.0.1:$port/" --rate 40 --users 2 --duration 0.5
clean
within "$(d .completed)" 15 25 || fail "$case: $(d .completed) completed at 40/s for 0.5 s"
within "$(d .new_connections)" 1 2 || fail "$case: new_connections $(d .new_connections): large bodies broke keep-alive"

# HTTP/1.0, no Content-Length, the body ends at the close: one connection per request.
start_server http10 --delay-ms 2 --http10 --body-bytes 500
run http10 --url "http://127.0.0.1:$port/" --users 2 --duration 0.8
clean
c=$(d .completed) nc=$(d .new_connections) n=$(L length) sc=$(L '[.[].conn] | unique | length')
within "$c" 50 800 || fail "$case: $c completed"
[[ $nc -eq $c ]] || fail "$case: new_connections $nc for $c requests on connections closed after each"
[[ $sc -eq $n ]] || fail "$case: the server saw $n requests on $sc connections"

# Connection: close on every 5th response: about completed/5 new connections beyond the 2 users'.
start_server close5 --delay-ms 2 --close-every 5
run close5 --url "http://127.0.0.1:$port/" --users 2 --duration 0.8
clean
c=$(d .completed) nc=$(d .new_connections)
within "$c" 50 800 || fail "$case: $c completed"
within "$nc" "$(( c / 5 ))" "$(( c / 5 + 3 ))" || fail "$case: new_connections $nc for $c requests, want about $((c / 5 + 2))"
[[ $(L '[.[].conn] | unique | length') -eq $nc ]] || fail "$case: the server saw $(L '[.[].conn] | unique | length') connections, the probe $nc"

# --- 4. A server that closes idle connections: no errors ----------------------------------------
# 20 requests per second over 2 connections: each stays idle 50-100 ms and the server closes it
# after 20 ms, so nearly every request finds its connection closed by the server.
start_server idle --idle-close-ms 20
run idle --url "http://127.0.0.1:$port/" --rate 20 --users 2 --duration 1
clean
c=$(d .completed) nc=$(d .new_connections)
within "$c" 18 22 || fail "$case: $c completed at 20/s for 1 s"
within "$nc" "$((c - 2))" "$c" || fail "$case: new_connections $nc for $c requests on connections closed when idle"
[[ $(L length) -eq $c ]] || fail "$case: the server saw $(L length) requests for $c completed"

# --- 5. A reset after part of the response headers: a "read" error ------------------------------
start_server reset --delay-ms 2 --reset-every 10
run reset --url "http://127.0.0.1:$port/" --users 2 --duration 0.5
a=$(d .attempted) c=$(d .completed) s=$(d .successful) r=$(d .errors.read) e=$(errs) n=$(L length)
within "$c" 50 400 || fail "$case: $c completed"
[[ $r -eq $e ]] || fail "$case: errors $(d .errors | jq -c .), want only read"
within "$r" "$((n / 10 - 1))" "$((n / 10 + 1))" || fail "$case: $r read errors, the server reset $((n / 10)) of $n requests"
[[ $s -eq $((c - r)) ]] || fail "$case: $s successful of $c completed with $r read errors"
[[ $n -eq $a ]] || fail "$case: the server saw $n requests, the probe attempted $a (a reset request was retried?)"
within "$(d .new_connections)" "$r" "$((r + 3))" || fail "$case: new_connections $(d .new_connections) with $r resets"
reset_r=$r reset_c=$c

# --- 6. An unanswered request with --timeout 0.3: a "timeout" error, and the run ends on time -----
start_server hang --delay-ms 2 --hang-every 10
t0=$(date +%s%N)
run hang --url "http://127.0.0.1:$port/" --users 4 --duration 1 --timeout 0.3
t1=$(date +%s%N)
wall=$(( (t1 - t0) / 1000000 )) took=$(d .elapsed_s | awk '{ printf "%d", $1 * 1000 }')
c=$(d .completed) s=$(d .successful) t=$(d .errors.timeout) e=$(errs)
[[ $t -gt 0 ]] || fail "$case: no timeout error: errors $(d .errors | jq -c .)"
[[ $t -eq $e ]] || fail "$case: errors $(d .errors | jq -c .), want only timeout"
[[ $s -eq $((c - t)) ]] || fail "$case: $s successful of $c completed with $t timeouts"
within "$c" 20 600 || fail "$case: $c completed"
# The round (its own clock, without ASan's start-up and exit): 1 s of sending, then at most
# min(--timeout, 2 s) for the requests in flight; the whole process, loosely, nothing left waiting.
within "$took" 1000 1900 || fail "$case: the round took $took ms for --duration 1 --timeout 0.3"
within "$wall" 1000 6000 || fail "$case: the run took $wall ms for --duration 1 --timeout 0.3"
# Times describe responses: a request that timed out is in the error counts, not in the latency
# percentiles (the slowest response is the server's 4 ms, not the 300 ms timeout).
lat=$(jq '.probes[0].round_info[0].detail.histograms.latency_ms.max' "$j")
within "$lat" 0 250 || fail "$case: the slowest response took $lat ms: a timed-out request is in the latency"

hang_t=$t hang_c=$c

# --- 6b. Refused connections ---------------------------------------------------------------------
# Nothing listens: every request is a "connect" error, none is in the latency (a refused connect is
# fast and would make a dead server look quick), and the slots pause between tries (1 ms doubling
# to 100 ms) instead of spinning: a handful of tries per slot, and little CPU.
start_server refused
kill "${pids[-1]}" && wait "${pids[-1]}" 2>/dev/null || true
# Nothing succeeded: the run fails (exit 1), with its result.
want_rc=1 run refused --url "http://127.0.0.1:$port/" --users 2 --duration 0.5
c=$(d .completed) e=$(d .errors.connect)
[[ $c -gt 0 && $e -eq $c && $(errs) -eq $c && $(d .successful) -eq 0 ]] || fail "$case: completed $c, errors $(d .errors | jq -c .)"
within "$c" 2 40 || fail "$case: $c connect attempts by 2 users in 0.5 s: the slots do not pause"
[[ $(d .histograms.latency_ms.count) -eq 0 ]] || fail "$case: failed connects are in the latency histogram"
within "$(d .probe_cpu_s)" 0 0.1 || fail "$case: the probe used $(d .probe_cpu_s) s of CPU against a refused port"

# --- 6c. An open model that falls behind -----------------------------------------------------------
# 100 requests per second due, 2 slots, 100 ms per response: about 20 go out and 80 wait until the
# end of the round; those are counted (not_sent) and success_rate is about 0.2, not 1.
start_server behind --delay-ms 100
run behind --url "http://127.0.0.1:$port/" --rate 100 --users 2 --duration 1
ns=$(d .not_sent) a=$(d .attempted)
within "$((a + ns))" 95 105 || fail "$case: attempted $a + not_sent $ns, want the 100 requests due"
within "$ns" 70 85 || fail "$case: not_sent $ns, want about 80"
within "$(jq '.probes[0].metrics.success_rate.median' "$j")" 0.15 0.25 || fail "$case: success_rate $(jq '.probes[0].metrics.success_rate.median' "$j"), want about 0.2"
"$skytune" probe --url "http://127.0.0.1:$port/" --rate 100 --users 2 --duration 0.5 --rounds 1 >"$tmp/behind.txt"
grep -q '^  not sent: [0-9]* requests fell due' "$tmp/behind.txt" || fail "$case: human output does not say requests were not sent: $(cat "$tmp/behind.txt")"

# --- 7. Truncated -------------------------------------------------------------------------------
# Part of the response headers, then an orderly close (FIN): a truncated response is a "read" error,
# not a success (libcurl 7.88, which the probe used for whole transfers before, took the EOF as the
# end of a 200).
start_server truncate --delay-ms 2 --truncate-every 10
run truncate --url "http://127.0.0.1:$port/" --users 2 --duration 0.5
a=$(d .attempted) c=$(d .completed) s=$(d .successful) r=$(d .errors.read) e=$(errs) n=$(L length)
within "$r" "$((n / 10 - 1))" "$((n / 10 + 1))" || fail "$case: $r read errors, the server truncated $((n / 10)) of $n responses (errors $(d .errors | jq -c .), status $(d .status | jq -c .))"
[[ $r -eq $e && $s -eq $((c - r)) ]] || fail "$case: $s successful of $c, errors $(d .errors | jq -c .)"

# --- 8. HTTPS -------------------------------------------------------------------------------------
# A certificate for 127.0.0.1 made here: without --cacert the probe does not trust it (every request
# a "tls" error); with it, keep-alive connections carry chunked 200 kB bodies that span many TLS
# records (the probe must read what TLS holds decrypted, which epoll does not see).
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || fail "openssl could not make a test certificate"
start_server tls --tls "$tmp/cert.pem" "$tmp/key.pem" --chunked --body-bytes 200000
want_rc=1 run untrusted --url "https://127.0.0.1:$port/" --users 2 --duration 0.3
[[ $(d .successful) -eq 0 && $(d .errors.tls) -gt 0 && $(d .errors.tls) -eq $(errs) ]] ||
        fail "$case: an untrusted certificate gave successful $(d .successful), errors $(d .errors | jq -c .)"
run tls --url "https://127.0.0.1:$port/" --cacert "$tmp/cert.pem" --users 2 --duration 0.5
clean
nc=$(d .new_connections)
within "$nc" 2 3 || fail "$case: $nc connections for 2 users"
[[ $(d .histograms.tls_ms.count) -eq $nc ]] || fail "$case: tls_ms has $(d .histograms.tls_ms.count) handshakes, want $nc"
tls_c=$(d .completed)
within "$tls_c" 10 100000 || fail "$case: only $tls_c requests over TLS"
rc=0; "$skytune" probe --url "https://127.0.0.1:$port/" --cacert "$tmp/nonexistent.pem" --rounds 1 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "nonexistent.pem" "$tmp/err" || fail "--cacert of a missing file: exit $rc, $(cat "$tmp/err")"

echo "ok: keep-alive $ka_c requests on $ka_nc connections; split $split_c; reset $reset_r read errors of $reset_c; hang $hang_t timeouts of $hang_c in $took ms; tls $tls_c requests"
