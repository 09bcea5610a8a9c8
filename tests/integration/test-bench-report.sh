#!/usr/bin/env bash
# The benchmark comparison's HTML report: `bench compare --html` of two runs (the second with one
# benchmark twice as slow) is one offline page with a strict CSP; `skytune report` rebuilds the same
# page and JUnit XML from the saved --json document; in Chromium the page shows the failed gate, a
# table row and a picture per metric with a dot per repetition of each side, and logs nothing.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
H=$tmp/h.db
suite=$SRC/tests/fixtures/bench/two-sleeps.conf

SKYTUNE_TEST_SLEEP=0.05 $S bench run "$suite" --repeat 6 --history "$H" >/dev/null || fail "first run"
SKYTUNE_TEST_SLEEP=0.1 $S bench run "$suite" --repeat 6 --history "$H" >/dev/null || fail "second run"
code=0
$S bench compare --history "$H" --noise 30 --json --html "$tmp/cmp.html" --junit "$tmp/cmp.xml" >"$tmp/cmp.json" ||
        code=$?
[[ $code == 4 ]] || fail "compare with a failed gate: exit $code"
h=$tmp/cmp.html
grep -q "content=\"default-src 'none'; style-src 'sha256-" "$h" || fail "no strict CSP in the report"
! grep -Eq '(src|href)="(https?:)?//' "$h" || fail "the report loads something from the network"
[[ $(jq '.metrics[0].samples_a | length' "$tmp/cmp.json") == 6 ]] || fail "the comparison carries no samples"

# The same page and XML from the saved document.
$S report "$tmp/cmp.json" --html "$tmp/again.html" --junit "$tmp/again.xml" || fail "report of a comparison"
cmp -s "$h" "$tmp/again.html" || fail "skytune report wrote another page than bench compare --html"
cmp -s "$tmp/cmp.xml" "$tmp/again.xml" || fail "skytune report wrote other JUnit XML than bench compare --junit"
jq '.schema = "skytune.bench-compare/9"' "$tmp/cmp.json" >"$tmp/bad.json"
! $S report "$tmp/bad.json" --html "$tmp/bad.html" 2>"$tmp/err" || fail "an unknown schema was rendered"

source "$(dirname "$0")/lib-browser.sh"
browser_find
browser_dump_dom "$h" "$tmp/dom"
python3 - "$tmp/dom" "$tmp/cmp.json" <<'PY' || fail "comparison report DOM checks failed (above)"
import json, sys
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready = self.verdict = self.svg = self.table = None
        self.rows = {}; self.dots = {}; self.ratios = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html": self.ready = a.get("data-ready")
        if tag == "header" and a.get("id") == "verdict": self.verdict = a.get("data-verdict")
        if tag == "table": self.table = a.get("id")
        if tag == "tr" and self.table: self.rows[self.table] = self.rows.get(self.table, 0) + 1
        if tag == "svg" and "distribution" in a.get("class", ""): self.svg = a["id"]; self.dots[self.svg] = [0, 0]
        if tag == "circle" and self.svg: self.dots[self.svg]["ab".index(a["class"])] += 1
        if tag == "path" and a.get("class") == "ratio": self.ratios += 1
    def handle_endtag(self, tag):
        if tag == "table": self.table = None
        if tag == "svg": self.svg = None
d = Dom(); d.feed(open(sys.argv[1], encoding="utf-8").read())
cmp = json.load(open(sys.argv[2]))
ms = cmp["metrics"]
assert d.ready == "1", "the page's script did not run"
assert d.verdict == "fail", d.verdict
assert d.rows.get("metrics-table") == len(ms) + 1, d.rows
for i, m in enumerate(ms):
    finite = lambda xs: sum(1 for x in xs if isinstance(x, (int, float)))
    assert d.dots[f"metric-{i}"] == [finite(m["samples_a"]), finite(m["samples_b"])], (i, d.dots)
assert d.ratios == sum(1 for m in ms if m["ratio"] is not None), d.ratios
print(f"{sys.argv[1]}: verdict {d.verdict}, {len(ms)} metrics, dots {d.dots}")
PY
echo "ok: bench compare --html and skytune report of a comparison, in Chromium"
