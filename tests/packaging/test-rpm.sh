#!/usr/bin/env bash
# The RPM, built on Debian 12 with Debian's rpm 4.18 (rpmbuild --nodeps: the build dependencies are
# Debian packages, which rpm's database does not know; the spec's fallbacks stand in for the missing
# systemd macros):
#  1. rpmbuild -bb packaging/rpm/skytune.spec from a tarball of the tree;
#  2. rpmlint on the package and the spec: every finding must be one of the known ones named below
#     (Debian rpmlint false alarms, and the two about the missing project home page);
#  3. the payload has the same files as the Debian package (BUILD_DIR/packages/skytune_*.deb, which
#     test-deb.sh leaves, when it was built from the same tree; built here otherwise), with the same content for every file that is
#     not a compiled binary. Known, intended differences are mapped before comparing: the unit
#     directory (/lib on Debian 12, /usr/lib elsewhere), zsh's completion directory (Debian:
#     vendor-completions), and each format's own documentation directory.
# Usage: tests/packaging/test-rpm.sh BUILD_DIR SRC_DIR   (the .rpm is copied to BUILD_DIR/packages/)
set -euo pipefail
build=$(realpath -m "$1") src=$(realpath "$2")
source "$src/tests/packaging/lib-pkg.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "test-rpm: $*"; }

# rpmlint findings that are not about the package (Debian's rpmlint 2.4.0 with its default
# configuration), or that cannot be fixed yet; docs/packaging.md explains each.
known_rpmlint=(
        no-signature                    # a local build is unsigned; the distributor's build system signs
        no-packager-tag                 # Fedora forbids Packager:; Debian's rpmlint config wants it
        no-group-tag                    # Group: is obsolete in Fedora and EL 8+
        no-buildroot-tag                # BuildRoot: is ignored since rpm 4.6
        invalid-license                 # Debian's rpmlint has no licence list; MIT is valid SPDX
        manpage-not-compressed          # it wants bz2 (Debian's config); Fedora and EL use gzip
        no-manual-page-for-binary       # rpmlint 2.4.0 compares binaries with man page sections
        unstripped-binary-or-object     # no find-debuginfo on Debian; Fedora strips into -debuginfo
        no-url-tag                      # open: the project has no public home page yet
        invalid-url                     # open: Source0 has no download URL yet (no release tarballs)
)

for tool in rpmbuild rpmlint rpm2archive dpkg-deb; do
        command -v "$tool" >/dev/null || fail "$tool missing: scripts/install-deps.sh --test installs rpm and rpmlint"
