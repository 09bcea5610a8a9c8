#!/usr/bin/env bash
# skytune monitor summary over a store written as skytune-monitor writes one (tests/tools/store-fill.c
# with its application series, odd seconds against even ones): the requests are each second's rate,
# the success rate and the mean are weighted by them (92.5 % and 35 ms, not the plain means' 95 %
# and 30 ms), P95 and P99 are the worst second's; the host row is the series' own last, mean and
# extremes; past 2 days the 1-minute rollups answer and the document says what that costs; text and
# JSON agree; usage errors exit 2.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
store=$tmp/store.db
"$build/tests/store-fill" "$store" 2 app || fail "store-fill"
until=2026-12-04T02:00:00Z

# The store's dates are past the default age of the 1 s tier: --step 1s reads it all the same.
"$sky" monitor summary --store "$store" --minutes 60 --until $until --step 1s --json >"$tmp/h.json" || fail "summary --json"
python3 - "$tmp/h.json" <<'PY' || fail "summary of the last hour: $(cat "$tmp/h.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.monitor-summary/1" and d["minutes"] == 60 and d["step_s"] == 1, d
assert d["from"] == "2026-12-04T01:00:00.000000Z" and d["to"] == "2026-12-04T02:00:00.000000Z", d
assert "note" not in d, d
[h] = d["host"]
# cpu.utilization_pct = 10 + (i % 100) / 100 at second i, i = 3600 .. 7199.
vals = [10 + (i % 100) / 100 for i in range(3600, 7200)]
assert h["series"] == "cpu.utilization_pct" and h["samples"] == 3600, h
assert abs(h["avg"] - sum(vals) / len(vals)) < 1e-9 and h["min"] == 10.0 and h["max"] == 10.99, h
assert abs(h["last"] - vals[-1]) < 1e-9, h
[e] = d["endpoints"]
assert e["endpoint"] == "api.users" and e["method"] == "GET", e
# 1800 odd seconds at 30/s (10 % errors, 40 ms) and 1800 even ones at 10/s (none, 20 ms).
assert e["requests"] == 72000 and abs(e["requests_per_s"] - 20) < 1e-9, e
assert abs(e["success_pct"] - 92.5) < 1e-9 and abs(e["mean_ms"] - 35) < 1e-9 and abs(e["p50_ms_mean"] - 30) < 1e-9, e
assert e["p95_ms_worst_s"] == 56 and e["p99_ms_worst_s"] == 110, e
a = d["application"]
assert a["requests"] == 72000 and abs(a["success_pct"] - 92.5) < 1e-9 and abs(a["mean_ms"] - 35) < 1e-9, a
PY
"$sky" monitor summary --store "$store" --minutes 60 --until $until --step 1s >"$tmp/h.txt" || fail "summary"
grep -Eq '^api\.users +GET +72000 +20\.00 +92\.50 +35\.00 +30\.00 +56\.00 +110\.00$' "$tmp/h.txt" ||
        fail "the text's endpoint row: $(cat "$tmp/h.txt")"
grep -Eq '^CPU busy % +10\.99 +10\.49 +10\.00 +10\.99 +3600$' "$tmp/h.txt" || fail "the text's host row: $(cat "$tmp/h.txt")"

# A window that starts more than 2 days ago: minute means by default, which weigh by each
# minute's requests (95 %, 30 ms), and say so.
"$sky" monitor summary --store "$store" --since 3d --until $until --json >"$tmp/m.json" || fail "summary --since 3d"
python3 - "$tmp/m.json" <<'PY' || fail "summary over 3 days: $(cat "$tmp/m.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["step_s"] == 60 and "1-minute" in d["note"], d
[e] = d["endpoints"]
assert e["requests"] == 144000 and abs(e["success_pct"] - 95) < 1e-9 and abs(e["mean_ms"] - 30) < 1e-9, e
PY

# A window with nothing in it, and usage errors.
"$sky" monitor summary --store "$store" --minutes 5 --until 2026-12-01T00:00:00Z >"$tmp/e.txt" || fail "an empty window"
grep -q "host: no samples in this window" "$tmp/e.txt" && grep -q "no application metrics" "$tmp/e.txt" ||
        fail "an empty window: $(cat "$tmp/e.txt")"
for bad in "--minutes 0" "--minutes x" "--since 1y" "--until yesterday" "--step 5m" "extra"; do
        rc=0; "$sky" monitor summary --store "$store" $bad >/dev/null 2>"$tmp/err" || rc=$?
        [ $rc = 2 ] && [ -s "$tmp/err" ] || fail "summary $bad: exit $rc, $(cat "$tmp/err")"
done
rc=0; "$sky" monitor summary --store "$tmp/none.db" 2>"$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "none.db: no store there" "$tmp/err" || fail "a missing store: exit $rc, $(cat "$tmp/err")"
echo PASS
