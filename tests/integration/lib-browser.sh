# shellcheck shell=bash
# Debian's headless Chromium for the browser tests (test-load-report-browser.sh,
# test-dashboard-browser.sh, the db reports): browser_find sets $browser, or skips the test (exit 77) without one.
browser_find() {
        browser=
        local b
        for b in chromium-headless-shell chromium; do
                command -v "$b" >/dev/null && { browser=$(command -v "$b"); return 0; }
        done
        echo "SKIP: no headless Chromium (Debian chromium-headless-shell; scripts/install-deps.sh --test)" >&2
        exit 77
}

# browser_dump_dom PAGE OUT: the DOM of a local file after its scripts ran, into OUT, Chromium's log
# into OUT.log, failing on a console message. Chromium refuses to run as root without --no-sandbox,
# so under root the page is opened as nobody (the prefix is left in $browser_run); $tmp is the test's
# scratch directory.
browser_dump_dom() {
        local page=$1 out=$2
        browser_run=()
        mkdir -p "$tmp/home"
        if [[ $(id -u) -eq 0 ]]; then
                browser_run=(runuser -u nobody --)
                chown nobody "$tmp/home"
                chmod 0777 "$tmp"
        fi
        chmod 0644 "$page"
        "${browser_run[@]}" env HOME="$tmp/home" "$browser" --headless --no-first-run --disable-gpu --disable-extensions \
                --user-data-dir="$tmp/home/profile" --window-size=1000,2400 --virtual-time-budget=3000 \
                --enable-logging=stderr --v=0 --dump-dom "file://$page" >"$out" 2>"$out.log" ||
                fail "Chromium failed on $page: $(tail -5 "$out.log")"
        ! grep -a CONSOLE "$out.log" || fail "$page logged to the console (above)"
}
