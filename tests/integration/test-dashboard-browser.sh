#!/usr/bin/env bash
# skytune dashboard --html in a real browser: Debian's headless Chromium loads each page from a file
# URL, offline, under the page's own CSP, against stores written by tests/tools/dashboard-fill and a
# real skytune-helper on a private bus (lib-helper-bus.sh) with one applied transaction:
# - every panel present and not empty, each series' figures in the DOM equal to what
#   `skytune monitor query --json` reads from the store (tests/integration/dashboard-dom.py), the
#   alert kept as resolved with its firing and resolved events, the transaction's marker on every
#   chart at its time with its verdict;
# - nothing on the console and no request at all (Chromium's net log; a page that fetches shows
#   there, and one with a script its CSP refuses shows on the console: neither check is blind);
# - screenshots in light and dark compared with tests/fixtures/dashboard/*.png by tests/tools/png-diff
#   (SKYTUNE_SCREENSHOT_UPDATE=1 writes them); they and the pages stay in BUILD/tests/dashboard/;
# - a figure: the 30 days at 1 hour page's size and Chromium's time to load it (A B A B against an
#   empty page, medians).
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
fill=$build/tests/dashboard-fill pngdiff=$build/tests/png-diff refs=$src/tests/fixtures/dashboard
skip() { echo "SKIP: $*" >&2; exit 77; }
source "$(dirname "$0")/lib-browser.sh"
browser_find
[[ -x $pngdiff ]] || skip "no $pngdiff (libpng-dev; scripts/install-deps.sh --test)"
command -v runuser >/dev/null || skip "no runuser: Chromium would need --no-sandbox as root"
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$build" "$src"
fail() { bus_fail "$*"; }
tmp=$BUS_TMP/dash artifacts=$build/tests/dashboard
mkdir -p "$tmp/home" "$artifacts"
chmod 0777 "$tmp" && chown nobody "$tmp/home"

# chrome PAGE OUT [FLAGS...]: Chromium as nobody, stdout in OUT, its log in OUT.log, its net log in OUT.net.
chrome() {
        local page=$1 out=$2
        shift 2
        runuser -u nobody -- env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu \
                --disable-extensions --user-data-dir="$tmp/home/profile" --window-size=1000,1400 \
                --enable-logging=stderr --v=0 --log-net-log="$out.net" "$@" "file://$page" >"$out" 2>"$out.log"
}
# No CONSOLE line in the log, and no URL in the net log.
quiet() {
        local out=$1
        if grep -a "CONSOLE" "$out.log"; then fail "$out: the page logged to the console (above)"; fi
        python3 - "$out.net" <<'PY' || fail "$out: the page made requests (above)"
import json, sys
urls = {e["params"][k] for e in json.load(open(sys.argv[1]))["events"] for k in ("url", "original_url")
        if k in e.get("params", {})}
assert not urls, sorted(urls)
PY
}
page() {
        local name=$1
        shift
        "$SKYTUNE" dashboard --html "$tmp/$name.html" "$@" 2>"$tmp/$name.err" || fail "dashboard $name: $(cat "$tmp/$name.err")"
        chmod 0644 "$tmp/$name.html"
        cp "$tmp/$name.html" "$artifacts/"
        chrome "$tmp/$name.html" "$tmp/$name.dom" --virtual-time-budget=3000 --dump-dom ||
                fail "Chromium failed on $name.html: $(tail -5 "$tmp/$name.dom.log")"
        quiet "$tmp/$name.dom"
}

# A: the last 3 hours, from a history that ends now, and the transaction applied now (1 min steps).
plan=$(make_plan <<<'sysctl vm.swappiness 10')
tx=$(hjson Apply st "$plan" 0 | jq -r .id)
[[ -n $tx && $tx != null ]] || fail "Apply gave no transaction"
created=$("$SKYTUNE" history --json | jq -r --arg id "$tx" '.transactions[] | select(.id == $id) | .created')
tx_ms=$(( $(date -u -d "$created" +%s%N) / 1000000 ))
now=$(date +%s)
"$fill" "$tmp/a.db" 2 1 t0=$(( (now / 60 * 60 - 7200) * 1000 )) || fail "dashboard-fill a.db"
until=$(date -u -d @$(( (now / 60 + 1) * 60 )) +%Y-%m-%dT%H:%M:%SZ)
page a --store "$tmp/a.db" --since 3h --until "$until"
python3 "$src/tests/integration/dashboard-dom.py" "$tmp/a.dom" "$SKYTUNE" "$tmp/a.db" 3h "$until" 1m \
        --tx "$tx" "$tx_ms" applied || fail "a.html: DOM checks (above)"

