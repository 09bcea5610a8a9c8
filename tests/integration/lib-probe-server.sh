# Sourced by the http probe tests (after `build=$1 src=$2`): a temporary directory and the test
# servers (tests/integration/probe/server.py, 127.0.0.1 only) are removed when the test exits.
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# within VALUE LO HI
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# start_server NAME ARGS...: sets port, and log ($tmp/NAME.log, a JSON line per request received).
start_server() {
        local name=$1
        shift
        log=$tmp/$name.log
        python3 "$src/tests/integration/probe/server.py" --port-file "$tmp/$name.port" --lifetime 60 \
                --log "$log" "$@" &
        pids+=($!)
        for _ in $(seq 100); do [[ -s "$tmp/$name.port" ]] && break; sleep 0.05; done
        [[ -s "$tmp/$name.port" ]] || fail "test server $name did not start"
        port=$(cat "$tmp/$name.port")
        touch "$log"
}
