#!/usr/bin/env bash
# Golden files of the human output. For every tests/golden/NAME.cmd (one shell command line), run it
# with $S = the skytune binary, $F = tests/fixtures, in a fresh temporary directory, with
# NO_COLOR=1 COLUMNS=80 TZ=UTC LC_ALL=C and no other environment but PATH, HOME (the temporary
# directory) and the sanitizers' options; its stdout, then a last line "# rc=N", must equal
# tests/golden/NAME.out, and no line of it may be wider than 80 columns.
# $F is a copy of tests/fixtures, $X of the shipped scenarios/ and SKYTUNE_POLICY_PATH a copy of
# policies/, made once per run
# under /tmp/skytune-golden.XXXXXX (a path of fixed length, so text wrapped around it wraps alike
# everywhere); in the output their paths are written as the literal text $F, $X and $P, the binary's
# as $S and the case's directory as $PWD, so the files do not depend on where the tree is. The system bus is a socket that does not exist
# (DBUS_SYSTEM_BUS_ADDRESS), so no case reaches a real helper. stderr is not compared (send it to
# stdout with 2>&1 in the .cmd to check a message); it is shown when a case fails.
#
# Usage: tests/golden/run-golden.sh BUILD SRC [NAME...]     (NAME: only these cases)
#        SKYTUNE_GOLDEN_UPDATE=1 tests/golden/run-golden.sh BUILD SRC   rewrites the .out files
set -uo pipefail
[[ $# -ge 2 ]] || { echo "usage: run-golden.sh BUILD SRC [NAME...]" >&2; exit 2; }
build=$(cd "$1" && pwd) && src=$(cd "$2" && pwd) || exit 2
shift 2
S=$build/cli/skytune
golden=$src/tests/golden
[[ -x $S ]] || { echo "run-golden: $S is not built (cmake --build $build)" >&2; exit 1; }
base=$(mktemp -d /tmp/skytune-golden.XXXXXX) || exit 1
trap 'rm -rf "$base"' EXIT
F=$base/fixtures P=$base/policies X=$base/scenarios A=$base/alerts
cp -r "$src/tests/fixtures" "$F" && cp -r "$src/policies" "$P" && cp -r "$src/scenarios" "$X" && cp -r "$src/alerts" "$A" || exit 1
width_locale=C
locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && width_locale=C.UTF-8

failed=0 ran=0
for cmd in "$golden"/*.cmd; do
        name=$(basename "$cmd" .cmd)
        if [[ $# -gt 0 ]] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
                continue
        fi
        ran=$((ran + 1))
        tmp=$(mktemp -d "$base/case.XXXXXX")
        (cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" NO_COLOR=1 COLUMNS=80 TZ=UTC LC_ALL=C S="$S" F="$F" X="$X" A="$A" SKYTUNE_POLICY_PATH="$P" \
                DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/skytune-golden-bus \
                ${ASAN_OPTIONS+ASAN_OPTIONS="$ASAN_OPTIONS"} ${LSAN_OPTIONS+LSAN_OPTIONS="$LSAN_OPTIONS"} \
                ${UBSAN_OPTIONS+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
                bash -c "$(cat "$cmd")" >"$tmp/.stdout" 2>"$tmp/.stderr" </dev/null)
        rc=$?
        {
                sed -e "s|$F|\$F|g" -e "s|$S|\$S|g" -e "s|$P|\$P|g" -e "s|$X|\$X|g" -e "s|$A|\$A|g" -e "s|$tmp|\$PWD|g" "$tmp/.stdout"
                [[ ! -s $tmp/.stdout || $(tail -c1 "$tmp/.stdout" | od -An -c) == *'\n'* ]] ||
                        printf '\n# (no newline at the end of the output)\n'
                printf '# rc=%d\n' "$rc"
        } >"$tmp/.actual"
        if [[ ${SKYTUNE_GOLDEN_UPDATE:-} == 1 ]]; then
                cp "$tmp/.actual" "$golden/$name.out"
        fi
        problem=
        if [[ ! -f $golden/$name.out ]]; then
                problem="no $name.out (SKYTUNE_GOLDEN_UPDATE=1 writes it)"
        elif ! diff -u "$golden/$name.out" "$tmp/.actual" >"$tmp/.diff"; then
                problem="output differs from $name.out"
        fi
        wide=$(LC_ALL=$width_locale grep -n '.\{81\}' "$tmp/.actual")
        [[ -z $wide ]] || problem="${problem:+$problem; }lines wider than 80 columns"
        if [[ -n $problem ]]; then
                failed=$((failed + 1))
                echo "FAIL $name: $problem"
                echo "  command: $(cat "$cmd")"
                [[ ! -s $tmp/.diff ]] || sed 's/^/  /' "$tmp/.diff"
                [[ -z $wide ]] || printf '%s\n' "$wide" | sed 's/^/  wide: /'
                [[ ! -s $tmp/.stderr ]] || sed 's/^/  stderr: /' "$tmp/.stderr" | head -20
        else
                echo "ok   $name"
        fi
        rm -rf "$tmp"
done
[[ $ran -gt 0 ]] || { echo "run-golden: no case ran (names: $*)" >&2; exit 1; }
echo "golden: $((ran - failed)) of $ran passed"
[[ $failed -eq 0 ]]
