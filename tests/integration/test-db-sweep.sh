#!/usr/bin/env bash
# skytune db pool-sweep against a PostgreSQL the test starts: a workload with a known plateau (two
# advisory-lock slots, each held 40 ms a transaction: 1 client ~25 tps, 2 and more ~50 tps; long
# enough that a client's own overhead between transactions stays well under the 5% noise band
# even on a loaded host) is swept at 1,2,4,8 with 3 interleaved repeats; the recommendation is 2
# (where the plateau starts), every size has 3 ok repeats whose range is the 75% interval, and
# the waits show the lock and the sleep. Two repeats cannot decide ("not enough evidence"); a bad DSN and
# a server that goes away mid-sweep give clear errors and exit 1.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile")
printf 'SELECT pg_advisory_xact_lock(:client_id %% 2), pg_sleep(0.04);\n' >"$tmp/slots.sql"

t0=$(date +%s.%N)
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2,4,8 --repeats 3 --duration 1 "${conn[@]}" \
        --json >"$tmp/sweep.json" 2>"$tmp/sweep.err" || fail "sweep: $(cat "$tmp/sweep.err")"
t1=$(date +%s.%N)
j=$tmp/sweep.json
[[ $(jq -r .schema "$j") == skytune.db-sweep/1 ]] || fail "schema"
[[ $(jq -c '[.runs[].clients]' "$j") == '[1,2,4,8,1,2,4,8,1,2,4,8]' ]] || fail "order: $(jq -c '[.runs[].clients]' "$j")"
[[ $(jq -c '[.sizes[].ok_repeats]' "$j") == '[3,3,3,3]' ]] || fail "ok repeats: $(jq -c '[.sizes[].ok_repeats]' "$j")"
[[ $(grep -c '^sweep: run ' "$tmp/sweep.err") == 12 ]] || fail "progress per run: $(cat "$tmp/sweep.err")"
grep -q "^sweep: warm-up, 8 clients" "$tmp/sweep.err" || fail "no warm-up line"
one=$(jq '.sizes[0].tps.median' "$j") two=$(jq '.sizes[1].tps.median' "$j") eight=$(jq '.sizes[3].tps.median' "$j")
within "$one" 15 26 || fail "1 client: $one tps, about 25 expected"
within "$two" 30 52 || fail "2 clients: $two tps, about 50 expected"
within "$eight" 30 52 || fail "8 clients: $eight tps: the plateau is 2 slots"
rec=$(jq .recommendation.clients "$j")
[[ $rec == 2 ]] || fail "recommended $rec: the plateau starts at 2 ($(jq -c .recommendation "$j"))"
[[ $(jq .recommendation.enough_evidence "$j") == true ]] || fail "evidence"
# Waiting backends wait on the advisory lock, the others sleep.
jq -e '.sizes[3].wait_events.events | map(.type + "/" + .event) | index("Lock/advisory")' "$j" >/dev/null ||
        fail "no advisory lock waits at 8 clients: $(jq -c .sizes[3].wait_events "$j")"
jq -e '.sizes[0].wait_events.events | map(.event) | index("PgSleep")' "$j" >/dev/null || fail "no PgSleep at 1 client"
[[ $(jq '.sizes[3].wait_events.samples' "$j") -ge 15 ]] || fail "about 30 samples in 3 s at 8 clients"
# Three repeats: the interval is their range, of 75% confidence (not 95%).
jq -e 'all(.sizes[]; .tps.ci_lo == (.tps.repeats | min) and .tps.ci_hi == (.tps.repeats | max) and .tps.level == 0.75)' \
        "$j" >/dev/null || fail "intervals: $(jq -c '[.sizes[].tps]' "$j")"
echo "sweep of 4 sizes x 3 repeats x 1 s: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; tps $(jq -c '[.sizes[].tps.median | floor]' "$j")"

# The text table: one row per size, the recommendation.
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --repeats 3 --duration 0.5 --warmup 0 "${conn[@]}" \
        --html "$tmp/small.html" >"$tmp/sweep.txt" 2>/dev/null || fail "text sweep"
