#!/usr/bin/env bash
# tests/lint/structure.py fails on each kind of violation it is there for, and passes on the same
# trees without it, so that the lint cannot pass silently: tiny source trees (and objects compiled
# from them for the cycle check) in a temporary directory. Usage: test-structure.sh SRC
set -euo pipefail
src=$1
lint=$src/tests/lint/structure.py
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# run WANT_RC MUST_SAY ARGS...: structure.py ARGS exits WANT_RC and its output holds MUST_SAY.
run() {
        local want=$1 say=$2 out rc=0
        shift 2
        out=$(python3 "$lint" "$@" 2>&1) || rc=$?
        [[ $rc == "$want" ]] || fail "structure.py $* exited $rc, want $want: $out"
        [[ -z $say || $out == *"$say"* ]] || fail "structure.py $* did not say '$say': $out"
        echo "ok: structure.py ${*#"$tmp/"} -> $rc"
}

# ---- includes: a .c included by production code or by a test; a generated .c.in is a build product.
t=$tmp/inc
mkdir -p "$t/common" "$t/tests/unit" "$t/rules"
printf '#include "a.h"\nint a(void) { return 1; }\n' >"$t/common/a.c"
printf 'int a(void);\n' >"$t/common/a.h"
printf '/* generated */\nint gen(void) { return 2; }\n' >"$t/rules/gen.c.in"
printf '#include "gen.c"\n' >"$t/rules/use.c"
run 0 "no violation" "$t" --check includes
printf '#include <stdio.h>\n  #  include "a.c"\n' >"$t/common/b.c"
run 1 "common/b.c:2: #include of the .c file a.c" "$t" --check includes
rm "$t/common/b.c"
printf '#include "../../common/a.c"\n' >"$t/tests/unit/test-a.c"
run 1 "tests/unit/test-a.c:1" "$t" --check includes

# ---- cycles: a.c calls b.c and b.c calls a.c (one library); one way or through a table is fine.
t=$tmp/cyc
objs=$t/build/common/CMakeFiles/skytune-common.dir
mkdir -p "$t/common" "$objs"
compile() { printf '%s\n' "$2" >"$t/common/$1"; "$cc" -c -o "$objs/$1.o" "$t/common/$1"; }
run 2 "build it first" "$t" "$t/build" --check cycles
compile a.c 'int b_f(void); extern const int a_table[1]; const int a_table[1] = { 3 };
int a_g(void) { return 2; } int a_f(void) { return b_f() + 1; }'
compile b.c 'int b_f(void) { return 1; }'
run 0 "no violation" "$t" "$t/build" --check cycles
compile b.c 'extern const int a_table[1]; int b_f(void) { return a_table[0]; }'
run 0 "no violation" "$t" "$t/build" --check cycles
compile b.c 'int a_g(void); int b_f(void) { return a_g(); }'
run 1 "common/a.c -> common/b.c: b_f" "$t" "$t/build" --check cycles
run 1 "common/b.c -> common/a.c: a_g" "$t" "$t/build" --check cycles
# Three files around: a -> b -> c -> a.
compile b.c 'int c_f(void); int b_f(void) { return c_f(); }'
compile c.c 'int a_g(void); int c_f(void) { return a_g(); }'
run 1 "call cycle between common/a.c, common/b.c, common/c.c" "$t" "$t/build" --check cycles

# ---- duplicates: six significant lines twice in production code; five, or a copy in tests/, pass.
t=$tmp/dup
mkdir -p "$t/common" "$t/render" "$t/tests/unit"
block='        int x = f(1);
        /* a comment is skipped */
        x += g(2);

        if (x > 3)
                x = h(x);
        {
        y = x * 4;
        return y - 5;'
printf 'int one(void) {\n%s\n}\n' "$block" >"$t/common/one.c"
printf 'int one_again(void) {\n        int z = 0;\n%s\n}\n' "$block" >"$t/tests/unit/test-one.c"
run 0 "no violation" "$t" --check duplicates
printf 'int two(void) {\n%s\n}\n' "$(printf '%s\n' "$block" | sed 's/return y - 5/return y - 6/')" >"$t/render/two.c"
run 0 "no violation" "$t" --check duplicates
printf 'int two(void) {\n%s\n}\n' "$block" >"$t/render/two.c"
run 1 "common/one.c:2-10 and render/two.c:2-10: 6 identical lines" "$t" --check duplicates
# Twice in one file counts too.
rm "$t/render/two.c"
printf 'int one(void) {\n%s\n}\nint three(void) {\n%s\n}\n' "$block" "$block" >"$t/common/one.c"
run 1 "common/one.c:2-10 and common/one.c:13-21" "$t" --check duplicates
echo "ok: every check of structure.py fails on its violation"
