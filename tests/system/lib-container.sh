# shellcheck shell=bash
# The booted-container harness of tests/system/: a Debian 12 tree made once per build directory
# with debootstrap (kept as a tarball), the .deb of the tree under test installed in it with dpkg,
# booted with systemd as PID 1 by systemd-nspawn in its own network namespace, driven with nsenter.
# Needs root, systemd-nspawn (systemd-container) and debootstrap; a caller that cannot have them
# skips (exit 77). Every wait is bounded; ct_stop runs on every exit path (the caller's trap).

ct_suite=${BUILD_SYSTEM_SUITE:-bookworm}
# minbase plus systemd as PID 1, the system bus, polkitd (which needs logind: libpam-systemd) and
# skytune's runtime libraries (the .deb's Depends).
ct_packages=systemd,systemd-sysv,dbus,libpam-systemd,polkitd,libcap2,libcurl4,libjansson4,libconfig9,libsystemd0,libpq5,libssl3,zlib1g,libsqlite3-0,libmicrohttpd12,procps
ct_leader='' ct_nspawn='' ct_root='' ct_boots=0

ct_log() { echo "system: $*"; }
ct_skip() { echo "SKIP: $*" >&2; exit 77; }

# ct_mirror: the Debian mirror this machine's apt uses (deb822 .sources first, then sources.list);
# SKYTUNE_SYSTEM_MIRROR overrides it.
ct_mirror() {
        if [[ -n ${SKYTUNE_SYSTEM_MIRROR:-} ]]; then echo "$SKYTUNE_SYSTEM_MIRROR"; return; fi
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
                [[ -f $f ]] || continue
                # The URIs of a stanza whose Suites has the plain suite (not -security) and is enabled.
                awk -v suite="$ct_suite" 'BEGIN { on = 1 }
                        function flush() { if (uri != "" && ok && on) print uri; uri = ""; ok = 0; on = 1 }
                        /^[[:space:]]*$/ { flush(); next }
                        tolower($1) == "uris:" { uri = $2 }
                        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
                        tolower($1) == "enabled:" && tolower($2) == "no" { on = 0 }
                        END { flush() }' "$f"
        done | head -n 1 | grep . && return
        awk -v suite="$ct_suite" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list 2>/dev/null | grep .
}

