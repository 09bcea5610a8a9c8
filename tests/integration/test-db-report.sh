#!/usr/bin/env bash
# skytune db load and db query with thresholds, JUnit XML and the HTML report, against a PostgreSQL
# the test starts (lib-db-server.sh): thresholds that must pass and ones that must fail give exit 0
# and 4 and a JUnit test case each (a failure with what was observed); `for D abort` stops the run
# early; a threshold that does not parse, or a metric db does not measure, is a usage error. The
# HTML report in headless Chromium (as test-load-report-browser.sh): the page's script ran under
# its CSP, the verdict, every section and its charts are in the DOM, nothing on the console. The
# password is in none of the outputs. `skytune report` rebuilds them from the saved document.
set -euo pipefail
build=$1 src=$2
source "$(dirname "$0")/lib-db-server.sh"
db_server_start
conn=(--dsn "$dsn" --password-file "$pwfile" --database bench)
"$skytune" db init --scale 1 "${conn[@]}" >/dev/null
load=(db load --builtin select-only --clients 2 --progress 0 "${conn[@]}")

# junit FILE TESTS FAILURES: the counts, and each failure names what was observed.
junit() {
        python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
path, tests, failures = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = ET.parse(path).getroot()
assert root.tag == "testsuites" and root.get("name") == "skytune db", root.attrib
suite = root.find("testsuite")
cases = suite.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
assert int(suite.get("tests")) == len(cases) == tests, (suite.attrib, len(cases))
assert int(suite.get("failures")) == len(fails) == failures, (suite.attrib, len(fails))
for c in cases:
    assert c.get("classname") == "skytune.db." + sys.argv[4] + ".total", c.attrib
for c in fails:
    m = c.find("failure").get("message")
    assert " was " in m and "wanted" in m, m
props = {p.get("name"): p.get("value") for p in suite.find("properties")}
assert int(props["transactions.count"]) > 0 and props["server.dsn"].startswith("host=127.0.0.1"), props
print(f"{path}: {tests} cases, {failures} failed:", [c.get("name") for c in fails])
PY
}

# Known passes: every threshold holds, exit 0.
"$skytune" "${load[@]}" --duration 2 --threshold 'errors_pct<1' --threshold 'tps>1' --threshold 'p99 < 10s' \
        --threshold 'success_rate >= 99%' --junit "$tmp/pass.xml" --json >"$tmp/pass.json" ||
        fail "passing thresholds exited $?"
junit "$tmp/pass.xml" 4 0 load
jq -e '.verdict.passed and .verdict.exit == 0 and (.thresholds | length == 4) and all(.thresholds[]; .passed)' \
        "$tmp/pass.json" >/dev/null || fail "pass verdict: $(jq -c '{verdict, thresholds}' "$tmp/pass.json")"
# The observed values are the document's own figures, in base units.
jq -e '(.thresholds[1].observed - .transactions.tps | fabs) < 0.001 * .transactions.tps and .thresholds[1].metric == "ok_rps"
        and (.thresholds[2].observed - 1000 * .transactions.latency_ms.p99 | fabs) < 1' "$tmp/pass.json" >/dev/null ||
        fail "observed: $(jq -c '[.thresholds[].observed, .transactions.tps, .transactions.latency_ms.p99]' "$tmp/pass.json")"
n=$(jq '.intervals | length' "$tmp/pass.json")
within "$n" 2 3 || fail "2 s of load gave $n intervals"
jq -e '[.intervals[].transactions] | add == (input | .transactions.count)' "$tmp/pass.json" "$tmp/pass.json" >/dev/null ||
        fail "the intervals' transactions do not add up to the run's"