done
tmp=$(mktemp -d /tmp/skytune-rpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's/^project(skytune VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
specversion=$(sed -n 's/^Version: *//p' "$src/packaging/rpm/skytune.spec")
[[ $specversion == "$version" ]] || fail "skytune.spec has Version $specversion, CMakeLists.txt $version: update the spec (and its %changelog)"

# --- 1. build ------------------------------------------------------------------------------------
mkdir -p "$tmp/top/SOURCES"
pkg_copy_tree "$src" "$tmp/src/skytune-$version"
digest=$(pkg_tree_digest "$tmp/src/skytune-$version")
tar -C "$tmp/src" -czf "$tmp/top/SOURCES/skytune-$version.tar.gz" "skytune-$version"
note "rpmbuild -bb --nodeps packaging/rpm/skytune.spec"
rpmbuild -bb --nodeps --define "_topdir $tmp/top" "$src/packaging/rpm/skytune.spec" >"$tmp/build.log" 2>&1 ||
        { tail -n 40 "$tmp/build.log" >&2; fail "rpmbuild failed (log above)"; }
rpmfile=$(echo "$tmp"/top/RPMS/*/skytune-"$version"-*.rpm)
[[ -f $rpmfile ]] || fail "no skytune-$version-*.rpm after rpmbuild"
mkdir -p "$build/packages"
rm -f "$build"/packages/skytune-*.rpm
cp "$rpmfile" "$build/packages/"

# The helper is D-Bus activated: no scriptlet starts or restarts it. The monitor is left to the
# presets (disabled unless one enables it) and only restarted on upgrade when it runs.
rpm -qp --scripts "$rpmfile" >"$tmp/scripts"
grep -v '^ *#' "$tmp/scripts" | grep -E '(restart|start|enable) [^;]*skytune-helper' | grep -v -- '--now' && fail "a scriptlet starts or enables the helper (above)"
grep -v '^ *#' "$tmp/scripts" | grep -E '(^|[[:space:];])(enable|start) [^;]*skytune-monitor' | grep -v -- '--now' && fail "a scriptlet enables or starts the monitor (above)"
grep -q 'try-restart skytune-monitor.service' "$tmp/scripts" || fail "%postun does not restart a running monitor on upgrade"
grep -q 'systemd-tmpfiles --create skytune.conf' "$tmp/scripts" || fail "%post does not create the state directory"

# --- 2. rpmlint ----------------------------------------------------------------------------------
rpmlint "$rpmfile" "$src/packaging/rpm/skytune.spec" >"$tmp/rpmlint.log" 2>&1 || true
grep -E '^[^ ]+: [EW]: ' "$tmp/rpmlint.log" | sed 's/^/rpmlint: /'
unknown=$(grep -E '^[^ ]+: [EW]: ' "$tmp/rpmlint.log" | awk '{ print $3 }' | sort -u |
        grep -vxF -f <(printf '%s\n' "${known_rpmlint[@]}") || true)
[[ -z $unknown ]] || fail "new rpmlint findings: $unknown (fix them, or explain them here and in docs/packaging.md)"
grep -q ' 0 errors\| errors' "$tmp/rpmlint.log" || fail "rpmlint did not run: $(tail -n 5 "$tmp/rpmlint.log")"

# --- 3. the same files as the .deb ---------------------------------------------------------------
deb=$(ls "$build"/packages/skytune_"$version"_*.deb 2>/dev/null | head -n 1 || true)
if [[ -n $deb && $(cat "$build/packages/deb-tree.sha256" 2>/dev/null) != "$digest" ]]; then
        deb=
fi
if [[ -z $deb ]]; then
        note "no .deb of this tree from test-deb.sh in $build/packages: building one"
        cp -a "$tmp/src/skytune-$version" "$tmp/debtree"
        (cd "$tmp/debtree" && dpkg-buildpackage -us -uc -b) >"$tmp/deb.log" 2>&1 || { tail -n 30 "$tmp/deb.log" >&2; fail "dpkg-buildpackage failed"; }
        deb=$(echo "$tmp"/skytune_"$version"_*.deb)
fi
mkdir -p "$tmp/deb" "$tmp/rpm"
dpkg-deb -x "$deb" "$tmp/deb"
rpm2archive - <"$rpmfile" | tar -xzf - -C "$tmp/rpm"
payload() {
        (cd "$1" && find . ! -type d | sed 's|^\./|/|') |
                sed -e 's|^/lib/systemd/|/usr/lib/systemd/|' \
                    -e 's|^/usr/share/zsh/vendor-completions/|/usr/share/zsh/site-functions/|' |
                grep -v -E '^/usr/share/doc/skytune/(changelog\.gz|copyright)$|^/usr/share/licenses/|^/usr/lib/\.build-id/' | LC_ALL=C sort
}
payload "$tmp/deb" >"$tmp/deb.list"
payload "$tmp/rpm" >"$tmp/rpm.list"
if ! diff -u "$tmp/deb.list" "$tmp/rpm.list" >"$tmp/list.diff"; then
        cat "$tmp/list.diff" >&2
        fail "the .deb (-) and the .rpm (+) install different files"
fi
# The same bytes, except compiled programs (two builds) and compressed man pages (compared inflated).
unmap() { sed -e 's|^/usr/lib/systemd/|/lib/systemd/|' -e 's|^/usr/share/zsh/site-functions/|/usr/share/zsh/vendor-completions/|' <<<"$1"; }
while read -r f; do
        d=$tmp/deb$(unmap "$f") r=$tmp/rpm$f
        case $f in
        /usr/bin/* | /usr/libexec/*) continue ;;
        *.gz) cmp -s <(gzip -dc "$d") <(gzip -dc "$r") || fail "$f differs between the .deb and the .rpm" ;;
        *) cmp -s "$d" "$r" || fail "$f differs between the .deb and the .rpm" ;;
        esac
done <"$tmp/rpm.list"
# The documents --help names, and the licence where Fedora keeps it (not Debian rpm's NAME-VERSION).
for doc in "$src"/docs/*.md; do
        grep -qx "/usr/share/doc/skytune/$(basename "$doc")" "$tmp/rpm.list" || fail "the .rpm does not install /usr/share/doc/skytune/$(basename "$doc")"
done
[[ -f $tmp/rpm/usr/share/licenses/skytune/copyright ]] || fail "the .rpm has no /usr/share/licenses/skytune/copyright: $(cd "$tmp/rpm" && ls -d usr/share/licenses/* 2>&1)"
note "$(wc -l <"$tmp/rpm.list") files, the same in the .deb and the .rpm"
echo "test-rpm: 1 passed, 0 failed"
