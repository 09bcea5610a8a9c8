# shellcheck shell=bash
# Shared by tests/packaging/test-*.sh: the source tree a package is built from, and its digest.

# pkg_copy_tree SRC DEST: the files of the checkout as they are in the working tree (tracked and
# untracked, not ignored; no build directories), or of a plain directory without git.
pkg_copy_tree() {
        mkdir -p "$2"
        if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
                (cd "$1" && git ls-files -co --exclude-standard -z | grep -zv '^build' | xargs -0 cp -a --parents -t "$2")
        else
                (cd "$1" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$2"
        fi
}

# pkg_tree_digest DIR: one hash over every file's path and content, so a package built from a copy
# can be matched to the tree another test copied.
pkg_tree_digest() {
        (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
