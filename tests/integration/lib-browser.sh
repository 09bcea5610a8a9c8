# shellcheck shell=bash
# Debian's headless Chromium for the browser tests (test-load-report-browser.sh,
# test-dashboard-browser.sh): browser_find sets $browser, or skips the test (exit 77) without one.
browser_find() {
        browser=
        local b
        for b in chromium-headless-shell chromium; do
                command -v "$b" >/dev/null && { browser=$(command -v "$b"); return 0; }
        done
        echo "SKIP: no headless Chromium (Debian chromium-headless-shell; scripts/install-deps.sh --test)" >&2
        exit 77
}