grep -q 'id="chart-sweep-tps"' "$tmp/small.html" || fail "pool-sweep --html wrote no throughput chart"
grep -q '^recommended pool size: ' "$tmp/sweep.txt" || fail "text: $(cat "$tmp/sweep.txt")"
grep -q 'waits: ' "$tmp/sweep.txt" || fail "text waits"
awk 'length > 80 { exit 1 }' "$tmp/sweep.txt" || fail "text wider than 80 columns"

# The HTML report of the 4-size sweep (skytune report reads the saved document), in Chromium: the
# recommendation, both charts drawn with a point per size, a row per size, the password nowhere, no
# console message.
"$skytune" report "$j" --html "$tmp/sweep.html" || fail "report of a sweep"
! grep -q -- "$db_password" "$tmp/sweep.html" || fail "the password is in the HTML report"
source "$(dirname "$0")/lib-browser.sh"
browser_find
browser_dump_dom "$tmp/sweep.html" "$tmp/dom"
python3 - "$tmp/dom" <<'PY' || fail "sweep report DOM checks failed (above)"
import sys
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__(); self.charts = {}; self.cur = None; self.rows = 0; self.in_table = False
        self.h1 = ""; self.in_h1 = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and (a.get("id") or "").startswith("chart-"):
            self.cur = a["id"]; self.charts[self.cur] = 0
        if tag == "path" and self.cur and a.get("d"):
            self.charts[self.cur] += a["d"].count("L") + a["d"].count("M")
        if tag == "table" and a.get("id") == "sizes-table": self.in_table = True
        if tag == "tr" and self.in_table: self.rows += 1
        if tag == "h1": self.in_h1 = True
    def handle_endtag(self, tag):
        if tag == "table": self.in_table = False
        if tag == "h1": self.in_h1 = False
    def handle_data(self, d):
        if self.in_h1: self.h1 += d
d = Dom(); d.feed(open(sys.argv[1], encoding="utf-8").read())
assert d.h1.strip() == "recommended pool size: 2", d.h1
assert set(d.charts) == {"chart-sweep-tps", "chart-sweep-latency"}, d.charts
assert all(n >= 4 for n in d.charts.values()), ("a chart drawn with fewer points than sizes", d.charts)
assert d.rows == 5, ("header and 4 sizes expected", d.rows)
PY

# Two repeats cannot decide; an SLO no size meets recommends none.
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --repeats 2 --duration 0.5 --warmup 0 "${conn[@]}" \
        --json >"$tmp/two.json" 2>/dev/null || fail "two repeats"
[[ $(jq .recommendation.enough_evidence "$tmp/two.json") == false ]] || fail "two repeats decided"
jq -r .recommendation.reason "$tmp/two.json" | grep -q 'not enough evidence' || fail "reason: $(jq .recommendation "$tmp/two.json")"
[[ $(jq .recommendation.clients "$tmp/two.json") == null ]] || fail "two repeats recommended a size"
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --duration 0.5 --warmup 0 --slo-p95 1 "${conn[@]}" \
        --json >"$tmp/slo.json" 2>/dev/null || fail "slo"
[[ $(jq .recommendation.clients "$tmp/slo.json") == null ]] && jq -r .recommendation.reason "$tmp/slo.json" | grep -q SLO ||
        fail "a 1 ms SLO against 40 ms transactions: $(jq -c .recommendation "$tmp/slo.json")"

# Usage errors.
rc=0; "$skytune" db pool-sweep --clients 1,1 "${conn[@]}" 2>"$tmp/u.err" || rc=$?
[[ $rc == 2 ]] && grep -q 'given twice' "$tmp/u.err" || fail "duplicate size: $rc $(cat "$tmp/u.err")"
rc=0; "$skytune" db pool-sweep --clients 1,x "${conn[@]}" 2>"$tmp/u.err" || rc=$?
[[ $rc == 2 ]] || fail "bad size: $rc"

# A bad DSN: exit 1, the DSN named, before any run.
rc=0; "$skytune" db pool-sweep --script "$tmp/slots.sql" --dsn "host=127.0.0.1 port=$(free_port) connect_timeout=2" \
        >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
[[ $rc == 1 ]] && grep -q 'cannot connect to PostgreSQL at host=127.0.0.1' "$tmp/bad.err" || fail "bad DSN: $rc $(cat "$tmp/bad.err")"
[[ ! -s $tmp/bad.out ]] || fail "bad DSN printed a document"

