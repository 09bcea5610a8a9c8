#!/usr/bin/env bash
# The HdrHistogram V2 interval log of common/hdr-codec against HdrHistogram's own Java library
# (Debian's libhdrhistogram-java): its HistogramLogReader reads skytune's log and reports the same
# counts and percentiles skytune does; a log its HistogramLogWriter wrote, skytune decodes to the
# figures the Java side printed.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

jar=/usr/share/java/hdrhistogram.jar
command -v javac >/dev/null && command -v java >/dev/null || skip "no javac/java (Debian default-jdk-headless)"
[[ -r $jar ]] || skip "no $jar (Debian libhdrhistogram-java; scripts/install-deps.sh --test)"
tool=$build/tests/hdr-tool
[[ -x $tool ]] || fail "$tool not built"

javac -d "$tmp" -cp "$jar" "$src/tests/integration/hdr/HdrCheck.java" || fail "javac HdrCheck.java"
java_run() { java -cp "$jar:$tmp" HdrCheck "$@"; }

"$tool" write "$tmp/skytune.hlog" >"$tmp/skytune.txt" || fail "hdr-tool write"
java_run read "$tmp/skytune.hlog" >"$tmp/java-read.txt" || fail "HistogramLogReader rejected skytune's log"
[[ $(wc -l <"$tmp/skytune.txt") -eq 6 ]] || fail "hdr-tool wrote $(wc -l <"$tmp/skytune.txt") intervals, want 6"
diff -u "$tmp/skytune.txt" "$tmp/java-read.txt" || fail "Java read other figures from skytune's log (diff above)"

java_run write "$tmp/java.hlog" >"$tmp/java.txt" || fail "HistogramLogWriter"
"$tool" read "$tmp/java.hlog" >"$tmp/skytune-read.txt" || fail "skytune could not decode Java's log"
[[ $(wc -l <"$tmp/java.txt") -eq 6 ]] || fail "the Java writer printed $(wc -l <"$tmp/java.txt") intervals, want 6"
diff -u "$tmp/java.txt" "$tmp/skytune-read.txt" || fail "skytune read other figures from Java's log (diff above)"
echo "ok: HdrHistogram's Java library and skytune read each other's V2 interval logs alike"
