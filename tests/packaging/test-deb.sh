#!/usr/bin/env bash
# The Debian package, end to end, as root on a Debian 12 machine (tests/run.sh runs it as root;
# not a ctest test):
#  1. build it from a copy of the tree with `dpkg-buildpackage -us -uc -b`; `debian/rules clean`
#     leaves the copy as it was;
#  2. lintian: no error and no warning; every info or pedantic tag is one docs/packaging.md explains;
#  3. install it with dpkg and use it from the installed paths only: skytune profile, apply --dry-run,
#     the state directory, man pages and completion;
#  4. a system-type dbus-daemon started from Debian's own /usr/share/dbus-1/system.conf (which reads
#     the installed policy and activation file) activates the installed helper, which applies and
#     rolls back net.core.somaxconn. The bus runs in a private mount namespace (its socket is the
#     standard path there, which is also where dbus-daemon-launch-helper points activated services)
#     and a private network namespace (net.* sysctls are per namespace: the host's value never moves);
#  5. purge: nothing of the package is left.
# Usage: tests/packaging/test-deb.sh BUILD_DIR SRC_DIR   (the .deb is copied to BUILD_DIR/packages/)
set -euo pipefail
build=$(realpath -m "$1") src=$(realpath "$2")
source "$src/tests/packaging/lib-pkg.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "test-deb: $*"; }

# --- part 4 runs in the namespaces: this script re-enters itself there --------------------------
if [[ ${SKYTUNE_DEB_INNER:-} == bus ]]; then
        out=$3
        mount -t tmpfs -o mode=0755 tmpfs /run/dbus
        ip link set lo up 2>/dev/null || true
        dbus-daemon --config-file=/usr/share/dbus-1/system.conf --nofork --nopidfile --syslog-only &
        bus_pid=$!
        started=()
        cleanup_bus() {
                kill "$bus_pid" 2>/dev/null || true
                wait "$bus_pid" 2>/dev/null || true
                for p in "${started[@]}"; do
                        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
                        kill "$p" 2>/dev/null || true
                done
        }
        trap cleanup_bus EXIT
        for _ in $(seq 100); do [[ -S /run/dbus/system_bus_socket ]] && break; sleep 0.05; done
        [[ -S /run/dbus/system_bus_socket ]] || fail "dbus-daemon with /usr/share/dbus-1/system.conf did not start"
        name=io.skysentinel.SkyTune1 path=/io/skysentinel/SkyTune1
        activatable=$(busctl --system list --activatable)
        grep -q "^$name " <<<"$activatable" ||
                fail "the bus does not find /usr/share/dbus-1/system-services/$name.service"
        call() { busctl --system --timeout=60 --json=short call "$name" "$path" "$name" "$@" | jq -r '.data[0]'; }
        before=$(cat /proc/sys/net/core/somaxconn)
        want=$((before == 4242 ? 4243 : 4242))
        plan=$(jq -cn --arg v "$want" '{schema: "skytune.plan/1", policy: "test-deb", persist: false,
                changes: [{kind: "sysctl", key: "net.core.somaxconn", proposed: $v, rule: "test-deb", reason: "package test"}]}')
        call Apply st "$plan" 0 >"$out/apply.json" || fail "Apply through the installed helper failed"
        for who in "$name" org.freedesktop.PolicyKit1; do
                p=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                        GetConnectionUnixProcessID s "$who" 2>/dev/null | awk '{print $2}') || true
                [[ -n $p ]] && started+=("$p")
        done
        exe=$(readlink "/proc/${started[0]:-0}/exe" 2>/dev/null || true)
        [[ $exe == /usr/libexec/skytune/skytune-helper ]] || fail "the bus started '$exe', not the installed helper"
        jq -e '.state == "applied"' "$out/apply.json" >/dev/null || fail "apply: $(cat "$out/apply.json")"
        [[ $(cat /proc/sys/net/core/somaxconn) == "$want" ]] || fail "net.core.somaxconn is not $want after apply"
        [[ -f /var/lib/skytune/tx/$(jq -r .id "$out/apply.json").json ]] || fail "no journal under /var/lib/skytune/tx"
        call Rollback s "$(jq -r .id "$out/apply.json")" >"$out/rollback.json" || fail "Rollback through the installed helper failed"
        jq -e '.state == "rolled-back"' "$out/rollback.json" >/dev/null || fail "rollback: $(cat "$out/rollback.json")"
        [[ $(cat /proc/sys/net/core/somaxconn) == "$before" ]] || fail "net.core.somaxconn not restored to $before"
        exit 0
