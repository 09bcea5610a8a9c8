# Sourced by the tests that send load to a real nginx (after `build=$1`): skips (77) without nginx or
# jq, makes $tmp (removed at exit, with the nginx started here) and defines fail and start_nginx.
skytune=${SKYTUNE:-$build/cli/skytune}
command -v nginx >/dev/null || { echo "skipped: needs nginx (apt-get install nginx)"; exit 77; }
command -v jq >/dev/null || { echo "skipped: needs jq"; exit 77; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
        [[ -s "$tmp/nginx.pid" ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_nginx LOG_FORMAT SERVER_BODY: one worker on 127.0.0.1:$port (a free port, set here), the
# access log in $tmp/access.log with LOG_FORMAT, SERVER_BODY inside its server { } block.
start_nginx() {
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
  log_format test '$1';
  access_log $tmp/access.log test;
  client_body_temp_path $tmp/body; proxy_temp_path $tmp/proxy; fastcgi_temp_path $tmp/fcgi;
  uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
  server { listen 127.0.0.1:$port; $2 }
}
CONF
        nginx -c "$tmp/nginx.conf" -p "$tmp" -g 'daemon on;' || fail "nginx did not start (see $tmp/error.log)"
        for _ in $(seq 50); do [[ -s "$tmp/nginx.pid" ]] && break; sleep 0.1; done
}
