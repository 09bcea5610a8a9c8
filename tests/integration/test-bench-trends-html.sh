#!/usr/bin/env bash
# The trend report: 12 runs of a two-benchmark suite, "sleep" ten times as slow from run 7, give
# `bench trends --html`, one offline page with a strict CSP; `skytune report` of the saved --json
# writes the same page. In Chromium: one chart per metric with a dot per run, a change marker (with
# its magnitude) on the sleep chart at run 7 and none on the steady one, the segments' means, the
# changes table, and nothing on the console; a tuning marker added to the document shows its
# transaction id under the time axis.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
suite=$SRC/tests/fixtures/bench/trend-two.conf

# The host's name changes with the step, to one that carries an escape sequence: the history is
# outside input, shown escaped in the page and in the saved JSON alike.
for host in a b; do
        cp -a "$SRC/tests/fixtures/captured-vm" "$tmp/root-$host"
done
printf 'vm\n' >"$tmp/root-a/proc/sys/kernel/hostname"
printf 'vm\033[31m\tred\n' >"$tmp/root-b/proc/sys/kernel/hostname"
for i in $(seq 12); do
        sleep=0.02 root=$tmp/root-a; ((i > 6)) && sleep=0.2 root=$tmp/root-b
        SKYTUNE_TEST_SLEEP=$sleep $S bench run "$suite" --history "$tmp/h.db" --sysroot "$root" >/dev/null 2>&1 ||
                fail "run $i"
done
h=$tmp/trends.html
$S bench trends --json --min-segment 3 --history "$tmp/h.db" --html "$h" >"$tmp/t.json" || fail "trends --html"
jq -e '(.metrics | length) == 2 and (.changes | length) == 1 and .changes[0].run == 7 and
        (.changes[0].soft_differences | map(select(.field == "hostname"))[0].b) == "vm\\x1b[31m\\x09red"' \
        "$tmp/t.json" >/dev/null ||
        fail "the trends: $(jq -c '{metrics: [.metrics[] | {benchmark, metric}], changes}' "$tmp/t.json")"
grep -q "content=\"default-src 'none'; style-src 'sha256-" "$h" || fail "no strict CSP in the report"
! grep -Eq '(src|href)="(https?:)?//' "$h" || fail "the report loads something from the network"
$S report "$tmp/t.json" --html "$tmp/again.html" || fail "report of a trend"
cmp -s "$h" "$tmp/again.html" ||
        fail "skytune report wrote another page than bench trends --html: $(diff <(tr '>' '\n' <"$h") <(tr '>' '\n' <"$tmp/again.html") | head -8)"
! grep -q $'\033' "$h" || fail "an escape sequence from the history reached the page raw"
! $S report "$tmp/t.json" --junit "$tmp/t.xml" 2>/dev/null || fail "a trend has no JUnit XML"
# A tuning marker (as a run whose transactions changed gives it) through skytune report.
jq '.tuning = [{run: 7, started_us: .changes[0].started_us, applied: [{id: "20261207T101010-000001-abcdef",
        applied: "x", tunables: ["vm.swappiness=10"]}], rolled_back: []}]' "$tmp/t.json" >"$tmp/tuned.json"
$S report "$tmp/tuned.json" --html "$tmp/tuned.html" || fail "report of a tuned trend"

source "$(dirname "$0")/lib-browser.sh"
browser_find
for page in "$h" "$tmp/tuned.html"; do
        browser_dump_dom "$page" "$page.dom"
done
python3 - "$h.dom" "$tmp/tuned.html.dom" "$tmp/t.json" <<'PY' || fail "trend report DOM checks failed (above)"
import json, sys
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready = self.svg = self.table = self.tuning = None
        self.charts = []; self.rows = {}; self.text = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html": self.ready = a.get("data-ready")
        if tag == "table": self.table = a.get("id")
        if tag == "tr" and self.table: self.rows[self.table] = self.rows.get(self.table, 0) + 1
        if tag == "svg" and "trend" in a.get("class", ""):
            self.svg = {"id": a["id"], "points": 0, "segments": 0, "changes": [], "tuning": []}
            self.charts.append(self.svg)
        if not self.svg: return
        if tag == "circle" and a.get("class") == "point": self.svg["points"] += 1
        if tag == "line" and a.get("class") == "segment": self.svg["segments"] += 1
        if tag == "g" and a.get("class") == "change": self.svg["changes"].append((int(a["data-run"]), float(a["data-magnitude"])))
        if tag == "g" and a.get("class") == "tuning": self.tuning = int(a["data-run"]); self.text = []
    def handle_data(self, data):
        if self.tuning is not None: self.text.append(data)
    def handle_endtag(self, tag):
        if tag == "table": self.table = None
        if tag == "svg": self.svg = None
        if tag == "g" and self.tuning is not None and self.charts:
            self.charts[-1]["tuning"].append((self.tuning, "".join(self.text))); self.tuning = None
doc = json.load(open(sys.argv[3]))
for path, tuned in ((sys.argv[1], False), (sys.argv[2], True)):
    d = Dom(); d.feed(open(path, encoding="utf-8").read())
    assert d.ready == "1", "the page's script did not run"
    assert len(d.charts) == len(doc["metrics"]) == 2, d.charts
    assert d.rows.get("changes-table") == 2, d.rows
    for chart, m in zip(d.charts, doc["metrics"]):
        assert chart["points"] == 12, chart
        if m["benchmark"] == "sleep":
            assert [r for r, _ in chart["changes"]] == [7], chart
            assert chart["changes"][0][1] > 0.5, chart
            assert chart["segments"] == 2, chart
        else:
            assert chart["changes"] == [] and chart["segments"] == 1, chart
        if tuned:
            assert len(chart["tuning"]) == 1 and chart["tuning"][0][0] == 7, chart
            assert "+20261207T101010-000001-abcdef" in chart["tuning"][0][1], chart
        else:
            assert chart["tuning"] == [], chart
    print(f"{path}: {len(d.charts)} charts, changes {[c['changes'] for c in d.charts]}")
PY
echo "ok: bench trends --html and skytune report of a trend, in Chromium"