# ct_base_tarball BUILD: BUILD/system/SUITE-base.tar, made by debootstrap the first time.
ct_base_tarball() {
        local dir=$1/system stamp tar
        tar=$dir/$ct_suite-base.tar stamp="$ct_suite $ct_packages"
        if [[ -f $tar && $(cat "$tar.stamp" 2>/dev/null) == "$stamp" ]]; then
                echo "$tar"; return
        fi
        local mirror
        mirror=$(ct_mirror) || ct_skip "no Debian mirror for $ct_suite in /etc/apt/sources.list.d/ or /etc/apt/sources.list (set SKYTUNE_SYSTEM_MIRROR)"
        mkdir -p "$dir"
        local work=$dir/debootstrap.tmp t0=$SECONDS
        rm -rf "$work"
        ct_log "debootstrap --variant=minbase $ct_suite from $mirror (once per build directory)" >&2
        if ! timeout 240 debootstrap --variant=minbase --include="$ct_packages" "$ct_suite" "$work" "$mirror" \
                >"$dir/debootstrap.log" 2>&1; then
                tail -n 20 "$dir/debootstrap.log" >&2
                rm -rf "$work"
                ct_skip "debootstrap of $ct_suite from $mirror failed (log: $dir/debootstrap.log)"
        fi
        # No apt lists or package cache in the tarball; the tree is booted, not updated.
        rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/*
        tar -C "$work" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
        echo "$stamp" >"$tar.stamp"
        rm -rf "$work"
        ct_log "base tree made in $((SECONDS - t0)) s: $tar ($(du -m "$tar" | cut -f1) MB)" >&2
        echo "$tar"
}

# ct_deb BUILD SRC: the .deb of the tree under test. test-deb.sh leaves one with the digest of the
# tree it was built from in BUILD/packages/; it is used when that digest is this tree's.
ct_deb() {
        local build=$1 src=$2 tmp digest deb
        source "$src/tests/packaging/lib-pkg.sh"
        tmp=$(mktemp -d /tmp/skytune-sysdeb.XXXXXX)
        pkg_copy_tree "$src" "$tmp/skytune"
        digest=$(pkg_tree_digest "$tmp/skytune")
        deb=$(ls "$build"/packages/skytune_*.deb 2>/dev/null | head -n 1 || true)
        if [[ -n $deb && $(cat "$build/packages/deb-tree.sha256" 2>/dev/null) == "$digest" ]]; then
                rm -rf "$tmp"; echo "$deb"; return
        fi
        ct_log "building the .deb of $src (dpkg-buildpackage -us -uc -b)" >&2
        (cd "$tmp/skytune" && timeout 300 dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
                { tail -n 30 "$tmp/build.log" >&2; rm -rf "$tmp"; return 1; }
        mkdir -p "$build/packages"
        rm -f "$build"/packages/skytune_*.deb
        cp "$tmp"/skytune_*.deb "$build/packages/"
        echo "$digest" >"$build/packages/deb-tree.sha256"
        rm -rf "$tmp"
        ls "$build"/packages/skytune_*.deb | head -n 1
}

# ct_unpack TARBALL DIR: a fresh tree for this run (the tarball stays as it is).
ct_unpack() {
        mkdir -p "$2"
        tar -C "$2" -xf "$1"
        ct_root=$2
}

# ct_boot NAME: boot $ct_root and wait (<= 60 s) until systemd reports the system up. Only
# /proc/sys/net is writable in the container, and it belongs to the container's own network
# namespace (--private-network): nothing the tests set is shared with the host.
ct_boot() {
        local name=$1 t0=$SECONDS
        ct_boots=$((ct_boots + 1))
        SYSTEMD_NSPAWN_API_VFS_WRITABLE=network systemd-nspawn -q -D "$ct_root" --boot --register=no \
                --keep-unit -M "$name" --private-network </dev/null >>"$ct_root.console.log" 2>&1 &
        ct_nspawn=$!
        ct_leader=
        for _ in $(seq 200); do
                ct_leader=$(pgrep -P "$ct_nspawn" -x systemd | head -n 1 || true)
                [[ -n $ct_leader ]] && break
                kill -0 "$ct_nspawn" 2>/dev/null || break
                sleep 0.1
        done
        [[ -n $ct_leader ]] || { tail -n 20 "$ct_root.console.log" >&2; echo "FAIL: systemd-nspawn did not start systemd" >&2; return 1; }
        local state
        # Until systemd answers at all (its socket appears a moment after PID 1 starts), then until
        # start-up is over; 60 s in all.
        for _ in $(seq 600); do
                state=$(ct timeout $((60 - (SECONDS - t0) > 1 ? 60 - (SECONDS - t0) : 1)) systemctl is-system-running --wait 2>/dev/null || true)
                [[ -n $state || $((SECONDS - t0)) -ge 60 ]] && break
                kill -0 "$ct_nspawn" 2>/dev/null || break
                sleep 0.1
        done
        case $state in
        running) ;;
        degraded) ct_log "boot $ct_boots: degraded ($(ct systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' '))" ;;
        *) tail -n 20 "$ct_root.console.log" >&2; echo "FAIL: the container did not boot (state '$state')" >&2; return 1 ;;
        esac
        ct_log "boot $ct_boots: systemd up in $((SECONDS - t0)) s"
}

# ct CMD...: run CMD in every namespace of the container (as root), with a clean environment,
# at most 120 s.
ct() {
        timeout 120 nsenter -t "$ct_leader" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"
}
# ct_as USER CMD...: the same as an unprivileged user of the container.
ct_as() {
        local user=$1; shift
        timeout 120 nsenter -t "$ct_leader" -a setpriv --reuid="$user" --regid="$user" --init-groups \
                env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/tmp "$@"
}

# ct_stop: power the container off (SIGTERM to nspawn asks systemd to shut down), <= 30 s, then kill.
ct_stop() {
        [[ -n $ct_nspawn ]] || return 0
        kill -TERM "$ct_nspawn" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$ct_nspawn" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$ct_nspawn" 2>/dev/null; then
                # SIGKILL to the container's PID 1 ends its whole PID namespace; nspawn then exits.
                ct_log "the container did not stop in 30 s: killing its PID 1 ($ct_leader) and systemd-nspawn $ct_nspawn"
                [[ -n $ct_leader ]] && kill -KILL "$ct_leader" 2>/dev/null
                sleep 1
                kill -KILL "$ct_nspawn" 2>/dev/null || true
        fi
        wait "$ct_nspawn" 2>/dev/null || true
        ct_nspawn='' ct_leader=''
}

# ct_reboot NAME: shut down and boot the same tree again (a new network namespace: every net.*
# sysctl starts from the kernel's default, as after a real reboot).
ct_reboot() { ct_stop; ct_boot "$1"; }

# ct_wait_inactive UNIT SECONDS: until UNIT is inactive (its process exited), bounded.
ct_wait_inactive() {
        local i
        for ((i = 0; i < $2 * 2; i++)); do
                [[ $(ct systemctl show -p ActiveState --value "$1") == inactive ]] && return 0
                sleep 0.5
        done
        return 1
}
