# Sourced by the http probe tests (after `build=$1 src=$2`): a temporary directory and the test
# servers (tests/integration/probe/server.py, 127.0.0.1 only) are removed when the test exits.
skytune=${SKYTUNE:-$build/cli/skytune}
source "$src/tests/integration/lib-test.sh"

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
