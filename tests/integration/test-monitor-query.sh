#!/usr/bin/env bash
# skytune monitor query and series read a store written as skytune-monitor writes one (the log and
# the hourly seal, tests/tools/store-fill.c): the rows of every tier equal the points' own min,
# mean, max and count (computed here from the same formula), the text and JSON agree, and a
# missing store, a foreign file, an unknown series and bad spans are refused with the right exit
# code and a message that names the thing, leaving the files as they were.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
store=$tmp/store.db
"$build/tests/store-fill" "$store" 2 || fail "store-fill"
until=2026-12-04T02:00:00Z

"$sky" monitor series --store "$store" --json >"$tmp/series.json" || fail "monitor series"
python3 - "$tmp/series.json" "$store" <<'PY' || fail "monitor series --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.monitor-series/1" and d["store"] == sys.argv[2], d
assert d["series"] == [{"name": "cpu.busy", "scale": 2}, {"name": "mem.used", "scale": 0}], d["series"]
PY

# Each step against the points: 1h (r1h), 10m (r1m), 7s (chunks); the second hour is still logged.
for step in 1h 10m 7s; do
        "$sky" monitor query cpu.busy --store "$store" --since 2h --until $until --step $step --json \
                >"$tmp/q-$step.json" || fail "query --step $step"
        python3 - "$tmp/q-$step.json" $step <<'PY' || fail "query --step $step: rows differ from the points"
import json, sys
d = json.load(open(sys.argv[1]))
step = {"1h": 3600, "10m": 600, "7s": 7}[sys.argv[2]]
assert d["schema"] == "skytune.monitor-query/1" and d["metric"] == "cpu.busy" and d["scale"] == 2, d
t0 = 1796342400
import datetime
def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
until = t0 + 7200
assert d["step_s"] == step and type(d["step_s"]) is int, d["step_s"]
assert d["from"] == iso(t0 - t0 % step) and d["to"] == iso(until + (step - until % step) % step), (d["from"], d["to"])
rows = {}
for i in range(7200):
    v = (1000 + i % 100) / 100
    start = (t0 + i) - ((t0 + i) % step)
    rows.setdefault(start, []).append(v)
got = d["buckets"]
assert len(got) == len(rows), (len(got), len(rows))
for b in got:
    t = int(datetime.datetime.strptime(b["t"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp())
    want = rows[t]
    assert b["count"] == len(want), (b, len(want))
    assert abs(b["min"] - min(want)) < 1e-9 and abs(b["max"] - max(want)) < 1e-9, b
    assert abs(b["avg"] - sum(want) / len(want)) < 1e-9, (b, sum(want) / len(want))
PY
done
"$sky" monitor query mem.used --store "$store" --since 2h --until $until --step 1h --json >"$tmp/mem.json"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["buckets"]; assert [x["min"] for x in b]==[1048576,1048576+3600] and type(b[0]["min"]) is int, b' \
        "$tmp/mem.json" || fail "mem.used: scale 0 values are integers"

# The text: a header, the range, one row a step, values at the series' scale.
"$sky" monitor query cpu.busy --store "$store" --since 2h --until $until --step 1h >"$tmp/q.txt" || fail "text"
grep -q '^cpu.busy from 2026-12-04T00:00:00Z to 2026-12-04T02:00:00Z, 3600 s steps' "$tmp/q.txt" || fail "text head: $(cat "$tmp/q.txt")"
grep -Eq '^2026-12-04T01:00:00Z +10\.00 +10\.495 +10\.99 +3600$' "$tmp/q.txt" || fail "text row: $(cat "$tmp/q.txt")"
[[ $(wc -l <"$tmp/q.txt") -eq 4 ]] || fail "text: $(wc -l <"$tmp/q.txt") lines, want 4"
# The default step for 1 hour is a minute: 60 rows.
"$sky" monitor query cpu.busy --store "$store" --until $until --json |
        python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["step_s"]==60 and len(d["buckets"])==60, d["step_s"]' ||
        fail "default --since 1h, step 1m"

expect() { # CODE PATTERN -- ARGS...
        local code=$1 pattern=$2 rc=0
        shift 3
        "$sky" monitor "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
        [[ $rc -eq $code ]] || fail "monitor $*: exit $rc, want $code ($(cat "$tmp/err"))"
        grep -q -- "$pattern" "$tmp/err" || fail "monitor $*: message '$(cat "$tmp/err")' lacks '$pattern'"
}
sum=$(sha256sum <"$store")
expect 1 "cpu.bsy: no such series in $store (did you mean cpu.busy?)" -- query cpu.bsy --store "$store"
expect 1 "$tmp/none.db: no store there" -- series --store "$tmp/none.db"
[[ ! -e $tmp/none.db ]] || fail "a missing store was created"
echo "not a store" >"$tmp/foreign.db"
expect 1 "$tmp/foreign.db: not a skytune store" -- query cpu.busy --store "$tmp/foreign.db"
[[ $(cat "$tmp/foreign.db") == "not a store" && $(ls "$tmp" | grep -c corrupt) -eq 0 ]] || fail "the foreign file was touched"
expect 2 "--since 1y: not a span" -- query cpu.busy --store "$store" --since 1y
expect 2 "--step 1d is longer than --since 1h" -- query cpu.busy --store "$store" --step 1d
expect 2 "--until yesterday: not a time" -- query cpu.busy --store "$store" --until yesterday
expect 2 "takes one METRIC" -- query --store "$store"
expect 2 "^skytune: error: --since means nothing to 'monitor series'" -- series --since 1h --store "$store"
expect 2 "error: --since needs a value" -- query cpu.busy --store "$store" --since
expect 2 "--since 520w at --step 1s is [0-9]* rows, more than 200000: take a longer --step" -- \
        query cpu.busy --store "$store" --since 520w --step 1s --until $until
"$sky" monitor query cpu.busy --store "$store" --since 2d --step 1s --until $until --json >/dev/null ||
        fail "2 days at 1 s (the raw tier's age) is refused"
expect 2 "unknown subcommand sumary" -- sumary
[[ $(sha256sum <"$store") == "$sum" ]] || fail "reading changed the store"
# A read-only open of a WAL file makes its -wal and -shm unless told the file is all there is.
[[ -z $(ls "$tmp" | grep 'store\.db-') ]] || fail "reading left files beside the store: $(ls "$tmp")"
# Another user, who may read the store but not write its directory, reads it (no -wal, -shm made).
if [[ $EUID -eq 0 ]] && command -v setpriv >/dev/null; then
        chmod 755 "$tmp"
        chmod 644 "$store"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$sky" monitor series --store "$store" >"$tmp/out" 2>&1 ||
                fail "a reader who cannot write the directory: $(cat "$tmp/out")"
        chmod 700 "$tmp"
fi
echo "ok: monitor query and series over the log and every tier, refusals"
