#!/usr/bin/env bash
# skytune bench export and import end to end: two real runs of a command suite and a baseline,
# exported in each format (structure checked by Python's json and csv readers), the skytune export
# imported into a fresh history and exported again gives the same bytes, a second import skips
# everything, a bad line and a lossy format import nothing (exit 2) and leave no new history behind
# and an existing one as it was, a missing file is exit 1.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }
suite=$SRC/tests/fixtures/bench/two-sleeps.conf

for i in 1 2; do
        SKYTUNE_TEST_SLEEP=0.01 $S bench run "$suite" --history "$T/h.db" >/dev/null 2>&1 || fail "run $i"
done
$S bench baseline set 1 --history "$T/h.db" >/dev/null 2>&1 || fail "baseline"

[[ $(rc $S bench export --history "$T/h.db" -o "$T/a.ndjson") == 0 ]] || fail "export: $(cat "$T/err")"
python3 - "$T/a.ndjson" <<'PY' || fail "skytune export: $(head -c 600 "$T/a.ndjson")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
runs = [l for l in lines if l["schema"] == "skytune.bench-run/1"]
bls = [l for l in lines if l["schema"] == "skytune.bench-baseline/1"]
assert len(runs) == 2 and len(bls) == 1 and lines[-1] is bls[0], lines
assert runs[0]["started_us"] < runs[1]["started_us"] and "id" not in runs[0]
assert bls[0]["run"] == {"started_us": runs[0]["started_us"], "suite_digest": runs[0]["suite_digest"]}
for r in runs:
    for b in r["benchmarks"]:
        for m in b["metrics"]:
            assert len(m["samples"]) == len(b["repetition_started_us"]) > 0 and "unit" in m, m
PY

[[ $(rc $S bench export --format asv --history "$T/h.db") == 0 ]] || fail "asv: $(cat "$T/err")"
python3 - "$T/out" <<'PY' || fail "asv export: $(head -c 600 "$T/out")"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 2
for d in docs:
    assert d["version"] == 2 and len(d["results"]) >= 2
    for name, row in d["results"].items():
        assert "." in name and len(row) == len(d["result_columns"]), row
        col = dict(zip(d["result_columns"], row))
        assert col["result"][0] > 0 and col["stats_repeat"][0] == len(col["samples"][0])
PY

[[ $(rc $S bench export --format otava --history "$T/h.db") == 0 ]] || fail "otava: $(cat "$T/err")"
python3 - "$T/out" <<'PY' || fail "otava export: $(cat "$T/out")"
import csv, sys, datetime
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0][0] == "time" and len(rows[0]) >= 3 and all("." in c for c in rows[0][1:]), rows[0]
assert len(rows) == 3 and all(len(r) == len(rows[0]) for r in rows)
for r in rows[1:]:
    datetime.datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S %z")
    assert all(float(v) > 0 for v in r[1:])
PY

[[ $(rc $S bench export --format bencher --history "$T/h.db") == 0 ]] || fail "bencher: $(cat "$T/err")"
cp "$T/out" "$T/bmf.json"
python3 - "$T/out" <<'PY' || fail "bencher export: $(cat "$T/out")"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 2
for d in docs:
    for bench, measures in d.items():
        for m in measures.values():
            assert m["lower_value"] <= m["value"] <= m["upper_value"], m
PY

# Round trip: into a fresh history and out again, byte for byte; a second import adds nothing.
[[ $(rc $S bench import "$T/a.ndjson" --history "$T/b.db") == 0 ]] && grep -q 'imported 2, skipped 0 (already there)' "$T/err" ||
        fail "import: $(cat "$T/err")"
[[ $(rc $S bench export --history "$T/b.db" -o "$T/b.ndjson") == 0 ]] && cmp -s "$T/a.ndjson" "$T/b.ndjson" ||
        fail "re-export differs: $(diff "$T/a.ndjson" "$T/b.ndjson" | head -c 800)"