# skytune report rebuilds the same JUnit from the saved document, and an HTML report.
"$skytune" report "$tmp/pass.json" --junit "$tmp/again.xml" --html "$tmp/again.html" || fail "report of a db run exited $?"
cmp -s "$tmp/pass.xml" "$tmp/again.xml" || fail "report's JUnit differs: $(diff "$tmp/pass.xml" "$tmp/again.xml" | head)"
grep -q 'data-verdict="pass"' "$tmp/again.html" || fail "report's HTML has no pass verdict"
# A saved document is outside input: markup in its command is shown as text, not run.
jq '.command = "<img src=x onerror=alert(1)><b>x</b>"' "$tmp/pass.json" >"$tmp/markup.json"
"$skytune" report "$tmp/markup.json" --html "$tmp/markup.html" || fail "report of a document with markup exited $?"
grep -q '<img src=x\|<b>x' "$tmp/markup.html" && fail "the document's command is written as markup: $(grep -m1 '<h1>' "$tmp/markup.html")"
grep -q '&lt;img src=x' "$tmp/markup.html" || fail "the document's command is not shown: $(grep -m1 '<h1>' "$tmp/markup.html")"
# A start time that is no ISO 8601 time does not break the JUnit XML (it is left out).
jq '.started = "2026\"<x a=\"1\">&amp"' "$tmp/pass.json" >"$tmp/badtime.json"
"$skytune" report "$tmp/badtime.json" --junit "$tmp/badtime.xml" || fail "report of a document with a bad time exited $?"
python3 -c 'import sys, xml.etree.ElementTree as ET; s = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert s.get("timestamp") == "", s.attrib' "$tmp/badtime.xml" || fail "bad start time: $(grep -m1 timestamp "$tmp/badtime.xml")"
python3 -c 'import sys, re, xml.etree.ElementTree as ET; t = ET.parse(sys.argv[1]).getroot().find("testsuite").get("timestamp")
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", t), t' "$tmp/pass.xml" || fail "timestamp: $(grep -m1 timestamp "$tmp/pass.xml")"

# Known failures beside a pass: exit 4, the failures in the JUnit and the text.
rc=0; "$skytune" "${load[@]}" --duration 2 --threshold 'p50 < 1us' --threshold 'tps > 100000000' \
        --threshold 'errors_pct < 1' --junit "$tmp/fail.xml" --html "$tmp/fail.html" >"$tmp/fail.txt" 2>"$tmp/fail.err" || rc=$?
[[ $rc -eq 4 ]] || fail "failing thresholds: exit $rc, want 4: $(cat "$tmp/fail.err")"
junit "$tmp/fail.xml" 3 2 load
grep -q '^thresholds: 1 of 3 thresholds passed' "$tmp/fail.txt" && grep -q '^  FAIL p50 < 1us (was ' "$tmp/fail.txt" ||
        fail "text: $(cat "$tmp/fail.txt")"
grep -q 'thresholds failed' "$tmp/fail.err" || fail "no message on stderr: $(cat "$tmp/fail.err")"

# for D abort: broken from the first interval, the run stops after 1 s of a 10 s duration.
rc=0; "$skytune" "${load[@]}" --duration 10 --threshold 'p50 < 1us for 1s abort' --json >"$tmp/abort.json" 2>"$tmp/abort.err" || rc=$?
[[ $rc -eq 4 ]] || fail "abort: exit $rc: $(cat "$tmp/abort.err")"
jq -e '.aborted_by == "p50 < 1us for 1s abort" and .interrupted == false and .elapsed_s < 4 and
        (.thresholds[0].failed_at_s | . >= 0.9 and . < 4)' "$tmp/abort.json" >/dev/null ||
        fail "abort: $(jq -c '{aborted_by, interrupted, elapsed_s, thresholds}' "$tmp/abort.json")"
# db query's abort: the statement in flight is cancelled by the stop, not counted as failed (that
# would make the exit 1, "the run failed").
rc=0; "$skytune" db query 'select pg_sleep(0.3)' --iterations 20 "${conn[@]}" --threshold 'p50 < 1ms for 1s abort' \
        --json >"$tmp/qabort.json" 2>"$tmp/qabort.err" || rc=$?
[[ $rc -eq 4 ]] || fail "db query abort: exit $rc, want 4: $(cat "$tmp/qabort.err")"
jq -e '.aborted_by == "p50 < 1ms for 1s abort" and .transactions.failed == 0 and .errors.query_canceled == 0
        and .transactions.count < 20' "$tmp/qabort.json" >/dev/null ||
        fail "db query abort: $(jq -c '{aborted_by, transactions, errors}' "$tmp/qabort.json")"

# db query: the statements' thresholds too.
"$skytune" db query 'select pg_sleep(0.002)' --iterations 20 "${conn[@]}" --threshold 'p50 > 1ms' --threshold 'max < 5s' \
        --junit "$tmp/query.xml" >/dev/null || fail "db query thresholds exited $?"
