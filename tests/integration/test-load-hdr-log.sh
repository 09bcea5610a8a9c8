#!/bin/bash
# --hdr-log against the injecting test server: skytune load and skytune stress write HdrHistogram's
# V2 interval log as the intervals come, one line per interval and step (Tag=total for the total),
# whose histograms are the document's "hdr" fields; tests/tools/hdr-tool decodes every line to the
# interval's count, and HdrHistogram's Java HistogramLogReader (when javac and Debian's
# libhdrhistogram-java are there) reads the same figures.
set -euo pipefail
build=$1 src=$2
source "$src/tests/integration/lib-testserver.sh"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
tool=$build/tests/hdr-tool
[[ -x $tool ]] || fail "$tool not built"
start_testserver hdr --delay-ms 5 --delay-spread-ms 3
url=http://127.0.0.1:$port/

"$skytune" load "$url" --rate 200 --duration 2 --interval 0.5 --no-system --hdr-log "$tmp/run.hlog" --json \
        >"$tmp/run.json" 2>"$tmp/run.err" || fail "load --hdr-log: exit $? ($(cat "$tmp/run.err"))"
head -4 "$tmp/run.hlog" >"$tmp/head.txt"
grep -qx '#\[Histogram log format version 1.3\]' "$tmp/head.txt" || fail "no format line: $(cat "$tmp/head.txt")"
grep -q '^#\[StartTime: [0-9.]* (seconds since epoch), ' "$tmp/head.txt" || fail "no #[StartTime]"
grep -q '^#\[BaseTime: ' "$tmp/head.txt" || fail "no #[BaseTime]"
grep -qx '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"' "$tmp/head.txt" ||
        fail "no CSV legend"
# Every record of the document is one line of the log, with the same histogram.
jq -r '.intervals[] | "Tag=\(.step // "total") \(.hdr)"' "$tmp/run.json" >"$tmp/doc-hdr.txt"
grep '^Tag=' "$tmp/run.hlog" | awk -F, '{ print $1, $5 }' >"$tmp/log-hdr.txt"
[[ $(wc -l <"$tmp/doc-hdr.txt") -ge 8 ]] || fail "only $(wc -l <"$tmp/doc-hdr.txt") interval records"
diff -u "$tmp/doc-hdr.txt" "$tmp/log-hdr.txt" || fail "the log's histograms are not the document's (diff above)"
# Decoded, each line counts the interval's answered requests.
"$tool" read "$tmp/run.hlog" >"$tmp/tool.txt" || fail "hdr-tool could not decode the log"
jq -r '.intervals[] | "\(.step // "total") \(.completed)"' "$tmp/run.json" >"$tmp/doc-count.txt"
awk '{ print $1, $3 }' "$tmp/tool.txt" | diff -u "$tmp/doc-count.txt" - || fail "decoded counts differ (diff above)"
sum=$(awk '$1 == "total" { n += $3 } END { print n }' "$tmp/tool.txt")
[[ $sum == $(jq .total.completed "$tmp/run.json") && $sum -ge 300 ]] || fail "the log holds $sum requests"

# HdrHistogram's own reader, when it is installed.
jar=/usr/share/java/hdrhistogram.jar
if command -v javac >/dev/null && command -v java >/dev/null && [[ -r $jar ]]; then
        javac -d "$tmp" -cp "$jar" "$src/tests/integration/hdr/HdrCheck.java" || fail "javac HdrCheck.java"
        java -cp "$jar:$tmp" HdrCheck read "$tmp/run.hlog" >"$tmp/java.txt" || fail "HistogramLogReader rejected the log"
        diff -u "$tmp/tool.txt" "$tmp/java.txt" || fail "Java read other figures from the log (diff above)"
        echo "HistogramLogReader: same figures"
else
        echo "no javac or $jar: the log is checked with hdr-tool only"
fi

# skytune stress shares the option.
# Exit 4 (the spike did not recover: a 40/s base's p99 is noisy on a busy machine) is the pattern's
# verdict, not the log's: the log is what is checked here.
rc=0
"$skytune" stress --pattern spike --rate 40 --factor 2 --before 4s --spike 1s --after 3s --no-system "$url" \
        --hdr-log "$tmp/stress.hlog" --json >"$tmp/stress.json" 2>"$tmp/stress.err" || rc=$?
[[ $rc -eq 0 || $rc -eq 4 ]] || fail "stress --hdr-log: exit $rc ($(tail -3 "$tmp/stress.err"))"
"$tool" read "$tmp/stress.hlog" >"$tmp/stress.txt" || fail "hdr-tool could not decode the stress log"
sum=$(awk '$1 == "total" { n += $3 } END { print n }' "$tmp/stress.txt")
[[ $sum == $(jq .total.completed "$tmp/stress.json") && $sum -gt 0 ]] || fail "the stress log holds $sum requests"
echo "ok: --hdr-log is HdrHistogram's interval log of the document's histograms"
