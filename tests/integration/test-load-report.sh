#!/usr/bin/env bash
# skytune report over the skytune.load/1 fixtures (tests/fixtures/load, docs/load.md):
# - JUnit XML: well-formed (xmllint, else python3's parser), one test case per threshold, a failure
#   for each failed one naming observed and wanted values, the run's properties;
# - HTML: one offline file (no URL it could fetch, a CSP of default-src 'none' whose hashes are those
#   of the page's only style and script), the verdict and the tables in the markup, the embedded
#   data the document's, text from the document escaped; a 1-hour run at 1 s under 3 MB;
# - usage and input errors: exit 2 and 1, with the file named, and no output file left.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
fx=$src/tests/fixtures/load
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || fail "python3 missing"

for k in pass fail spike; do
        "$skytune" report "$fx/$k.json" --html "$tmp/$k.html" --junit "$tmp/$k.xml" || fail "report $k exited $?"
        if command -v xmllint >/dev/null; then
                xmllint --noout "$tmp/$k.xml" || fail "$k.xml is not well-formed XML"
        fi
done

# JUnit structure against the document, by python3's XML parser.
python3 - "$fx" "$tmp" <<'PY' || fail "JUnit XML does not match the documents (above)"
import json, sys, xml.etree.ElementTree as ET
fx, tmp = sys.argv[1:]
for k in ("pass", "fail", "spike"):
    doc = json.load(open(f"{fx}/{k}.json"))
    root = ET.parse(f"{tmp}/{k}.xml").getroot()
    assert root.tag == "testsuites", root.tag
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    ths = doc["thresholds"]
    assert len(cases) == len(ths), (k, len(cases), len(ths))
    failed = [t for t in ths if not t["passed"]]
    assert int(suite.get("failures")) == len(failed) == int(root.get("failures")), k
    assert int(suite.get("tests")) == len(ths), k
    for t, c in zip(ths, cases):
        assert c.get("name") == t["text"], (c.get("name"), t["text"])
        assert c.get("classname").endswith("." + (t["step"] or "total")), c.get("classname")
        f = c.find("failure")
        assert (f is None) == t["passed"], (k, t["text"])
        if f is not None:
            assert " was " in f.get("message") and "wanted " + t["op"] in f.get("message"), f.get("message")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["verdict"] == doc["verdict"]["reason"], props["verdict"]
    assert props["total.latency_us.p99"] == str(doc["total"]["latency_us"]["p99"]), props
    assert props["host.kernel"] == doc["host"]["kernel"]
msg = ET.parse(f"{tmp}/fail.xml").getroot().find("testsuite").find("testcase").find("failure").get("message")
assert msg.startswith("p99 was 226.2 ms, wanted < 200.0 ms; failed at 16 s"), msg
PY

# The HTML page: offline, hashed, the verdict and tables without JavaScript, the data embedded.
python3 - "$fx" "$tmp" <<'PY' || fail "HTML report check failed (above)"
import base64, hashlib, json, re, sys
fx, tmp = sys.argv[1:]
for k in ("pass", "fail", "spike"):
    doc = json.load(open(f"{fx}/{k}.json"))
    page = open(f"{tmp}/{k}.html", encoding="utf-8").read()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1)
    assert csp.startswith("default-src 'none';") and "unsafe" not in csp, csp
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(styles) == 1 and len(scripts) == 1, (len(styles), len(scripts))
    h = lambda s: "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
    assert "style-src " + h(styles[0]) in csp and "script-src " + h(scripts[0]) in csp, "hashes do not match"
    # Nothing to fetch: no src, no href but in-page anchors, no url(), no @import, no style="".
    assert not re.search(r"\ssrc=", page), "a src attribute"
    assert not re.search(r'\shref="(?!#)', page), "a link off the page"
    assert "url(" not in page and "@import" not in page and " style=" not in page, "an external or inline style"
    verdict = re.search(r'<header id="verdict" class="(\w+)" data-verdict="\w+">\s*<h1>(\w+):', page)
    want = "pass" if doc["verdict"]["passed"] else "fail"
    assert verdict and verdict.group(1) == want and verdict.group(2) == ("PASSED" if want == "pass" else "FAILED"), k
    assert doc["verdict"]["reason"].replace("<", "&lt;") in page, "the reason"
    for t in doc["thresholds"]:
        assert t["text"].replace("<", "&lt;").replace(">", "&gt;") in page, t["text"]
    for sec in ("load", "throughput", "errors", "latency", "distribution", "system", "markers", "findings", "configuration"):
        assert f'<section id="{sec}">' in page, sec
    n_svg = len(re.findall(r"<svg ", page))
    assert n_svg >= 5 + (len(doc["system"]["series"]) + len(doc["system"]["server"]["series"]) if doc["system"] else 0), n_svg
    data = json.loads(re.search(r'<script type="application/json" id="skytune-data">(.*?)</script>', page, re.S).group(1))
    assert data["schema"] == "skytune.load/1" and "intervals" not in data
    assert data["thresholds"] == doc["thresholds"] and data["total"]["hdr"] == doc["total"]["hdr"]
    total = [i for i in doc["intervals"] if i["step"] is None]
    assert data["series"]["p99"] == [i["latency_us"]["p99"] for i in total], "the p99 series"
    assert len(data["series"]["t_s"]) == len(total)
    for m in doc["markers"]:
        assert m["text"].replace("<", "&lt;") in page, m["text"]
