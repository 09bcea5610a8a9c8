# shellcheck shell=bash
# Support for tests/integration/test-helper-*.sh and bench-helper: a private system bus with its own
# configuration and service directory, a real polkitd on it, and a fixture sysroot for the helper.
# The bus activates skytune-helper itself (the tests never start it).
#
#   source lib-helper-bus.sh; bus_setup BUILD SRC [FIXTURE]     # exports DBUS_SYSTEM_BUS_ADDRESS
#   bus_activation [EXTRA HELPER ARGS...]                        # (re)writes the activation file
#   bus_teardown                                                 # from the EXIT trap
#
# polkitd: Debian 12's /usr/lib/polkit-1/polkitd runs on any bus named by DBUS_SYSTEM_BUS_ADDRESS. It
# reads actions only from /usr/share/polkit-1/actions and rules from /etc/polkit-1/rules.d, so it
# runs in a mount namespace of its own where those two are bind mounts of this run's directories:
# the skytune action file and the test's rules reach this polkitd only, and the host's directories
# are never written (concurrent runs and the packaging tests cannot see each other's files). polkitd
# runs as root here; the test bus lets root own its name.

# The names come from their one home, common/helper-bus.h (`#define NAME "value"` lines).
bus_header_value() {
        local header value
        header=$(dirname "${BASH_SOURCE[0]}")/../../common/helper-bus.h
        value=$(sed -n "s/^#define $1 \"\(.*\)\"\$/\1/p" "$header")
        [[ -n $value ]] || { echo "FAIL: no #define $1 in $header" >&2; exit 1; }
        printf '%s\n' "$value"
}
BUS_NAME=$(bus_header_value HELPER_BUS_NAME)
BUS_PATH=$(bus_header_value HELPER_BUS_PATH)
BUS_IFACE=$(bus_header_value HELPER_BUS_IFACE)

bus_fail() { echo "FAIL: $*" >&2; exit 1; }

bus_setup() {
        BUS_BUILD=$(realpath "$1") BUS_SRC=$(realpath "$2")
        local fixture=${3:-$BUS_SRC/tests/fixtures/helper-host}
        HELPER=${SKYTUNE_HELPER:-$BUS_BUILD/helper/skytune-helper}
        SKYTUNE=${SKYTUNE:-$BUS_BUILD/cli/skytune}
        [[ -x $HELPER ]] || bus_fail "no helper binary at $HELPER"
        [[ $(id -u) -eq 0 ]] || { echo "SKIP: the helper tests need root (they start polkitd and the helper)"; exit 77; }
        command -v dbus-daemon >/dev/null || bus_fail "dbus-daemon missing (apt-get install dbus-daemon)"
        [[ -x /usr/lib/polkit-1/polkitd ]] || bus_fail "polkitd missing (apt-get install polkitd)"
        BUS_TMP=$(mktemp -d /tmp/skytune-bus.XXXXXX)
        chmod 0755 "$BUS_TMP"
        mkdir -p "$BUS_TMP/services" "$BUS_TMP/state" "$BUS_TMP/root"
        cp -a "$fixture/." "$BUS_TMP/root/"
        ROOT=$BUS_TMP/root STATE=$BUS_TMP/state
        # The tests also run skytune as other users (nobody, a group member): a build below a directory
        # they cannot enter (a clone in a 0700 mktemp -d) is run from a copy they can reach.
        if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SKYTUNE" 2>/dev/null; then
                mkdir -p "$BUS_TMP/bin"
                cp "$SKYTUNE" "$BUS_TMP/bin/skytune"
                chmod 0755 "$BUS_TMP/bin" "$BUS_TMP/bin/skytune"
                SKYTUNE=$BUS_TMP/bin/skytune
        fi
        BUS_RULES=0
        trap bus_teardown EXIT

        cat >"$BUS_TMP/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$BUS_TMP/bus</listen>
  <servicedir>$BUS_TMP/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- polkitd runs as root in the tests (packaged, it runs as the polkitd user). -->
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
  <include>$BUS_SRC/packaging/io.skysentinel.SkyTune1.conf</include>
</busconfig>
CONF
        export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_TMP/bus
        bus_activation
        # Not forked, so that activated helpers inherit its stderr: their log ends up in bus.log.
        dbus-daemon --config-file="$BUS_TMP/bus.conf" --nofork --nopidfile >"$BUS_TMP/bus.log" 2>&1 &
        BUS_PID=$!
        for _ in $(seq 200); do [[ -S $BUS_TMP/bus ]] && break; sleep 0.02; done
        [[ -S $BUS_TMP/bus ]] || bus_fail "dbus-daemon did not start: $(cat "$BUS_TMP/bus.log")"
        polkit_start
}

