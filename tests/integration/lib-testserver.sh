# Sourced by the tests that run the injecting test server (tests/servers/skytune-testserver), after
# `build=$1 src=$2`: lib-test.sh, and start_testserver NAME ARGS... which sets port and pid (the
# server prints its port on stdout when it listens; 127.0.0.1 only, --lifetime 60 unless given).
source "$src/tests/integration/lib-test.sh"
skytune=${SKYTUNE:-$build/cli/skytune}
server=${SKYTUNE_TESTSERVER:-$build/tests/skytune-testserver}
[[ -x $server ]] || { echo "SKIP: no test server at $server (built with the tests)"; exit 77; }
start_testserver() {
        local name=$1
        shift
        "$server" --lifetime 60 "$@" >"$tmp/$name.port" &
        pid=$!
        pids+=("$pid")
        for _ in $(seq 100); do [[ -s "$tmp/$name.port" ]] && break; sleep 0.05; done
        [[ -s "$tmp/$name.port" ]] || fail "test server $name did not start"
        port=$(head -1 "$tmp/$name.port")
}
