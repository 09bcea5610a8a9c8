#!/usr/bin/env bash
# The HTML report in a real browser: Debian's headless Chromium (chromium-headless-shell, or
# chromium --headless) loads each report from a file, offline, under the page's own CSP:
# - the DOM after its script ran has the data-ready="1" sentinel, the verdict the document says,
#   and every chart an <svg> with drawn lines;
# - the console stays empty (a CSP violation or a script error would be logged there; a page with
#   one injected proves the check sees it);
# - a screenshot of each report is kept under BUILD/tests/load-report/ as a test artifact.
# Chromium runs as nobody when the test runs as root (its sandbox stays on); skip (77) without it.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
fx=$src/tests/fixtures/load
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

source "$(dirname "$0")/lib-browser.sh"
browser_find
command -v python3 >/dev/null || fail "python3 missing"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
artifacts=$build/tests/load-report
mkdir -p "$artifacts"

run=()
if [[ $(id -u) -eq 0 ]]; then
        command -v runuser >/dev/null || skip "root without runuser: Chromium would need --no-sandbox"
        run=(runuser -u nobody --)
        mkdir -p "$tmp/home" && chown nobody "$tmp/home" && chmod 0777 "$tmp"
else
        mkdir -p "$tmp/home"
fi
# chrome URL of a page, its DOM after up to 3 s of virtual time, and its log (console messages).
chrome() {
        local page=$1 out=$2
        "${run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu --disable-extensions \
                --user-data-dir="$tmp/home/profile" --window-size=1000,2400 --virtual-time-budget=3000 \
                --enable-logging=stderr --v=0 "${@:3}" "file://$page" >"$out" 2>"$out.log"
}

python3 "$fx/gen-load-doc.py" hour "$tmp/hour.json"
for k in pass fail spike hour; do
        doc=$fx/$k.json
        [[ $k == hour ]] && doc=$tmp/hour.json
        "$skytune" report "$doc" --html "$tmp/$k.html" || fail "report $k"
        chmod 0644 "$tmp/$k.html"
        chrome "$tmp/$k.html" "$tmp/$k.dom" --dump-dom || fail "Chromium failed on $k.html: $(tail -5 "$tmp/$k.dom.log")"
        if grep -a "CONSOLE" "$tmp/$k.dom.log"; then
                fail "$k.html logged to the console (above)"
        fi
        python3 - "$doc" "$tmp/$k.dom" <<'PY' || fail "$k.html: DOM checks failed (above)"
import json, sys
from html.parser import HTMLParser
doc = json.load(open(sys.argv[1]))
class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready = None; self.verdict = None; self.h1 = ""; self.in_h1 = False
        self.svgs = []; self.figures = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html": self.ready = a.get("data-ready")
        if tag == "header" and a.get("id") == "verdict": self.verdict = a.get("data-verdict")
        if tag == "h1": self.in_h1 = True
        if tag == "figure": self.figures += 1
        if tag == "svg" and a.get("data-chart"): self.svgs.append({"id": a.get("id"), "lines": 0, "points": 0})
        if tag == "path" and self.svgs:
            d = a.get("d") or ""
            self.svgs[-1]["lines"] += 1
            self.svgs[-1]["points"] += d.count("L") + d.count("M")
    def handle_endtag(self, tag):
        if tag == "h1": self.in_h1 = False
    def handle_data(self, data):
        if self.in_h1: self.h1 += data
d = Dom(); d.feed(open(sys.argv[2], encoding="utf-8").read())
assert d.ready == "1", "no data-ready sentinel: the page's script did not run"
want = "pass" if doc["verdict"]["passed"] else "fail"
assert d.verdict == want, (d.verdict, want)
assert d.h1.startswith("PASSED" if want == "pass" else "FAILED"), d.h1
system = doc.get("system") or {}
n = 5 + len(system.get("series", {})) + len((system.get("server") or {}).get("series", {}))
assert len(d.svgs) == d.figures == n, (len(d.svgs), d.figures, n)
for s in d.svgs:
    assert s["lines"] >= 1 and s["points"] >= 2, ("chart drawn empty", s)
print(f"{sys.argv[2]}: verdict {d.verdict}, {len(d.svgs)} charts drawn")
PY
        chrome "$tmp/$k.html" "$tmp/$k.shot" --screenshot="$tmp/$k.png" || fail "screenshot of $k.html"
        [[ $(stat -c %s "$tmp/$k.png") -gt 20000 ]] || fail "$k.png is blank or tiny"
        cp "$tmp/$k.png" "$artifacts/$k.png"
done

# The console check can fail: the same page with a script its CSP does not allow, and a script error.
sed 's|<script>(function|<script>undefinedFunction();(function|' "$tmp/fail.html" >"$tmp/bad.html"
chmod 0644 "$tmp/bad.html"
chrome "$tmp/bad.html" "$tmp/bad.dom" --dump-dom || true
grep -aq "CONSOLE.*Content Security Policy" "$tmp/bad.dom.log" || fail "a CSP violation did not reach the log: the console check is blind"
echo "ok: Chromium renders every report with its verdict and charts, nothing on the console; screenshots in $artifacts"
