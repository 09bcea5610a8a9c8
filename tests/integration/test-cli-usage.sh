#!/usr/bin/env bash
# The skytune command's contract with people and scripts: help for one verb, "did you mean" for a
# mistyped verb, usage errors (2) for what the http probe cannot use, a failure (1) for a probe where
# nothing succeeded, policy check refusing a mistyped metric path at its file:line with the nearest
# name, plan warning about what the profile lacks, JSON with a schema, NO_COLOR per no-color.org.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# rc CMD...: the exit code of CMD, its stderr in $tmp/err and stdout in $tmp/out.
rc() { local r=0; "$@" >"$tmp/out" 2>"$tmp/err" || r=$?; echo "$r"; }
fixture=$src/tests/fixtures/captured-vm

# help VERB is VERB --help; an unknown verb (also after help) is a usage error naming the nearest.
[[ $(rc "$skytune" help profile) == 0 ]] || fail "help profile: $(cat "$tmp/err")"
cmp -s "$tmp/out" <("$skytune" profile --help) || fail "help profile differs from profile --help"
[[ $(rc "$skytune" help proflie) == 2 ]] || fail "help proflie not a usage error"
grep -q "did you mean 'profile'" "$tmp/err" || fail "help proflie: $(cat "$tmp/err")"
[[ $(rc "$skytune" help nosuchverb) == 2 ]] || fail "help nosuchverb not a usage error"
[[ $(rc "$skytune" aply --yes) == 2 ]] || fail "aply not a usage error"
grep -q "did you mean 'apply'" "$tmp/err" || fail "aply: $(cat "$tmp/err")"
grep -q -- '--version' <("$skytune" --help) || fail "--version not in the top-level help"
grep -q -- '--seed' <("$skytune" probe --help) || fail "--seed not in probe --help"

# The http probe: a URL it cannot use and a header with a line break are usage errors, before any load.
for url in notaurl gopher://127.0.0.1/ file:///etc/passwd http://; do
        [[ $(rc "$skytune" probe --url "$url" --rounds 1 --duration 0.05) == 2 ]] || fail "--url $url: not 2"
        grep -q "Cannot allocate memory" "$tmp/err" && fail "--url $url: $(cat "$tmp/err")"
        [[ -s $tmp/out ]] && fail "--url $url printed a result"
