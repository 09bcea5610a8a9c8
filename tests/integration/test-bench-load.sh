#!/bin/bash
# A suite with a load benchmark (kind "load": one `skytune load` child per repetition) against a real
# nginx on 127.0.0.1 (started here; skipped without nginx or jq): bench check shows it, two runs
# against the same server fail no gate (exit 0, or 5 when undecided), then nginx sends at 256 KiB/s (limit_rate, reloaded) and
# the third run's rps and p99 gates fail (bench compare exit 4). 8 repetitions of 0.4 s each (3 against 3 cannot reach p < 0.05; the shared host is noisy).
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-nginx.sh"
mkdir -p "$tmp/html"
head -c 65536 /dev/zero | tr '\0' x >"$tmp/html/index.html"
start_nginx '$request_uri' "root $tmp/html;"
H=$tmp/h.db
cat >"$tmp/suite.conf" <<CONF
name = "web";
repetitions = 8;
warmup = 0;
benchmarks = ( { name = "page"; kind = "load"; url = "http://127.0.0.1:$port/"; duration = 0.4; users = 2;
  timeout = "20s"; metrics = [ "rps", "p99_ms", "errors_pct" ];
  gates = ( { metric = "rps"; max_regression = 30.0; }, { metric = "p99_ms"; max_regression = 50.0; } ); } );
CONF
"$skytune" bench check "$tmp/suite.conf" --json >"$tmp/check.json" || fail "bench check"
jq -e '.benchmarks[0].kind == "load" and .benchmarks[0].spec.users == 2' "$tmp/check.json" >/dev/null ||
        fail "check: $(cat "$tmp/check.json")"
run() { "$skytune" bench run "$tmp/suite.conf" --history "$H" --json >"$tmp/run$1.json" || fail "run $1"; }
run 1
jq -e '.benchmarks[0].metrics[] | select(.name == "rps") | (.samples | length == 8) and all(.samples[]; . > 50)' \
        "$tmp/run1.json" >/dev/null || fail "run 1 rps: $(jq -c .benchmarks[0].metrics "$tmp/run1.json")"
jq -e '.benchmarks[0].metrics[] | select(.name == "errors_pct") | all(.samples[]; . == 0)' "$tmp/run1.json" >/dev/null ||
        fail "run 1 errors: $(jq -c .benchmarks[0].metrics "$tmp/run1.json")"
# Every kept repetition's latency histogram (HdrHistogram's base64), in the run and in the history.
jq -e '.benchmarks[0].histograms | length == 8 and all(.[]; .latency_us | startswith("HISTF"))' "$tmp/run1.json" >/dev/null ||
        fail "run 1 histograms: $(jq -c '.benchmarks[0].histograms | map(keys)' "$tmp/run1.json")"
[[ $(sqlite3 "$H" "SELECT count(*) FROM histogram WHERE run = 1 AND name = 'latency_us'") == 8 ]] || fail "histograms not stored"
run 2
set +e
"$skytune" bench compare 1 2 --history "$H" --noise 30 --json >"$tmp/same.json" 2>"$tmp/same.txt"
code=$?
set -e
# Two runs of one server must not fail a gate (exit 4). An undecided gate (exit 5, "need N more")
# is an honest answer on a busy 2-core machine, where 8 repetitions of a 0.4 s load are noisy.
[[ $code == 0 || $code == 5 ]] || fail "compare of two runs against the same nginx: exit $code, $(cat "$tmp/same.txt") $(jq -c .metrics "$tmp/same.json")"
jq -e 'all(.metrics[]; .verdict != "regressed")' "$tmp/same.json" >/dev/null ||
        fail "two runs of the same nginx: a metric called regressed: $(jq -c .metrics "$tmp/same.json")"
sed -i "s|root $tmp/html;|root $tmp/html; limit_rate 256k;|" "$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -p "$tmp" -s reload || fail "nginx reload"
sleep 0.5
run 3
set +e
"$skytune" bench compare 2 3 --history "$H" --noise 30 --json >"$tmp/cmp.json" 2>"$tmp/cmp.err"
code=$?
set -e
[[ $code == 4 ]] || fail "compare after limit_rate: exit $code, $(cat "$tmp/cmp.err") $(jq -c .metrics "$tmp/cmp.json")"
jq -e '[.metrics[] | select(.metric == "rps")][0].verdict == "regressed"' "$tmp/cmp.json" >/dev/null ||
        fail "rps verdict: $(jq -c .metrics "$tmp/cmp.json")"
echo "ok: load benchmark gates pass against the same nginx and fail after limit_rate"