# B: a fixed hour without a database (the screenshots); C: 15 minutes of it at 1 s, both alert events in them.
"$fill" "$tmp/b.db" 1 1 nodb || fail "dashboard-fill b.db"
page b --store "$tmp/b.db" --since 1h --until 2026-12-04T01:00:00Z
python3 "$src/tests/integration/dashboard-dom.py" "$tmp/b.dom" "$SKYTUNE" "$tmp/b.db" 1h 2026-12-04T01:00:00Z 1m \
        --no-db || fail "b.html: DOM checks (above)"
grep -q 'No tuning transaction in this range' "$tmp/b.dom" || fail "b.html: no word on the transactions"
page c --store "$tmp/b.db" --since 15m --until 2026-12-04T00:33:00Z
python3 "$src/tests/integration/dashboard-dom.py" "$tmp/c.dom" "$SKYTUNE" "$tmp/b.db" 15m 2026-12-04T00:33:00Z 1s \
        --no-db || fail "c.html: DOM checks (above)"
grep -q 'data-from-ms="1796343480000" data-to-ms="1796344380000"' "$tmp/c.dom" || fail "c.html: not 00:18 to 00:33 UTC"
# Light and dark, each against its reference; the two themes differ (the dark one applied).
for theme in light dark; do
        scheme=$([[ $theme == dark ]] && echo 0 || echo 1)
        chrome "$tmp/b.html" "$tmp/$theme.shot" --virtual-time-budget=3000 --hide-scrollbars \
                --blink-settings=preferredColorScheme="$scheme" --screenshot="$tmp/$theme.png" || fail "screenshot $theme"
        cp "$tmp/$theme.png" "$artifacts/$theme.png"
        if [[ ${SKYTUNE_SCREENSHOT_UPDATE:-} == 1 ]]; then
                mkdir -p "$refs" && cp "$tmp/$theme.png" "$refs/$theme.png"
        fi
        "$pngdiff" "$refs/$theme.png" "$tmp/$theme.png" 0.03 || fail "$theme.png differs from $refs/$theme.png (kept in $artifacts)"
done
rc=0; "$pngdiff" "$tmp/light.png" "$tmp/dark.png" 0.30 >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "light and dark screenshots look alike: the dark theme did not apply (or png-diff is blind)"

# The checks can fail: a request shows in the net log, a refused script on the console.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>\n' >"$tmp/fetch.html"
sed 's|<script>(function|<script>undefinedFunction();(function|' "$tmp/b.html" >"$tmp/bad.html"
chmod 0644 "$tmp/fetch.html" "$tmp/bad.html"
chrome "$tmp/fetch.html" "$tmp/fetch.dom" --virtual-time-budget=3000 --dump-dom || true
grep -q '127.0.0.1:9' "$tmp/fetch.dom.net" || fail "a request did not reach the net log: the request check is blind"
chrome "$tmp/bad.html" "$tmp/bad.dom" --virtual-time-budget=3000 --dump-dom || true
grep -aq "CONSOLE.*Content Security Policy" "$tmp/bad.dom.log" || fail "a CSP violation did not reach the log: the console check is blind"

# D: 30 days at 1 hour (the rollups of a sample a minute), every panel drawn; its size and load time.
"$fill" "$tmp/d.db" 720 60 || fail "dashboard-fill d.db"
page d --store "$tmp/d.db" --since 30d --until 2027-01-03T00:00:00Z
python3 "$src/tests/integration/dashboard-dom.py" "$tmp/d.dom" "$SKYTUNE" "$tmp/d.db" 30d 2027-01-03T00:00:00Z 1h ||
        fail "d.html: DOM checks (above)"
printf '<!DOCTYPE html><html><body></body></html>\n' >"$tmp/empty.html" && chmod 0644 "$tmp/empty.html"
ms() { local t0 t1; t0=$(date +%s%N); chrome "$1" "$tmp/t.dom" --dump-dom; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
pages=() empties=()
for _ in 1 2 3; do pages+=("$(ms "$tmp/d.html")"); empties+=("$(ms "$tmp/empty.html")"); done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "figure: 30 d at 1 h: $(stat -c %s "$tmp/d.html") bytes; Chromium $(median "${pages[@]}") ms to load it against" \
        "$(median "${empties[@]}") ms for an empty page (medians of 3, A B A B): $(( $(median "${pages[@]}") - $(median "${empties[@]}") )) ms for the page" |
        tee "$artifacts/figures.txt"
echo "ok: every panel, value, alert and marker in Chromium, offline and quiet; screenshots in $artifacts"