page = open(f"{tmp}/fail.html", encoding="utf-8").read()
assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "finding text not escaped"
assert "net.core.somaxconn" in page and "4096" in page, "the proposed change"
assert "api &lt;items&gt; &amp; &quot;more&quot;" in page, "endpoint name not escaped"
assert "&lt;secret from env TOKEN&gt;" in page
PY

# A 1-hour run at 1 s intervals: under 3 MB.
python3 "$fx/gen-load-doc.py" hour "$tmp/hour.json"
"$skytune" report "$tmp/hour.json" --html "$tmp/hour.html" || fail "report of the 1-hour run"
size=$(stat -c %s "$tmp/hour.html")
[[ $size -lt 3000000 ]] || fail "the 1-hour report is $size bytes, over 3 MB"
echo "1-hour run at 1 s: $size bytes of HTML (document $(stat -c %s "$tmp/hour.json") bytes)"

# An interrupted run and a client-bound one: the verdict says so, JUnit adds an invalid-run error.
for kind in interrupted client_bound; do
        python3 - "$fx/pass.json" "$tmp/$kind.json" "$kind" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
if sys.argv[3] == "interrupted":
    doc["interrupted"] = True; doc["verdict"]["exit"] = 130
else:
    doc["client"]["client_bound"] = True; doc["verdict"] = {"passed": False, "exit": 5, "reason": "client-bound"}
json.dump(doc, open(sys.argv[2], "w"))
PY
        "$skytune" report "$tmp/$kind.json" --html "$tmp/$kind.html" --junit "$tmp/$kind.xml" || fail "report $kind"
        grep -q '<header id="verdict" class="invalid" data-verdict="invalid">' "$tmp/$kind.html" || fail "$kind: verdict not invalid"
        word=INVALID; [[ $kind == interrupted ]] && word=INTERRUPTED
        grep -q "<h1>$word: pass" "$tmp/$kind.html" || fail "$kind: no $word in the verdict"
        grep -q '<testcase classname="skytune.load.pass.run" name="valid run"' "$tmp/$kind.xml" &&
                grep -q '<testsuite name="skytune.load.pass" tests="3" failures="0" errors="1"' "$tmp/$kind.xml" ||
                fail "$kind: JUnit has no invalid-run error: $(cat "$tmp/$kind.xml")"
done

# Errors: usage 2, bad input 1 with the file named, nothing written.
rc=0; "$skytune" report "$fx/pass.json" 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q -- "--html" "$tmp/err" || fail "no output option: exit $rc, $(cat "$tmp/err")"
rc=0; "$skytune" report --html "$tmp/x.html" 2>"$tmp/err" || rc=$?
[[ $rc -eq 2 ]] || fail "no FILE: exit $rc"
rc=0; "$skytune" report "$tmp/absent.json" --html "$tmp/x.html" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "absent.json" "$tmp/err" || fail "absent file: exit $rc, $(cat "$tmp/err")"
echo '{"schema": "skytune.profile/1"}' >"$tmp/profile.json"
rc=0; "$skytune" report "$tmp/profile.json" --html "$tmp/x.html" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "profile.json.*skytune.load/1" "$tmp/err" || fail "other schema: exit $rc, $(cat "$tmp/err")"
printf '{"schema": "skytune.load/1",\n "total": }\n' >"$tmp/broken.json"
rc=0; "$skytune" report "$tmp/broken.json" --html "$tmp/x.html" 2>"$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "broken.json:2" "$tmp/err" || fail "broken JSON: exit $rc, $(cat "$tmp/err")"
[[ ! -e $tmp/x.html ]] || fail "an output was written for bad input"
# A document with every member of the wrong type still renders (shown as missing).
echo '{"schema": "skytune.load/1", "verdict": 3, "total": [], "steps": {}, "intervals": [1, {"step": 2}],
       "thresholds": [7, {"passed": "no"}], "markers": "x", "system": {"series": {"a": 1}}, "findings": [{}]}' >"$tmp/odd.json"
"$skytune" report "$tmp/odd.json" --html "$tmp/odd.html" --junit "$tmp/odd.xml" || fail "a document of odd types: exit $?"
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/odd.xml" || fail "odd.xml not XML"
# Values at the ends of the double range, times that are not numbers, a span without end: the
# charts' scales and ticks stay bounded.
cat >"$tmp/huge.json" <<'JSON'
{"schema": "skytune.load/1", "markers": [{"t_s": 1e300}],
 "intervals": [{"step": null, "start_s": 0, "end_s": 1, "latency_us": {"p50": 1e308, "p99": -1e308}, "planned": 1e308,
                "sent": -1.7e308}, {"step": null, "start_s": 1e300, "end_s": 1e301, "planned": -1e308}, {"step": null, "start_s": "x"}],
 "system": {"t_s": [0, 1e308], "series": {"a_pct": [1e308, -1e308]}}}
JSON
timeout 20 "$skytune" report "$tmp/huge.json" --html "$tmp/huge.html" || fail "a document of extreme values: exit $?"
echo "ok: skytune report writes JUnit XML and an offline, hashed HTML report from saved runs"
