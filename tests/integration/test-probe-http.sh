#!/usr/bin/env bash
# The http probe against a local server (tests/integration/probe/server.py, 127.0.0.1 only) that
# injects a known delay, a known error rate and a one-off stall; the reported percentiles, success
# rate and status codes must match within tolerance, and the open model must show the stall in its
# latency (measured from the intended send time) but not in its service time. Bounded: a few
# seconds and at most a few hundred requests per run.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-probe-server.sh"
num() { jq -r "$1" "$2"; }

# Usage errors.
rc=0; "$skytune" probe http 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] || fail "http without --url: exit $rc, want 2"
grep -q -- '--url' "$tmp/err" || fail "the error does not say to add --url"
rc=0; "$skytune" probe nosuch 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "unknown probe: exit $rc, want 2"

# 1. Closed model: 20 ms delay on every response, every 10th request a 500.
start_server slow --delay-ms 20 --error-every 10
url=http://127.0.0.1:$port/item
"$skytune" probe --url "$url" --users 4 --duration 1 --rounds 2 --json \
        --header 'Authorization: Bearer t0ken' >"$tmp/closed.json"
j=$tmp/closed.json
[[ $(num .schema "$j") == skytune.probe/1 ]] || fail "schema"
[[ $(num '.probes[0].name' "$j") == http ]] || fail "probe name"
[[ $(num '.probes[0].url' "$j") == "$url" ]] || fail "url"
[[ $(num '.probes[0].rounds' "$j") == 2 ]] || fail "rounds"
ok=$(num '.probes[0].metrics.success_rate.median' "$j")
within "$ok" 0.88 0.92 || fail "success rate $ok, want 0.90 +- 0.02"
p50=$(num '.probes[0].metrics.latency_p50_ms.median' "$j")
within "$p50" 19.5 35 || fail "p50 $p50 ms, want about 20 ms"
p99=$(num '.probes[0].metrics.latency_p99_ms.median' "$j")
# Under 100 ms: a slow path on the 500s (a tenth of the requests) would put 100 ms or more on p99;
# a stall of the loaded host in one round of the two (p99 about 110 ms) must not.
within "$p99" "$p50" 100 || fail "p99 $p99 ms not between p50 and 100 ms"
rps=$(num '.probes[0].metrics.completed_rps.median' "$j")
# 4 users and 20 ms per request: at most 200 per second.
within "$rps" 80 205 || fail "completed rps $rps, want up to 200"
s500=$(jq '[.probes[0].round_info[].detail.status["500"] // 0] | add' "$j")
s200=$(jq '[.probes[0].round_info[].detail.status["200"] // 0] | add' "$j")
[[ $s500 -gt 0 && $s200 -gt 0 ]] || fail "status counts 200=$s200 500=$s500"
errs=$(jq '[.probes[0].round_info[].detail.errors[]] | add' "$j")
[[ $errs -eq 0 ]] || fail "$errs transport errors against a healthy server"
for k in connect_ms first_byte_ms latency_ms service_ms; do
        jq -e ".probes[0].round_info[0].detail.histograms.$k.count > 0" "$j" >/dev/null || fail "no $k histogram"
done

# Human output names the metrics and the status codes.
"$skytune" probe --url "$url" --users 2 --duration 0.3 --rounds 1 >"$tmp/human.txt"
grep -q "^http $url: 1 round" "$tmp/human.txt" || fail "human output header"
grep -q 'latency_p99_ms' "$tmp/human.txt" || fail "human output has no p99"
grep -q 'status: .*500' "$tmp/human.txt" || fail "human output has no status codes"

# 2. Open model and coordinated omission: the server freezes for 500 ms after 50 requests. At 100
# requests per second over 2 connections, about 50 requests fall due during the stall and wait in
# the client: measured from their intended send time they are late by up to 500 ms, while their
# service time (from the actual send) is normal. Only the 2 requests in flight see the stall as
# service time (1 % of 200).
# Up to 3 runs (each against a new server: the stall is one-off) while the median send lateness is
# over 0.4 ms: on a loaded host a run's wake-ups can be that late, the whole-millisecond wait is
# late every run.
for try in 1 2 3; do
        start_server stall$try --stall-after 50 --stall-ms 500
        url=http://127.0.0.1:$port/
        "$skytune" probe --url "$url" --rate 100 --users 2 --duration 2 --rounds 1 --json >"$tmp/open.json"
        j=$tmp/open.json
        lp50=$(jq '.probes[0].round_info[0].detail.histograms.send_lateness_ms.p50' "$j")
        within "$lp50" 0 0.4 && break
        echo "open model run $try: median send lateness $lp50 ms, again" >&2
done
lat90=$(num '.probes[0].metrics.latency_p90_ms.median' "$j")
svc50=$(num '.probes[0].metrics.service_p50_ms.median' "$j")
svc90=$(jq '.probes[0].round_info[0].detail.histograms.service_ms.p90' "$j")
lmax=$(num '.probes[0].metrics.latency_max_ms.median' "$j")
sent=$(jq '.probes[0].round_info[0].detail.attempted' "$j")
within "$lat90" 150 700 || fail "open model p90 $lat90 ms does not show the 500 ms stall"
within "$lmax" 400 1000 || fail "open model max $lmax ms, want about 500"
within "$svc90" 0 50 || fail "service p90 $svc90 ms should not include the stall"
within "$svc50" 0 20 || fail "service p50 $svc50 ms"
within "$sent" 170 210 || fail "attempted $sent requests, want about 200 (100/s for 2 s)"
late=$(jq '.probes[0].round_info[0].detail.late_sends' "$j")
[[ $late -ge 20 ]] || fail "only $late late sends reported during the stall"
# Outside the stall requests go out on time: the wait before a send is timed to the microsecond
# (with whole milliseconds the median lateness was 0.6 ms).
within "$lp50" 0 0.4 || fail "median send lateness $lp50 ms, want under 0.4 ms"
echo "ok: closed p50 ${p50} ms success ${ok}; open p90 ${lat90} ms vs service p90 ${svc90} ms"
