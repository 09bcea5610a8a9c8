#!/usr/bin/env bash
# Input skytune does not control: documents on standard input or in files of any size (diff,
# recommend --profile, profile --from stop at 64 MiB and say so, rather than fill memory), and host
# files holding terminal escapes (get, set and apply --dry-run show them as \xNN, never raw).
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
F=$SRC/tests/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }

# Standard input that never ends: refused once past the cap (before the fix: read forever).
capped() { grep -q "$1.*larger than 64 MiB" "$T/err" || fail "$2: $(head -c 400 "$T/err")"; }
r=0; yes '' | timeout -s KILL 30 "$S" diff - "$F/profiles/idle.json" >/dev/null 2>"$T/err" || r=$?
[[ $r == 1 ]] || fail "diff of an endless standard input exited $r"
capped 'standard input: the document to compare' "diff -"
# (Blank lines: a reader without the cap spins rather than grows, so this test is safe to run on one.)
r=0; { echo '{"schema":"skytune.profile/1","x":'; yes ''; } | timeout -s KILL 30 "$S" recommend --profile - \
        >/dev/null 2>"$T/err" || r=$?
[[ $r == 1 ]] || fail "recommend --profile of an endless document exited $r"
capped 'standard input: the profile' "recommend --profile -"
# A regular file over the cap: refused from its size, before it is read.
truncate -s 65M "$T/big.json"
[[ $(rc $S diff "$T/big.json" "$F/profiles/idle.json") == 1 ]] && capped "$T/big.json" "diff BIG"
[[ $(rc $S profile --from "$T/big.json") == 1 ]] && capped "$T/big.json" "profile --from BIG"
# Below the cap, through a pipe: read as before.
[[ $(rc $S diff - "$F/profiles/idle.json" --detailed-exitcode <"$F/profiles/idle.json") == 0 ]] ||
        fail "diff of a profile on standard input: $(cat "$T/err")"

# A sysctl file holding an OSC title and a clear-screen sequence.
cp -a "$F/opt-host" "$T/host"
printf '60\033]0;pwned\a\033[2J\n' >"$T/host/proc/sys/vm/swappiness"
esc='60\\x1b]0;pwned\\x07\\x1b\[2J'
noraw() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/out" || fail "$1 printed a control byte: $(cat -v "$T/out")"; }
[[ $(rc $S get vm.swappiness --sysroot "$T/host") == 0 ]] && noraw "get" && grep -qx "vm.swappiness = $esc" "$T/out" ||
        fail "get of an escape: $(cat -v "$T/out")"
[[ $(rc $S get --all --sysroot "$T/host") == 0 ]] && noraw "get --all" && grep -qx "vm.swappiness = $esc" "$T/out" ||
        fail "get --all of an escape"
[[ $(rc $S get vm.swappiness --json --sysroot "$T/host") == 0 ]] &&
        jq -e '.tunables[0].value == "60\\x1b]0;pwned\\x07\\x1b[2J"' "$T/out" >/dev/null || fail "get --json: $(cat "$T/out")"
[[ $(rc $S set vm.swappiness=10 --dry-run --sysroot "$T/host") == 0 ]] && noraw "set --dry-run" &&
        grep -q "vm.swappiness: $esc -> 10" "$T/out" && grep -q "vm.swappiness  *$esc -> 10" "$T/out" ||
        fail "set --dry-run of an escape: $(cat -v "$T/out")"
[[ $(rc $S set vm.swappiness=10 --dry-run --json --sysroot "$T/host") == 0 ]] &&
        jq -e '.changes[0].current == "60\\x1b]0;pwned\\x07\\x1b[2J" and
               .dry_run.live[0].from == "60\\x1b]0;pwned\\x07\\x1b[2J"' "$T/out" >/dev/null ||
        fail "set --dry-run --json: $(cat "$T/out")"
echo "ok: capped documents (pipe, file), escapes in get, set and the dry run"