junit "$tmp/query.xml" 2 0 query
rc=0; "$skytune" db query 'select 1' --iterations 5 "${conn[@]}" --threshold 'p50 > 10s' >/dev/null 2>&1 || rc=$?
[[ $rc -eq 4 ]] || fail "db query failing threshold: exit $rc"

# Usage errors, before any connection.
rc=0; "$skytune" "${load[@]}" --threshold 'p99 <' 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "threshold 'p99 <'" "$tmp/err" || fail "bad threshold: exit $rc, $(cat "$tmp/err")"
rc=0; "$skytune" "${load[@]}" --threshold 'lateness_p99 < 1ms' 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q 'does not measure send lateness' "$tmp/err" || fail "lateness: exit $rc, $(cat "$tmp/err")"
rc=0; "$skytune" "${load[@]}" --threshold 'tpz > 1' 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "did you mean" "$tmp/err" || fail "unknown metric: exit $rc, $(cat "$tmp/err")"

# The HTML report: offline, one file, strict CSP; then in Chromium.
h=$tmp/fail.html
grep -q "content=\"default-src 'none'; style-src 'sha256-" "$h" || fail "no strict CSP in the report"
! grep -Eq '(src|href)="(https?:)?//' "$h" || fail "the report loads something from the network"
grep -q '<script type="application/json" id="skytune-data">' "$h" || fail "no embedded data"
source "$(dirname "$0")/lib-browser.sh"
if ! (browser_find) 2>/dev/null; then
        echo "SKIP (browser part): no headless Chromium (scripts/install-deps.sh --test)" >&2
else
        browser_find
        browser_dump_dom "$h" "$tmp/dom"
        python3 - "$tmp/dom" <<'PY' || fail "DOM checks failed (above)"
import sys
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready = None; self.verdict = None; self.sections = set(); self.svgs = []; self.rows = {}
        self.table = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html": self.ready = a.get("data-ready")
        if tag == "header" and a.get("id") == "verdict": self.verdict = a.get("data-verdict")
        if tag == "section": self.sections.add(a.get("id"))
        if tag == "table": self.table = a.get("id"); self.rows[self.table] = 0
        if tag == "tr" and self.table: self.rows[self.table] += 1
        # The charts, not the legend's line swatches (small svgs of their own, without an id).
        if tag == "svg" and (a.get("id") or "").startswith("chart-"): self.svgs.append({"id": a.get("id"), "points": 0})
        if tag == "path" and self.svgs:
            d = a.get("d") or ""
            self.svgs[-1]["points"] += d.count("L") + d.count("M")
d = Dom(); d.feed(open(sys.argv[1], encoding="utf-8").read())
assert d.ready == "1", "no data-ready sentinel: the page's script did not run"
assert d.verdict == "fail", d.verdict
want = {"latency", "throughput", "statements", "errors", "server", "configuration"}
assert want <= d.sections, d.sections
assert [s["id"] for s in d.svgs] == ["chart-latency", "chart-throughput"], d.svgs
for s in d.svgs:
    assert s["points"] >= 2, ("chart drawn empty", s)
assert d.rows.get("thresholds", 0) == 4, d.rows      # header and 3 thresholds
assert d.rows.get("statement-table", 0) == 3, d.rows  # header, the transaction, 1 statement
assert d.rows.get("error-classes", 0) == 6, d.rows
assert d.rows.get("server-deltas", 0) > 5, d.rows     # pg_stat_database over the run
print(f"{sys.argv[1]}: verdict {d.verdict}, sections {sorted(d.sections)}, {len(d.svgs)} charts")
PY
        # The console check can fail: the same page with a script its CSP does not allow.
        sed 's|<script>(function|<script>undefinedFunction();(function|' "$h" >"$tmp/bad.html"
        chmod 0644 "$tmp/bad.html"
        "${browser_run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu --user-data-dir="$tmp/home/profile" \
                --virtual-time-budget=3000 --enable-logging=stderr --v=0 --dump-dom "file://$tmp/bad.html" >/dev/null \
                2>"$tmp/bad.log" || true
        grep -aq "CONSOLE.*Content Security Policy" "$tmp/bad.log" || fail "a CSP violation did not reach the log: the check is blind"
fi
db_check_no_password
echo "ok: db load and query thresholds (exit 0 and 4, abort), JUnit, the HTML report in Chromium"