[[ $(rc $S bench import "$T/a.ndjson" --history "$T/b.db") == 0 ]] && grep -q 'imported 0, skipped 2 (already there)' "$T/err" ||
        fail "second import: $(cat "$T/err")"
# The imported history compares like the original.
[[ $(rc $S bench compare --json --history "$T/b.db") =~ ^[045]$ ]] && jq -e '.schema == "skytune.bench-compare/1"' "$T/out" >/dev/null ||
        fail "compare on the imported history: $(cat "$T/err")"

# A bad second line: file:line named, nothing imported (exit 2).
sed -E '2s/"samples":\[[^],]*/"samples":["x"/' "$T/a.ndjson" >"$T/bad.ndjson"
[[ $(rc $S bench import "$T/bad.ndjson" --history "$T/c.db") == 2 ]] && grep -q "bad.ndjson:2: .*not a finite number or null" "$T/err" ||
        fail "bad line: $(cat "$T/err")"
[[ ! -e $T/c.db ]] || fail "a bad file left a new history behind: $(ls "$T")"
[[ $(rc $S bench import "$T/bmf.json" --history "$T/c.db") == 2 ]] && grep -q 'lossy' "$T/err" || fail "bencher import: $(cat "$T/err")"
# A bad file leaves an existing history as it was: not written, not moved aside when damaged.
cp "$T/b.db" "$T/b0.db"
[[ $(rc $S bench import "$T/bad.ndjson" --history "$T/b.db") == 2 ]] && cmp -s "$T/b.db" "$T/b0.db" ||
        fail "a bad file changed the history: $(cat "$T/err")"
echo junk >"$T/junk.db"
[[ $(rc $S bench import "$T/bad.ndjson" --history "$T/junk.db") == 2 && $(cat "$T/junk.db") == junk ]] &&
        [[ -z $(ls "$T" | grep 'junk\.db.') ]] || fail "a bad file moved the history aside: $(ls "$T"; cat "$T/err")"
# A baseline without its run and no history to hold it: refused before a history is made.
tail -n 1 "$T/a.ndjson" >"$T/bl.ndjson"
[[ $(rc $S bench import "$T/bl.ndjson" --history "$T/d.db") == 2 ]] && grep -q 'bl.ndjson:1: .*no history yet' "$T/err" &&
        [[ ! -e $T/d.db ]] || fail "baseline without its run: $(cat "$T/err")"
# Standard input is read twice too (copied to a temporary file).
[[ $(rc $S bench import - --history "$T/e.db" <"$T/a.ndjson") == 0 ]] && grep -q 'imported 2, skipped 0' "$T/err" ||
        fail "import from stdin: $(cat "$T/err")"
[[ $(rc $S bench import - --history "$T/f.db" <"$T/bad.ndjson") == 2 && ! -e $T/f.db ]] ||
        fail "bad stdin: $(cat "$T/err")"
# A FILE that cannot be read twice (a pipe): copied aside, then checked and imported.
[[ $(rc $S bench import <(cat "$T/a.ndjson") --history "$T/g.db") == 0 ]] && grep -q 'imported 2, skipped 0' "$T/err" ||
        fail "import from a pipe: $(cat "$T/err")"
[[ $(rc $S bench import "$T/none" --history "$T/c.db") == 1 ]] || fail "missing file: $(cat "$T/err")"
[[ $(rc $S bench export --format csv --history "$T/h.db") == 2 ]] && grep -q 'skytune|asv|otava|bencher' "$T/err" || fail "unknown format"
[[ $(rc $S bench export --history "$T/none.db") == 1 ]] || fail "missing history"
[[ $(rc $S bench export --history "$T/h.db" -o "$T/no/dir/x") == 1 ]] && grep -q "cannot write '$T/no/dir/x'" "$T/err" ||
        fail "-o into a missing directory: $(cat "$T/err")"
[[ -z $(ls "$T" | grep '\.tmp-') ]] || fail "a temporary file was left: $(ls "$T")"
echo ok
