#!/usr/bin/env bash
# skytune-monitor's /dashboard in headless Chromium, against the daemon on a copy of a fixture
# sysroot with an alert rule that fires on its memory:
# - every panel there; a panel the host has drawn, one it lacks saying so; the page live (its script
#   polled /api/v1/current: data-live holds the tick, the ticks are appended to the chart's lines)
#   and each value in its tables that the tick has equal to /api/v1/current's; left open past the
#   chart's end, the axes slid by the script (dashboard-slide.js over the DevTools protocol);
# - the alert shown firing, then (the fixture's memory freed) resolved, with both events;
# - nothing on the console, and no request but to the daemon (Chromium's net log);
# - with api_token_file, the page opened with ?token= passes it to its polls and range links;
# - /dashboard?range= refuses a range it does not offer (400), and `skytune dashboard` prints the
#   address and says when nothing answers there.
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/lib-browser.sh"
browser_find
command -v curl >/dev/null || { echo "SKIP: curl missing (scripts/install-deps.sh --test)"; exit 77; }
[[ $(id -u) -ne 0 ]] || command -v runuser >/dev/null || { echo "SKIP: root without runuser"; exit 77; }
tmp=$(mktemp -d)
pids=()
slide=
cleanup() {
        local p
        for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
        [[ -z $slide ]] || kill -9 -- -"$slide" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT
chmod 0777 "$tmp"
mkdir -p "$tmp/home" "$tmp/root" "$tmp/alerts"
run=()
if [[ $(id -u) -eq 0 ]]; then run=(runuser -u nobody --); chown nobody "$tmp/home"; fi
cp -a "$src/tests/fixtures/captured-vm/." "$tmp/root/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
printf 'flush = "1s";\nlisten = "127.0.0.1:%s";\n' "$port" >"$tmp/m.conf"
printf 'rules = ( { name = "MemoryUsed"; expr = "memory.used_pct"; warn = 1; crit = 99; } );\n' >"$tmp/alerts/m.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus "$mon" --config "$tmp/m.conf" --sysroot "$tmp/root" \
        --store "$tmp/m.db" --interval 0.2 --alerts "$tmp/alerts" 2>"$tmp/m.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "$url/api/v1/health" >/dev/null && break; sleep 0.1; done
sleep 2

"$sky" dashboard --config "$tmp/m.conf" --range 5m >"$tmp/url" || fail "skytune dashboard: $(cat "$tmp/url")"
[[ $(cat "$tmp/url") == "$url/dashboard?range=5m" ]] || fail "skytune dashboard printed $(cat "$tmp/url")"
code=$(curl -s -o "$tmp/bad" -w '%{http_code}' "$url/dashboard?range=3m")
[[ $code == 400 ]] && grep -q '"argument":"range"' "$tmp/bad" || fail "range=3m: $code $(cat "$tmp/bad")"

# dom NAME: the page's DOM after its script ran (and polled) in up to 4 s of virtual time.
dom() {
        "${run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu --disable-extensions \
                --user-data-dir="$tmp/home/profile" --window-size=1000,1400 --virtual-time-budget=4000 \
                --enable-logging=stderr --v=0 --log-net-log="$tmp/$1.net" --dump-dom "$url/dashboard?range=5m" \
                >"$tmp/$1.dom" 2>"$tmp/$1.log" || fail "Chromium on /dashboard: $(tail -5 "$tmp/$1.log")"
        if grep -a CONSOLE "$tmp/$1.log"; then fail "$1: the page logged to the console (above)"; fi
        curl -sf "$url/api/v1/current" >"$tmp/$1.current" || fail "/api/v1/current"
        python3 - "$tmp/$1.dom" "$tmp/$1.net" "$tmp/$1.current" "$url" "$2" <<'PY' || fail "$1: DOM checks (above)"
import json, re, sys
from html.parser import HTMLParser
dom, net, cur, url, state = sys.argv[1:6]
class D(HTMLParser):
    def __init__(self):
        super().__init__(); self.html = {}; self.sections = {}; self.sec = None; self.rows = {}; self.row = None
        self.alerts = {}; self.events = []; self.missing = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html": self.html = a
        if tag == "section": self.sec = self.sections.setdefault(a.get("id"), {"charts": 0, "missing": ""})
        if tag == "svg" and a.get("data-chart"): self.sec["charts"] += 1
        if tag == "p" and a.get("class") == "missing": self.missing = True
        if tag == "tr" and "data-series" in a: self.row = self.rows.setdefault(a["data-series"], [])
        if tag == "tr" and "data-alert" in a: self.alerts[a["data-alert"]] = a["data-state"]
        if tag == "tr" and "data-event" in a: self.events.append(a["data-event"])
        if tag == "td" and self.row is not None: self.row.append(a.get("data-value"))
    def handle_endtag(self, tag):
        if tag == "tr": self.row = None
        if tag == "p": self.missing = False
    def handle_data(self, data):
        if self.missing and self.sec is not None: self.sec["missing"] += data
d = D(); d.feed(open(dom, encoding="utf-8").read())
assert d.html.get("data-ready") == "1", "the page's script did not run"
assert re.fullmatch(r"\d+", d.html.get("data-live", "")), ("the page did not poll /api/v1/current", d.html.get("data-live"))
panels = ["cpu", "cpu-per-cpu", "memory", "psi", "disk-latency", "disk-util", "net-throughput", "net-drops",
          "app-rate", "app-errors", "app-latency", "db"]
for p in panels:
    s = d.sections.get("panel-" + p)
    assert s is not None and (s["charts"] or s["missing"].strip()), (p, s)
assert d.sections["panel-memory"]["charts"] == 1, d.sections["panel-memory"]
# The script appended the polled ticks to the line (at 5 min a step is 2.5 pixel columns, one point
# each, so the served line has one point per step): each appended point inside the plot, to the
# right of the one before (a tick is drawn once), the last one where the data-* scale puts the value
# the script wrote in the table, within a pixel.
html = open(dom, encoding="utf-8").read()
svg = re.search(r'<svg id="chart-memory"([^>]*)>(.*?)</svg>', html, re.S)
att = dict(re.findall(r'(data-[a-z0-9]+)="([^"]*)"', svg.group(1)))
vb = [float(x) for x in re.search(r'viewBox="([^"]*)"', svg.group(1)).group(1).split()]
line = re.search(r'<path class="line l0"[^>]* d="([^"]*)"', svg.group(2)).group(1)
xy = [(float(x), float(y)) for x, y in re.findall(r'[ML]([-\d.]+)[ ,]([-\d.]+)', line)]
data = json.loads(re.search(r'<script type="application/json" id="skytune-data">(.*?)</script>', html, re.S).group(1))
served = len(next(x["points"] for x in data["series"] if x["name"] == "memory.available_bytes"))
added = xy[served:]
assert added, ("no tick appended to the memory chart's line", len(xy), served)
for (xa, _), (xb, _) in zip(xy[served - 1:], added):
    assert xb > xa, ("a tick drawn again or out of order", xy[served - 1:])
for x, y in added:
    assert vb[0] <= x <= vb[0] + vb[2] and vb[1] <= y <= vb[1] + vb[3], ("appended point outside the chart", x, y, vb)
    assert float(att["data-top"]) <= y <= float(att["data-top"]) + float(att["data-height"]), ("outside the plot", y, att)
v = float(d.rows["memory.available_bytes"][1])
y0, y1, top, height = (float(att[k]) for k in ("data-y0", "data-y1", "data-top", "data-height"))
want = top + height - min(max((v - y0) / (y1 - y0), 0), 1) * height
assert abs(added[-1][1] - want) <= 1, ("the last appended point is not at the table's value", added[-1], want, v, att)
assert int(d.html["data-live"]) > max(p[0] for s in data["series"] for p in s["points"]), "no tick newer than the page"
drawn = len(xy)
assert f'served by <span id="served-on">{url}</span>' in html, "the page does not say the address it is served on"
values = json.load(open(cur))["values"]
same = 0
for name, cells in d.rows.items():
    if name in values:
        got = float(cells[1])
        assert abs(got - values[name]) <= 1e-9 * max(1, abs(got)), (name, got, values[name])
        same += 1
assert same >= 2, ("too few live values to compare", d.rows.keys(), sorted(values)[:10])
assert d.alerts.get("MemoryUsed") == state, ("alert", d.alerts, state)
if state == "resolved":
    assert "firing" in d.events and "resolved" in d.events, d.events
urls = {e["params"][k] for e in json.load(open(net))["events"] for k in ("url", "original_url") if k in e.get("params", {})}
assert urls and all(u.startswith(url + "/") for u in urls), sorted(urls)
print(f"{dom}: {len(panels)} panels, {same} live values equal to /api/v1/current, {drawn - served} ticks appended, alert {state}, requests {sorted(urls)}")
PY
}
dom firing firing
# The fixture's memory all available: memory.used_pct 0, the alert resolves.
# Rewritten in place: the daemon keeps the file open and reads it again each tick.
sed "s/^MemAvailable: .*/MemAvailable:   $(awk '/^MemTotal/ {print $2}' "$tmp/root/proc/meminfo") kB/" \
        "$tmp/root/proc/meminfo" >"$tmp/meminfo"
cat "$tmp/meminfo" >"$tmp/root/proc/meminfo"
for _ in $(seq 50); do
        curl -sf "$url/api/v1/alerts" | grep -q MemoryUsed || break
        sleep 0.2
done
sleep 0.5
dom resolved resolved
# Left open in real time past the chart's end (25 s of room at 5 min): the script slides the axes.
if node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
        dport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        # A session of its own, so that its whole process group is stopped (the wrapper's children too).
        setsid "${run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu \
                --disable-extensions --user-data-dir="$tmp/home/slide" --window-size=1000,1400 \
                --remote-debugging-port="$dport" about:blank >/dev/null 2>"$tmp/slide.log" &
        slide=$!
        for _ in $(seq 100); do curl -sf "http://127.0.0.1:$dport/json/list" >/dev/null && break; sleep 0.1; done
        node --experimental-websocket "$src/tests/integration/dashboard-slide.js" "$dport" "$url/dashboard?range=5m" 60 ||
                fail "the live page's slide (above)"
        kill -- -"$slide" 2>/dev/null || true
        slide=
else
        echo "SKIP part: the slide needs node with WebSocket (nodejs 20.10 or later)"
fi
# With api_token_file (any address; here loopback): /dashboard without the token is 401, and a page
# opened with ?token= passes it on to its polls and its range links.
(umask 077; echo "t0ken-$RANDOM" >"$tmp/token")
token=$(cat "$tmp/token")
tport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listen = "127.0.0.1:%s";\napi_token_file = "token";\n' "$tport" >"$tmp/t.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus "$mon" --config "$tmp/t.conf" --sysroot "$tmp/root" \
        --store "$tmp/t.db" --interval 0.2 --alerts "$tmp/alerts" 2>"$tmp/t.log" &
pids+=($!)
turl=http://127.0.0.1:$tport
for _ in $(seq 100); do curl -sf "$turl/api/v1/health?token=$token" >/dev/null && break; sleep 0.1; done
sleep 1
code=$(curl -s -o /dev/null -w '%{http_code}' "$turl/dashboard?range=5m")
[[ $code == 401 ]] || fail "/dashboard without the token: $code"
"${run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu --disable-extensions \
        --user-data-dir="$tmp/home/profile" --window-size=1000,1400 --virtual-time-budget=3000 \
        --log-net-log="$tmp/t.net" --dump-dom "$turl/dashboard?range=5m&token=$token" >"$tmp/t.dom" 2>"$tmp/t.clog" ||
        fail "Chromium on /dashboard with a token: $(tail -5 "$tmp/t.clog")"
python3 - "$tmp/t.dom" "$tmp/t.net" "$turl" "$token" <<'PY' || fail "the page with a token (above)"
import json, re, sys
dom, net, url, token = sys.argv[1:5]
html = open(dom, encoding="utf-8").read()
live = re.search(r'<html[^>]* data-live="([^"]*)"', html)
assert live and live.group(1).isdigit(), ("the page's polls did not pass the token", live and live.group(1))
links = [l.replace("&amp;", "&") for l in re.findall(r'<a href="([^"]*/dashboard\?range=[^"]*)"', html)]
assert links and all(("token=" + token) in l for l in links), links
urls = {e["params"][k] for e in json.load(open(net))["events"] for k in ("url", "original_url") if k in e.get("params", {})}
polls = [u for u in urls if "/api/v1/current" in u]
assert polls and all(("token=" + token) in u for u in polls), sorted(urls)
print(f"with a token: polls {sorted(polls)}, {len(links)} range links carry it")
PY
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
rc=0; "$sky" dashboard --config "$tmp/m.conf" >/dev/null 2>"$tmp/none" || rc=$?
[[ $rc == 1 ]] && grep -q 'nothing answers' "$tmp/none" || fail "skytune dashboard with no daemon (rc $rc): $(cat "$tmp/none")"
echo "ok: /dashboard live in Chromium: panels, live values, an alert firing then resolved, requests to the daemon only"
