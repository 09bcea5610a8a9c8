#!/usr/bin/env bash
# The build names its sources: each library's CMakeLists.txt lists its .c files (no file(GLOB), so a
# source built only with an optional dependency can be expressed, and a stray file is not linked in
# unnoticed), every .c file of the folder is listed (none forgotten), and no install or link rule
# depends on whether a file or target exists yet.
set -euo pipefail
src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
bad=()
for dir in common store rules profiler loadgen load probes db optimizer helper client render cli bench; do
        lists=$src/$dir/CMakeLists.txt
        grep -qi 'file *( *GLOB' "$lists" && bad+=("$dir/CMakeLists.txt uses file(GLOB)")
        while IFS= read -r c; do
                rel=${c#"$src/$dir/"}
                name=${rel%.c}
                # bench/ lists program names (bench-x for bench-x.c); the libraries list file names.
                grep -Eq "(^|[[:space:]/])($rel|$name)([[:space:]]|\)|$)" "$lists" || bad+=("$dir/$rel is in no list of $dir/CMakeLists.txt")
        done < <(find "$src/$dir" -name '*.c' | sort)
done
for lists in "$src"/{common,store,rules,profiler,loadgen,load,probes,db,optimizer,helper,client,render,cli,bench,packaging}/CMakeLists.txt "$src/tests/CMakeLists.txt"; do
        hits=$(grep -nE 'if *\( *TARGET |_if_present|if *\( *SKYTUNE_[A-Z_]*_SOURCES *\)' "$lists" || true)
        [[ -z $hits ]] || bad+=("${lists#"$src/"} depends on what exists yet: $hits")
done
if (( ${#bad[@]} )); then
        printf 'FAIL: %s\n' "${bad[@]}" >&2
        exit 1
fi
echo "ok: explicit source lists, no existence checks"