fi

[[ $(id -u) -eq 0 ]] || { echo "SKIP: test-deb installs a package: run it as root"; exit 0; }
for tool in dpkg-buildpackage lintian dh jq busctl dbus-daemon unshare; do
        command -v "$tool" >/dev/null || fail "$tool missing: scripts/install-deps.sh --test installs what this test needs"
done
pkg_status() { dpkg-query -W -f='${db:Status-Status}' skytune 2>/dev/null || true; }
if [[ -n $(pkg_status) && $(pkg_status) != not-installed ]]; then
        fail "a skytune package is already on this machine; this test installs and purges its own: dpkg --purge skytune first"
fi

tmp=$(mktemp -d /tmp/skytune-deb.XXXXXX)
installed=
finish() {
        local rc=$?
        [[ -n $installed ]] && dpkg --purge skytune >/dev/null 2>&1
        [[ $rc -ne 0 && -f $tmp/build.log ]] && { echo "--- last lines of the package build" >&2; tail -n 30 "$tmp/build.log" >&2; }
        rm -rf "$tmp"
        exit $rc
}
trap finish EXIT

# --- 1. build ------------------------------------------------------------------------------------
version=$(sed -n 's/^project(skytune VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
debversion=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[[ $debversion == "$version" ]] || fail "debian/changelog is at $debversion but CMakeLists.txt at $version: add a changelog entry (dch -v $version)"
tree=$tmp/skytune-$version
pkg_copy_tree "$src" "$tree"
digest=$(pkg_tree_digest "$tree")
(cd "$tree" && find . | LC_ALL=C sort) >"$tmp/tree.before"
note "dpkg-buildpackage -us -uc -b in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || fail "dpkg-buildpackage failed"
deb=$(echo "$tmp"/skytune_"$version"_*.deb)
[[ -f $deb ]] || fail "no skytune_${version}_*.deb after the build"
# For test-rpm.sh, with the digest of the tree it was built from.
mkdir -p "$build/packages"
rm -f "$build"/packages/skytune_*.deb
cp "$deb" "$build/packages/"
echo "$digest" >"$build/packages/deb-tree.sha256"
(cd "$tree" && debian/rules clean) >>"$tmp/build.log" 2>&1 || fail "debian/rules clean failed"
(cd "$tree" && find . | LC_ALL=C sort) >"$tmp/tree.after"
diff "$tmp/tree.before" "$tmp/tree.after" >&2 || fail "debian/rules clean left the files above (add them to debian/.gitignore and clean)"

# The helper unit is D-Bus activated: the maintainer scripts never enable, start or restart it.
dpkg-deb -e "$deb" "$tmp/control"
if grep -E 'skytune-helper' "$tmp"/control/post* "$tmp"/control/pre* 2>/dev/null | grep -E 'enable|start|restart'; then
        fail "a maintainer script enables or starts skytune-helper.service (above)"
fi

# remove stops a running helper (under systemd, not in another root): a prerm that stops the unit.
[[ -f $tmp/control/prerm ]] || fail "the .deb has no prerm: a running helper is not stopped on removal"
grep -Eq 'deb-systemd-invoke stop skytune-helper.service|systemctl stop skytune-helper.service' "$tmp/control/prerm" ||
        fail "the prerm does not stop skytune-helper.service: $(cat "$tmp/control/prerm")"

# The build tree must not leak into the installed program (reproducibility, and a directory under
# /tmp that any user could create later); debian/rules turns SKYTUNE_SOURCE_POLICY_FALLBACK off.
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/skytune >"$tmp/skytune.bin"
if grep -qaF "$tree" "$tmp/skytune.bin"; then
        fail "/usr/bin/skytune contains the build path $tree (the source-tree policy fallback)"
fi

# --- 2. lintian ----------------------------------------------------------------------------------
changes=$(echo "$tmp"/skytune_"$version"_*.changes)
lintian -EvIL +pedantic --display-experimental --tag-display-limit 0 "$changes" \
        >"$tmp/lintian.log" 2>&1 || true
grep -v -E '^N: |^running with root' "$tmp/lintian.log" | sed 's/^/lintian: /'
grep -E '^[EW]: ' "$tmp/lintian.log" && fail "lintian reports errors or warnings (above)"
# Info, pedantic and experimental tags: each is explained in docs/packaging.md.
for tag in $(awk '/^[IPX]: / { print $3 }' "$tmp/lintian.log" | sort -u); do
        grep -q -- "$tag" "$src/docs/packaging.md" || fail "lintian tag $tag is not explained in docs/packaging.md"
done

# --- 2b. dpkg --root: the maintainer scripts touch the target root only --------------------------
# A chrootless install and purge into scratch roots (the scripts run on this host with DPKG_ROOT
# set) must neither create nor delete this host's /var/lib/skytune (a marker file stands in for a
# journal) nor its /etc/systemd/system.conf.d. Root "fresh" has no system.conf.d: the package makes
# it and purge removes it. Root "admin" has one made before the install: it survives the purge.
host_state_made=
if [[ ! -e /var/lib/skytune ]]; then
        install -d -m 0700 /var/lib/skytune
        host_state_made=1
fi
marker=/var/lib/skytune/test-deb-host-marker.$$
echo "the host's journal" >"$marker"
host_confd=$([[ -d /etc/systemd/system.conf.d ]] && echo yes || echo no)
host_unchanged() {
        [[ -f $marker ]] || fail "$1 into another root deleted the host's /var/lib/skytune ($marker is gone)"
        [[ $(ls -A /var/lib/skytune | grep -vx "$(basename "$marker")" || true) == "$host_state_before" ]] ||
                fail "$1 into another root changed the host's /var/lib/skytune: $(ls -A /var/lib/skytune)"
        [[ $([[ -d /etc/systemd/system.conf.d ]] && echo yes || echo no) == "$host_confd" ]] ||
                fail "$1 into another root created or removed the host's /etc/systemd/system.conf.d"
}
host_state_before=$(ls -A /var/lib/skytune | grep -vx "$(basename "$marker")" || true)
for kind in fresh admin; do
        r=$tmp/root-$kind
        mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
        touch "$r/var/lib/dpkg/status"
        [[ $kind == admin ]] && mkdir -p "$r/etc/systemd/system.conf.d"
        dpkg --root="$r" --force-depends --force-script-chrootless -i "$deb" >"$tmp/root-$kind.log" 2>&1 ||
                { cat "$tmp/root-$kind.log" >&2; fail "dpkg --root=$r -i failed"; }
        host_unchanged "dpkg --root -i"
        [[ $(stat -c '%a %U' "$r/var/lib/skytune" 2>&1) == "700 root" ]] ||
                fail "dpkg --root: no 0700 /var/lib/skytune in the target root: $(stat -c '%a %U' "$r/var/lib/skytune" 2>&1)"
        [[ -d $r/etc/systemd/system.conf.d ]] || fail "dpkg --root: no /etc/systemd/system.conf.d in the target root"
        dpkg --root="$r" --force-script-chrootless --purge skytune >>"$tmp/root-$kind.log" 2>&1 ||
                { cat "$tmp/root-$kind.log" >&2; fail "dpkg --root=$r --purge failed"; }
        host_unchanged "dpkg --root --purge"
        [[ ! -e $r/var/lib/skytune ]] || fail "dpkg --root --purge left the target root's /var/lib/skytune"
        if [[ $kind == fresh ]]; then
                [[ ! -e $r/etc/systemd/system.conf.d ]] || fail "purge left the /etc/systemd/system.conf.d the package made"
        else
                [[ -d $r/etc/systemd/system.conf.d ]] || fail "purge removed an /etc/systemd/system.conf.d the administrator made before the install"
        fi
done
rm -f "$marker"
[[ -n $host_state_made ]] && rmdir /var/lib/skytune
note "dpkg --root install and purge: the host untouched; a system.conf.d made before the install survives the purge"

# --- 3. install and use from the installed paths ---------------------------------------------------
had_confd=
[[ -d /etc/systemd/system.conf.d ]] && had_confd=1
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i $deb failed"; }
installed=1
dpkg -L skytune >"$tmp/files"
for f in /usr/bin/skytune /usr/libexec/skytune/skytune-helper /usr/share/doc/skytune/copyright \
         /usr/bin/skytune-monitor /lib/systemd/system/skytune-monitor.service /usr/share/man/man8/skytune-monitor.8.gz \
         /lib/systemd/system/skytune-bench@.service /lib/systemd/system/skytune-bench@.timer \
         /usr/share/skytune/alerts/host.conf \
         /usr/lib/tmpfiles.d/skytune.conf /usr/share/man/man1/skytune.1.gz /usr/share/man/man5/skytune-policy.5.gz \
         /usr/share/man/man5/skytune.conf.5.gz /usr/share/man/man8/skytune-helper.8.gz \
         /usr/share/bash-completion/completions/skytune /usr/share/zsh/vendor-completions/_skytune \
         /usr/share/skytune/policies/balanced.conf /usr/share/polkit-1/rules.d/50-skytune-read.rules \
         $(cd "$src" && printf '/usr/share/doc/skytune/%s\n' docs/*.md | sed 's|/docs/|/|'); do
        grep -qx "$f" "$tmp/files" || fail "the package does not install $f"
done
[[ -d /var/lib/skytune && $(stat -c '%a %U' /var/lib/skytune) == "700 root" ]] ||
        fail "/var/lib/skytune is not a 0700 root directory after install: $(stat -c '%a %U' /var/lib/skytune 2>&1)"
# The helper's unit may write to /etc/systemd/system.conf.d (default-scope ulimits) but cannot create
# it (ProtectSystem=strict): the package's tmpfiles entry does.
[[ -d /etc/systemd/system.conf.d ]] || fail "/etc/systemd/system.conf.d does not exist after install"
cd /
run() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
[[ $(run skytune --version) == "skytune $version" ]] || fail "installed skytune --version is not $version"
run skytune profile --duration 1 >"$tmp/profile.txt" || fail "skytune profile --duration 1 failed"
grep -q '^Findings' "$tmp/profile.txt" || fail "skytune profile printed no findings section"
run skytune profile --duration 0 --format prometheus >/dev/null || fail "skytune profile --format prometheus failed"
policies=$(run skytune policy list 2>&1) || fail "skytune policy list failed: $policies"
grep -q '/usr/share/skytune/policies' <<<"$policies" && grep -qw balanced <<<"$policies" ||
        fail "skytune policy list does not show the installed balanced policy: $policies"
set +e
run skytune apply --dry-run --duration 1 >"$tmp/dry-run.txt" 2>&1
rc=$?
set -e
[[ $rc -eq 0 ]] || { cat "$tmp/dry-run.txt" >&2; fail "skytune apply --dry-run exited $rc"; }
note "skytune apply --dry-run from /usr/bin: ok ($(grep -c . "$tmp/dry-run.txt") lines)"
for page in skytune skytune-helper skytune.conf skytune-policy; do
        run man -w "$page" >/dev/null || fail "man $page does not find the installed page"
done

# --- 4. the installed helper, activated by a bus from Debian's system.conf ------------------------
if [[ ! -x /usr/libexec/skytune/skytune-helper ]]; then
        note "SKIP (bus part): the package has no /usr/libexec/skytune/skytune-helper"
elif [[ ! -f /usr/share/dbus-1/system-services/io.skysentinel.SkyTune1.service ]]; then
        note "SKIP (bus part): the package has no D-Bus activation file yet"
else
        host_before=$(cat /proc/sys/net/core/somaxconn)
        SKYTUNE_DEB_INNER=bus unshare --mount --net --propagation private bash "$src/tests/packaging/test-deb.sh" \
                "$build" "$src" "$tmp" || fail "apply and rollback through the activated helper (above)"
        [[ $(cat /proc/sys/net/core/somaxconn) == "$host_before" ]] || fail "the host's net.core.somaxconn changed"
        note "the bus activated /usr/libexec/skytune/skytune-helper; apply and rollback of net.core.somaxconn: ok"
fi

# --- 5. purge ------------------------------------------------------------------------------------
dpkg --purge skytune >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge skytune failed"; }
installed=
[[ -z $(pkg_status) || $(pkg_status) == not-installed ]] || fail "dpkg still lists skytune as $(pkg_status) after purge"
left=()
while read -r f; do
        [[ -e $f && ! -d $f ]] && left+=("$f")
done <"$tmp/files"
for d in /usr/libexec/skytune /usr/share/skytune /usr/share/doc/skytune /var/lib/skytune /etc/skytune; do
        [[ -e $d ]] && left+=("$d")
done
[[ -z $had_confd && -e /etc/systemd/system.conf.d ]] && left+=(/etc/systemd/system.conf.d)
[[ -n $had_confd && ! -d /etc/systemd/system.conf.d ]] && fail "purge removed /etc/systemd/system.conf.d, which was there before the install"
[[ ${#left[@]} -eq 0 ]] || fail "left after purge: ${left[*]}"
note "purged; nothing of the package is left"
echo "test-deb: 1 passed, 0 failed"
