#!/usr/bin/env bash
# The whole test suite: builds skytune four times and runs every test.
#  1. Release build with -Werror: compiles clean, unit tests pass.
#  2. Debug build with AddressSanitizer + UndefinedBehaviorSanitizer: every unit and integration
#     test (integration tests start their own dbus-daemon, polkitd and nginx; some need root).
#  2b. Debug build with ThreadSanitizer (gcc): the tests of threaded code (label `threaded`: the
#     probes' worker and server threads). A data race fails them.
#  2c. clang build with libFuzzer + ASan + UBSan (tests/fuzz): each fuzz target runs a fixed number
#     of inputs from its seeds (label `fuzz`; tests/fuzz/README.md for longer runs).
#  3. Packaging tests (tests/packaging/test-*.sh), when run as root: build, lint and install the
#     packages.
#  4. System tests (tests/system/test-*.sh), when run as root: the .deb in a booted Debian 12
#     container (systemd-nspawn); a machine where nspawn cannot run skips them (exit 77).
# Usage: tests/run.sh   (BUILD_ROOT=dir to build elsewhere; SKYTUNE_SKIP_PACKAGING=1 to skip 3 and 4,
#        SKYTUNE_SKIP_SYSTEM=1 to skip 4)
set -uo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${BUILD_ROOT:-$src/build-test}
jobs=$(nproc)
passed=0 failed=0

step() { printf '\n== %s ==\n' "$*"; }
# ctest_integration_retry DIR: every test of DIR; when only integration tests failed, those run once
# more and the ones that pass then are named FLAKY. They start daemons and time real work on a
# shared machine, where a stall can miss a timing check a correct program meets; a unit test gets no
# second try, and a test that fails twice fails the suite.
ctest_integration_retry() {
        ctest --test-dir "$1" --output-on-failure && return 0
        local log=$1/Testing/Temporary/LastTestsFailed.log names
        [[ -s $log ]] || return 1
        names=$(cut -d: -f2- "$log")
        if grep -qv '^integration/' <<<"$names"; then return 1; fi
        echo "second try of: $(tr '\n' ' ' <<<"$names")"
        ctest --test-dir "$1" --output-on-failure --rerun-failed || return 1
        sed 's/^/FLAKY (failed, then passed on its second try): /' <<<"$names"
}
count() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $*"; fi; }

set -e
step "release build (-Werror)"
cmake -S "$src" -B "$out/release" -DCMAKE_BUILD_TYPE=Release -DSKYTUNE_WERROR=ON >/dev/null
cmake --build "$out/release" -j"$jobs"
step "sanitizer build (ASan + UBSan)"
cmake -S "$src" -B "$out/asan" -DCMAKE_BUILD_TYPE=Debug -DSKYTUNE_SANITIZE=ON >/dev/null
cmake --build "$out/asan" -j"$jobs"
step "thread sanitizer build (TSan), the threaded code's tests only"
cmake -S "$src" -B "$out/tsan" -DCMAKE_BUILD_TYPE=Debug -DSKYTUNE_TSAN=ON >/dev/null
cmake --build "$out/tsan" -j"$jobs" --target threaded-tests
step "fuzz build (clang, libFuzzer + ASan + UBSan), the fuzz targets only"
CC=clang cmake -S "$src" -B "$out/fuzz" -DCMAKE_BUILD_TYPE=Debug -DSKYTUNE_FUZZ=ON >/dev/null
cmake --build "$out/fuzz" -j"$jobs" --target fuzz
set +e

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

step "unit tests, release build"
count ctest --test-dir "$out/release" --output-on-failure -L unit
step "all tests, sanitizer build"
count ctest_integration_retry "$out/asan"
step "threaded code, thread sanitizer build"
# A second try for a test that failed: under TSan's slowdown on a loaded machine a timing bound of a
# probe test can miss; a data race is a happens-before fact that TSan reports again on the rerun.
count ctest --test-dir "$out/tsan" --output-on-failure -L threaded --repeat until-pass:2
step "fuzz targets, $(sed -n 's/^SKYTUNE_FUZZ_RUNS:STRING=//p' "$out/fuzz/CMakeCache.txt") inputs each"
count ctest --test-dir "$out/fuzz" --output-on-failure -L fuzz

if [[ $(id -u) -eq 0 && -z "${SKYTUNE_SKIP_PACKAGING:-}" ]]; then
        for t in "$src"/tests/packaging/test-*.sh; do
                [[ -e "$t" ]] || continue
                step "packaging: $(basename "$t")"
                count bash "$t" "$out/release" "$src"
        done
fi

if [[ $(id -u) -eq 0 && -z "${SKYTUNE_SKIP_PACKAGING:-}" && -z "${SKYTUNE_SKIP_SYSTEM:-}" ]]; then
        for t in "$src"/tests/system/test-*.sh; do
                [[ -e "$t" ]] || continue
                step "system: $(basename "$t")"
                # 77: skipped (the script says why); neither passed nor failed.
                bash "$t" "$out/release" "$src"
                rc=$?
                if [[ $rc -eq 0 ]]; then passed=$((passed + 1))
                elif [[ $rc -eq 77 ]]; then echo "skipped: $(basename "$t")"
                else failed=$((failed + 1)); echo "FAILED: $t"; fi
        done
fi

step "summary"
echo "suites: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