done
grep -q "unsupported URL scheme 'file'.*http and https" <("$skytune" probe --url file:///x 2>&1) || fail "file:// message"
[[ $(rc "$skytune" probe --url http://127.0.0.1:1/ --header $'X: a\r\nY: b') == 2 ]] || fail "CR/LF header not 2"
grep -q "line break" "$tmp/err" || fail "CR/LF header: $(cat "$tmp/err")"

# Nothing listens on a port just released: every connection is refused, the run fails with a warning.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[[ $(rc "$skytune" probe --url "http://127.0.0.1:$port/" --rounds 1 --duration 0.1 --users 2 --json) == 1 ]] ||
        fail "a refused probe did not exit 1"
grep -q "connection attempts was refused" "$tmp/err" || fail "refused probe: $(cat "$tmp/err")"
jq -e '.probes[0].metrics.success_rate.median == 0' "$tmp/out" >/dev/null || fail "refused probe: no JSON result"

# policy check: a mistyped metric never fires, so it is an error at the line of the when.
printf 'name = "x";\ndescription = "d";\nrules = ( { id = "x"; kind = "sysctl"; key = "net.core.somaxconn";\n  value = ">=4096"; reason = "r"; effect = "e";\n  when = "network.tcp.listen_overflow_per_s.max > 0"; } );\n' >"$tmp/x.conf"
[[ $(rc "$skytune" policy check "$tmp/x.conf") == 1 ]] || fail "policy check of a typo: not 1"
grep -q "x.conf:5: .*'network.tcp.listen_overflow_per_s.max'.*did you mean 'network.tcp.listen_overflows_per_s.max'" \
        "$tmp/err" || fail "policy check typo message: $(cat "$tmp/err")"
[[ $(rc "$skytune" policy check --json "$tmp/x.conf") == 1 ]] || fail "policy check --json of a typo: not 1"
jq -e '.schema == "skytune.policy-check/1" and .ok == false and (.policies[0].error | test("did you mean"))' \
        "$tmp/out" >/dev/null || fail "policy check --json: $(cat "$tmp/out")"
for p in "$src"/policies/*.conf; do
        [[ $(rc "$skytune" policy check "$p") == 0 ]] || fail "shipped $p: $(cat "$tmp/err")"
done
# The finding table: the shipped one passes; a copy with a mistyped path fails at its file:line.
[[ $(rc "$skytune" policy check findings) == 0 && $(rc "$skytune" policy check --findings "$src/rules/findings.conf") == 0 ]] ||
        fail "shipped finding table: $(cat "$tmp/err")"
sed 's/memory.used_pct.avg >= 98/memory.usd_pct.avg >= 98/' "$src/rules/findings.conf" >"$tmp/f.conf"
[[ $(rc "$skytune" policy check --findings "$tmp/f.conf") == 1 ]] || fail "finding table typo: not 1"
grep -q "f.conf:[0-9]*: finding 'memory-used' reads 'memory.usd_pct.avg'.*did you mean 'memory.used_pct.avg'" \
        "$tmp/err" || fail "finding table typo message: $(cat "$tmp/err")"
[[ $(rc "$skytune" policy check --json balanced) == 0 ]] || fail "policy check --json balanced"
jq -e '.schema == "skytune.policy-check/1" and .ok and .policies[0].name == "balanced"' "$tmp/out" >/dev/null ||
        fail "policy check --json balanced: $(cat "$tmp/out")"
"$skytune" policy list --json | jq -e '.schema == "skytune.policy-list/1"' >/dev/null || fail "policy list --json schema"
"$skytune" policy show balanced --json | jq -e '.schema == "skytune.policy/1"' >/dev/null || fail "policy show --json schema"

# A libconfig syntax error is said once, at its line.
printf 'name = "x";\nrules = ( { id = "a"; } { id = "b"; } );\n' >"$tmp/syntax.conf"
[[ $(rc "$skytune" policy check "$tmp/syntax.conf") == 1 ]] || fail "syntax error: not 1"
grep -q "syntax.conf:2: syntax error (" "$tmp/err" || fail "syntax error message: $(cat "$tmp/err")"
grep -q "syntax error: syntax error" "$tmp/err" && fail "syntax error said twice: $(cat "$tmp/err")"

# policy keys: the allowlist, from the backends' own tables; a key outside it points there.
"$skytune" policy keys --json >"$tmp/keys.json"
jq -e '.schema == "skytune.policy-keys/1" and ([.kinds[].kind] | sort == ["cpu_epp","cpu_governor","io_scheduler",
        "nr_requests","read_ahead_kb","sysctl","ulimit"])' "$tmp/keys.json" >/dev/null || fail "policy keys --json kinds"
jq -e '.kinds[] | select(.kind == "sysctl") | .names[] | select(.name == "net.core.somaxconn") |
        .values == "an integer from 128 to 65535"' "$tmp/keys.json" >/dev/null || fail "policy keys: somaxconn range"
jq -e '[.kinds[] | select(.kind == "ulimit") | .resources[].name] == ["nofile","nproc","memlock","core","stack"]' \
        "$tmp/keys.json" >/dev/null || fail "policy keys: ulimit resources"
"$skytune" policy keys >"$tmp/keys.txt"
grep -q "^    net.core.somaxconn  *an integer from 128 to 65535" "$tmp/keys.txt" || fail "policy keys text"
sed 's/net.core.somaxconn/net.core.somaxconnn/; s/listen_overflow_per_s/listen_overflows_per_s/' "$tmp/x.conf" >"$tmp/k.conf"
[[ $(rc "$skytune" policy check "$tmp/k.conf") == 1 ]] || fail "a key outside the allowlist: not 1"
grep -q "k.conf:3: .*run 'skytune policy keys'" "$tmp/err" || fail "bad key message: $(cat "$tmp/err")"

# plan: a catalogued metric this profile lacks (no rates in a --duration 0 profile) is a warning.
sed 's/listen_overflow_per_s/listen_overflows_per_s/' "$tmp/x.conf" >"$tmp/y.conf"
"$skytune" profile --sysroot "$fixture" --duration 0 --out "$tmp/p0.json" >/dev/null
"$skytune" plan --policy "$tmp/y.conf" --profile "$tmp/p0.json" --sysroot "$fixture" --json >"$tmp/plan.json"
jq -e '.warnings | any(.rule == "x" and (.message | test("y.conf:5\\) reads .network.tcp.listen_overflows_per_s.max.")))' \
        "$tmp/plan.json" >/dev/null || fail "plan warning: $(jq -c .warnings "$tmp/plan.json")"

# plan --profile: say what is wrong with the file.
[[ $(rc "$skytune" plan --profile /nonexistent.json) == 1 ]] || fail "missing profile not 1"
grep -q -- "-1:" "$tmp/err" && fail "missing profile: $(cat "$tmp/err")"
grep -q "No such file" "$tmp/err" || fail "missing profile: $(cat "$tmp/err")"
[[ $(rc "$skytune" plan --profile "$tmp") == 1 ]] || fail "directory profile not 1"
grep -q "is a directory" "$tmp/err" || fail "directory profile: $(cat "$tmp/err")"
jq '.schema = "skytune.plan/1"' "$tmp/p0.json" >"$tmp/wrong.json"
[[ $(rc "$skytune" plan --profile "$tmp/wrong.json") == 1 ]] || fail "wrong schema not 1"
grep -q '"schema" is "skytune.plan/1"' "$tmp/err" || fail "wrong schema not quoted: $(cat "$tmp/err")"

# Colour on a terminal: an empty NO_COLOR keeps it (no-color.org), a non-empty one turns it off;
# TERM=dumb gets no erase-line sequence in the progress.
if command -v script >/dev/null; then
        run_tty() { script -qec "$1" /dev/null | tr -d '\r'; }
        run_tty "env NO_COLOR= TERM=xterm $skytune profile --sysroot $fixture --duration 0" >"$tmp/c1"
        grep -q $'\e\\[' "$tmp/c1" || fail "NO_COLOR= turned colour off"
        run_tty "env NO_COLOR=1 TERM=xterm $skytune profile --sysroot $fixture --duration 0" >"$tmp/c2"
        grep -q $'\e\\[' "$tmp/c2" && fail "NO_COLOR=1 kept colour"
        run_tty "env TERM=dumb $skytune profile --sysroot $fixture --duration 0.3 --interval 0.1" >"$tmp/c3"
        grep -q $'\e\\[K' "$tmp/c3" && fail "TERM=dumb got \\e[K"
        grep -q "sampling" "$tmp/c3" || fail "TERM=dumb: no progress shown"
fi
echo "ok"