polkit_start() {
        local dir=$BUS_TMP/polkit
        if [[ ! -d $dir ]]; then
                mkdir -p "$dir/actions" "$dir/rules.d"
                cp /usr/share/polkit-1/actions/*.policy "$dir/actions/" 2>/dev/null || true
                install -m 0644 "$BUS_SRC/packaging/io.skysentinel.skytune.policy" "$dir/actions/"
                mkdir -p /etc/polkit-1/rules.d
        fi
        # exec all the way down: POLKIT_PID is polkitd's own (test-helper-busy stops it).
        unshare --mount --propagation private sh -c 'mount --bind "$1" /usr/share/polkit-1/actions &&
                mount --bind "$2" /etc/polkit-1/rules.d && exec /usr/lib/polkit-1/polkitd --no-debug' \
                sh "$dir/actions" "$dir/rules.d" >"$BUS_TMP/polkitd.log" 2>&1 &
        POLKIT_PID=$!
        for _ in $(seq 200); do
                busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && return 0
                sleep 0.02
        done
        bus_fail "polkitd did not take its name: $(cat "$BUS_TMP/polkitd.log")"
}

polkit_stop() {
        [[ -n ${POLKIT_PID:-} ]] || return 0
        kill "$POLKIT_PID" 2>/dev/null; wait "$POLKIT_PID" 2>/dev/null || true
        POLKIT_PID=
}

# A polkit rules file (RULE [ORDER], files are read in name order) in this run's rules directory;
# polkitd notices new files by itself, reloads all of them and then sends Authority.Changed on the
# bus (with --no-debug it prints nothing): that signal is waited for. The file is written aside and
# moved in, so that the one reload it causes reads it whole.
polkit_rule() {
        local f=$BUS_TMP/polkit/rules.d/${2:-49}-skytune-test-$((BUS_RULES++)).rules
        local log=$BUS_TMP/polkit-changed.log mon
        local match="type='signal',sender='org.freedesktop.PolicyKit1',interface='org.freedesktop.PolicyKit1.Authority',member='Changed'"
        printf '%s\n' "$1" >"$BUS_TMP/polkit/rule.tmp"
        # No polkitd running (it reads the file when it starts) or no dbus-monitor: a pause, as before.
        if [[ -z ${POLKIT_PID:-} ]] || ! command -v dbus-monitor >/dev/null; then
                mv "$BUS_TMP/polkit/rule.tmp" "$f"
                sleep 0.3
                return 0
        fi
        dbus-monitor --system "$match" >"$log" 2>&1 &
        mon=$!
        # Its match is in place once it prints the NameAcquired it reads after adding it.
        for _ in $(seq 500); do grep -q 'member=NameAcquired' "$log" && break; sleep 0.02; done
        grep -q 'member=NameAcquired' "$log" ||
                { kill "$mon"; wait "$mon" 2>/dev/null; bus_fail "dbus-monitor did not start in 10 s: $(cat "$log")"; }
        mv "$BUS_TMP/polkit/rule.tmp" "$f"
        for _ in $(seq 500); do grep -q 'member=Changed' "$log" && break; sleep 0.02; done
        kill "$mon"; wait "$mon" 2>/dev/null || true
        grep -q 'member=Changed' "$log" ||
                bus_fail "polkitd did not reload its rules within 10 s of $f: $(cat "$BUS_TMP/polkitd.log")"
}

# The activation file: Exec= runs the build's helper on the fixture copy. Extra args are appended.
bus_activation() {
        local asan=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
        cat >"$BUS_TMP/services/$BUS_NAME.service" <<SVC
[D-BUS Service]
Name=$BUS_NAME
Exec=/usr/bin/env ASAN_OPTIONS=$asan SKYTUNE_SYSROOT=/nonexistent $HELPER --sysroot $ROOT --state-dir $STATE --idle-timeout ${BUS_IDLE:-2} --log-target console${*:+ $*}
User=root
SVC
        if [[ -n ${BUS_PID:-} ]]; then
                busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null
        fi
}

bus_teardown() {
        local rc=$?
        helper_wait_exit 5 2>/dev/null || true
        polkit_stop
        [[ -n ${BUS_PID:-} ]] && { kill "$BUS_PID" 2>/dev/null; wait "$BUS_PID" 2>/dev/null; }
        if [[ $rc -ne 0 && -n ${BUS_TMP:-} ]]; then
                echo "--- bus and helper log" >&2; tail -n 80 "$BUS_TMP/bus.log" >&2
        fi
        [[ -n ${BUS_TMP:-} ]] && rm -rf "$BUS_TMP"
        exit $rc
}

helper_pid() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s "$BUS_NAME" 2>/dev/null | awk '{print $2}'
}

# Wait until no process owns the helper's name (it exited on idle), at most $1 seconds.
helper_wait_exit() {
        local limit=${1:-10} i
        for ((i = 0; i < limit * 20; i++)); do
                busctl --system status "$BUS_NAME" >/dev/null 2>&1 || { pgrep -f "state-dir $STATE" >/dev/null || return 0; }
                sleep 0.05
        done
        return 1
}

# SIGTERM to the running helper (if any), then wait until it is gone.
helper_stop() {
        local pid
        pid=$(helper_pid)
        [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
        helper_wait_exit 10
}

hcall() { busctl --system --timeout=30 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@"; }
# JSON out of a busctl "s" reply.
hjson() { busctl --system --timeout=30 --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@" | jq -r '.data[0]'; }

# Content of every file in the fixture copy (scheduler files normalized to the selected word, since a
# regular file cannot imitate sysfs's "[x]" read-back), one line per file: the "nothing written" and
# "restored byte for byte" checks compare these.
tree_state() {
        (cd "$ROOT" && find . -type f -o -type d | LC_ALL=C sort | while read -r f; do
                if [[ -d $f ]]; then echo "dir $f"; continue; fi
                case $f in
                */queue/scheduler) printf '%s %s\n' "$f" "$(awk '{ if (match($0, /\[[^]]*\]/)) print substr($0, RSTART + 1, RLENGTH - 2); else print }' "$f")" ;;
                *) printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-16)" ;;
                esac
        done)
}

journal_count() { find "$STATE/tx" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l; }

# A plan from "kind key value" lines on stdin.
make_plan() {
        local persist=${1:-false}
        jq -Rn --argjson persist "$persist" '{schema: "skytune.plan/1", persist: $persist, policy: "test",
                changes: [inputs | select(length > 0) | split(" ") | {kind: .[0], key: .[1], proposed: (.[2:] | join(" ")),
                          rule: "test", reason: "test"}]}'
}
# Run a command that must fail; print its output (stdout and stderr). Returns 1 if it succeeded.
must_fail() {
        local out
        if out=$("$@" 2>&1); then
                echo "$out"
                return 1
        fi
        echo "$out"
}