# progress_after FILE N: waits (up to 20 s) for the progress line of run N, printed when it ends.
progress_after() {
        for _ in $(seq 400); do grep -q "^sweep: run $2/" "$1" && return; sleep 0.05; done
        fail "no progress line for run $2: $(cat "$1")"
}

# Ctrl-C mid-sweep: exit 130, the document printed, marked interrupted, the run cut short not counted.
# The signal goes in half a second after run 1 ended, inside run 2 (connecting or running, 1 s):
# in the gap between two runs no run is cut, and a fixed sleep can fall there.
set -m
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --repeats 5 --duration 1 --warmup 0 "${conn[@]}" \
        --json >"$tmp/int.json" 2>"$tmp/int.err" &
pid=$!
progress_after "$tmp/int.err" 1
sleep 0.5
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
set +m
[[ $rc == 130 ]] && grep -q "interrupted (SIGINT) during the sweep" "$tmp/int.err" || fail "Ctrl-C: exit $rc ($(cat "$tmp/int.err"))"
[[ $(jq .interrupted "$tmp/int.json") == true ]] || fail "not marked interrupted"
[[ $(jq '.runs[-1].ok' "$tmp/int.json") == false ]] || fail "the run cut short is not reported as not ok"
[[ $(jq '.runs | length' "$tmp/int.json") == $(jq '[.sizes[].ok_repeats] | add + 1' "$tmp/int.json") ]] ||
        fail "an interrupted run was counted: $(jq -c '[.runs[].ok]' "$tmp/int.json") $(jq -c '[.sizes[].ok_repeats]' "$tmp/int.json")"

# Ctrl-C while the sampler's backend does not answer (SIGSTOP): still exit 130 within seconds.
set -m
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --repeats 5 --duration 1 --warmup 0 "${conn[@]}" \
        --json >"$tmp/stuck.json" 2>"$tmp/stuck.err" &
pid=$!
# The sampler connects before the first run: wait for its backend, not a fixed time.
for _ in $(seq 100); do
        spid=$(as_pg "$pgbin/psql" -X -At -h "$tmp/pg" -p "$port" -U skytune -d postgres \
                -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'skytune-sweep-sampler'")
        [[ $spid =~ ^[0-9]+$ ]] && break
        sleep 0.1
done
[[ $spid =~ ^[0-9]+$ ]] || fail "no sampler backend: '$spid'"
kill -STOP "$spid"
sleep 0.5
kill -INT "$pid"
t0=$(date +%s.%N)
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
t1=$(date +%s.%N)
stuck=0; kill -0 "$pid" 2>/dev/null && stuck=1
kill -CONT "$spid"
rc=0; wait "$pid" || rc=$?
set +m
[[ $stuck == 0 ]] || fail "Ctrl-C hung 10 s behind a stopped sampler backend"
[[ $rc == 130 ]] || fail "Ctrl-C with a stopped sampler: exit $rc ($(cat "$tmp/stuck.err"))"
echo "Ctrl-C behind a stopped sampler backend: exit 130 in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

# The server goes away mid-sweep: the sweep stops, says at which run, reports the sizes before, exits 1.
"$skytune" db pool-sweep --script "$tmp/slots.sql" --clients 1,2 --repeats 5 --duration 1 --warmup 0 "${conn[@]}" \
        --json >"$tmp/gone.json" 2>"$tmp/gone.err" &
pid=$!
# After run 2 (the runs before the stop are checked), inside run 3.
progress_after "$tmp/gone.err" 2
sleep 0.5
db_server_stop immediate
rc=0; wait "$pid" || rc=$?
[[ $rc == 1 ]] || fail "server gone: exit $rc ($(cat "$tmp/gone.err"))"
grep -q 'stopped at run [0-9]* of 10' "$tmp/gone.err" || fail "no message: $(cat "$tmp/gone.err")"
jq -e '.error | test("run [0-9]+ of 10")' "$tmp/gone.json" >/dev/null || fail "document error: $(jq .error "$tmp/gone.json")"
[[ $(jq '.runs | length' "$tmp/gone.json") -ge 2 ]] || fail "the runs before the stop are not reported"
db_check_no_password
echo "ok: pool sweep: plateau found, interleaved repeats, waits, not enough evidence, SLO, bad DSN, Ctrl-C (also behind a stopped sampler), server gone"
