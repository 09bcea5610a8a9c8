#!/usr/bin/env bash
# skytune-monitor's JSON API (docs/api.md) against a running daemon on a fixture sysroot and a
# store filled by tests/tools/store-fill: /api/v1/query's buckets equal `skytune monitor query`'s
# for every tier (1 h and 10 min rollups, 7 s from the chunks and the log), and a range up to now
# is answered from the ring before any flush, without a gap; /current is the last tick's values;
# /series lists the store's and the live series; /alerts a firing rule and its event; /health the
# collectors and the store; /transactions, with no system bus, an empty list that says why; bad
# arguments are 400 naming the argument (a query reading too many samples too); a page of another
# site is 403; answers held for clients that do not read are 503 past 8 MiB; HEAD has GET's length and no body; a body is 413 at the
# head (32 clients sending one slowly hold no slot); 32 slow
# clients do not keep a scrape out (it gets a slot within a wake-up) and are closed at the 5 s
# deadline; with api_token_file every request needs the token (401 otherwise; a reload reads it
# again), and a token file others may read stops the start at file:line; as root, 192.0.2.1 and
# 0.0.0.0 in a network namespace of the test's own ask for the token and check no Host.
set -euo pipefail
build=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sky=${SKYTUNE:-$build/cli/skytune}
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
command -v curl >/dev/null || { echo "SKIP: curl missing (scripts/install-deps.sh --test)"; exit 77; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
fixture=$src/tests/fixtures/captured-vm
free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {
        for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1: $(cat "$1")"
}
# get PATH?QUERY [CODE]: the body into $tmp/out, the status checked (200 by default).
get() {
        local code
        code=$(curl -s -o "$tmp/out" -w '%{http_code}' "$url$1") || true
        [ "$code" = "${2:-200}" ] || fail "GET $1: $code, want ${2:-200}: $(head -c 600 "$tmp/out")"
}

store=$tmp/m.db
"$build/tests/store-fill" "$store" 2 || fail "store-fill"
mkdir "$tmp/alerts"
cat >"$tmp/alerts/t.conf" <<'RULES'
rules = (
  { name = "FixtureMemory"; expr = "memory.used_pct"; warn = 1; crit = 99; labels = { team = "ops"; }; },
  { name = "Later"; expr = "memory.used_pct"; warn = 1; for = "1h"; }
);
RULES
port=$(free_port)
# flush = 1 h: everything the daemon samples in this test is in its ring, none in the store yet (10 s
# was not enough for an ASan build on a busy host). The filled points are of 2026-12-04: the 1 s
# chunks kept 30 days, not 2, so that retention keeps them.
printf 'flush = "1h";\nlisten = "127.0.0.1:%s";\nretention = { seconds = { age = "30d"; }; };\n' "$port" >"$tmp/m.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus "$mon" --config "$tmp/m.conf" --sysroot "$fixture" --store "$store" \
        --interval 0.2 --alerts "$tmp/alerts" 2>"$tmp/m.log" &
pids+=($!)
wait_for "$tmp/m.log" "sampling every 0.2 s"
sleep 1.5
url=http://127.0.0.1:$port

# --- /api/v1/query against the store's own query, tier by tier
for step in 1h 10m 7s; do
        "$sky" monitor query cpu.busy --store "$store" --since 2h --until 2026-12-04T02:00:00Z --step $step --json \
                >"$tmp/cli-$step.json" || fail "monitor query --step $step"
        get "/api/v1/query?series=cpu.busy&series=mem.used&from=2026-12-04T00:00:00Z&to=1796349600000&step=$step"
        python3 - "$tmp/out" "$tmp/cli-$step.json" $step <<'PY' || fail "query step $step: $(head -c 800 "$tmp/out")"
import json, sys, datetime
d, cli = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
step = {"1h": 3600000, "10m": 600000, "7s": 7000}[sys.argv[3]]
assert d["schema"] == "skytune.monitor-range/1" and d["step"] == step, d
assert d["from"] % step == 0 and d["to"] % step == 0 and d["from"] <= 1796342400000 < d["from"] + step, d
names = [s["name"] for s in d["series"]]
assert names == ["cpu.busy", "mem.used"], names
pts = d["series"][0]["points"]
def ms(iso):
    return int(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
rows = [b for b in cli["buckets"] if ms(b["t"]) >= d["from"]]
assert len(pts) == len(rows) > 0, (len(pts), len(rows))
for p, b in zip(pts, rows):
    t, lo, mean, hi, n = p
    assert t == ms(b["t"]) and n == b["count"], (p, b)
    assert abs(lo - b["min"]) < 1e-9 and abs(hi - b["max"]) < 1e-9 and abs(mean - b["avg"]) < 0.0051, (p, b)
mem = d["series"][1]["points"]
assert all(type(p[1]) is int and type(p[3]) is int for p in mem), mem[:3]   # scale 0: integers
PY
done

# --- a range up to now: the ring's samples (no flush yet) with no gap, the last one /current's
"$sky" monitor query memory.used_pct --store "$store" --since 1h --step 1m --json >"$tmp/none.json" 2>/dev/null || true
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["buckets"]==[], d' "$tmp/none.json" 2>/dev/null ||
        fail "the store holds samples of this run already (flush 1h): $(cat "$tmp/none.json")"
# The range and /current of one tick (up to 5 tries: a busy host can put a tick between the two
# requests, and memory.used_pct moves meanwhile).
for _ in 1 2 3 4 5; do
        get "/api/v1/query?series=memory.used_pct&from=-1s&step=200"
        cp "$tmp/out" "$tmp/live.json"
        get "/api/v1/current?prefix=memory."
        cp "$tmp/out" "$tmp/cur.json"
        python3 -c 'import json, sys
q, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(c["t"] != q["series"][0]["points"][-1][0])' "$tmp/live.json" "$tmp/cur.json" 2>/dev/null && break
done
get "/api/v1/current?prefix=monitor."
cp "$tmp/out" "$tmp/own.json"
python3 - "$tmp/live.json" "$tmp/cur.json" "$tmp/own.json" <<'PY' || fail "live query: $(cat "$tmp/live.json") / $(cat "$tmp/cur.json") / $(cat "$tmp/own.json")"
import json, sys
q, cur = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
missed = json.load(open(sys.argv[3]))["values"]["monitor.missed_total"]
pts = q["series"][0]["points"]
# No gap but the slots the daemon counts as missed (a tick late on a busy host), since its start.
steps = [b[0] - a[0] for a, b in zip(pts, pts[1:])]
assert all(d > 0 and d % 200 == 0 for d in steps), pts
skipped = sum(d // 200 - 1 for d in steps)
assert skipped <= missed and len(pts) + skipped >= 4, (pts, missed)
assert all(p[4] == 1 for p in pts), pts
assert cur["schema"] == "skytune.monitor-current/1" and cur["t"] % 200 == 0, cur
assert all(k.startswith("memory.") for k in cur["values"]) and len(cur["values"]) >= 3, cur
assert cur["t"] - pts[-1][0] <= 400, (cur["t"], pts[-1])
assert abs(cur["values"]["memory.used_pct"] - pts[-1][1]) < 0.006, (cur["values"], pts[-1])
PY

# --- /api/v1/series: the store's two and the live ones
get /api/v1/series
python3 - "$tmp/out" <<'PY' || fail "/api/v1/series: $(head -c 600 "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
by = {s["name"]: s for s in d["series"]}
assert by["cpu.busy"]["scale"] == 2 and by["mem.used"]["scale"] == 0 and "last" not in by["cpu.busy"], by["cpu.busy"]
assert by["memory.used_pct"]["unit"] == "percent" and by["memory.used_pct"]["last"] > 0, by["memory.used_pct"]
assert [s["name"] for s in d["series"]] == sorted(by), "not in name order"
PY

# --- /api/v1/alerts, /health, /transactions
get "/api/v1/alerts?history=1&since=-1h"
python3 - "$tmp/out" <<'PY' || fail "/api/v1/alerts: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
a = {x["name"]: x for x in d["alerts"]}
assert a["FixtureMemory"]["state"] == "firing" and a["FixtureMemory"]["severity"] == "warn", a
assert a["FixtureMemory"]["labels"] == {"team": "ops"} and abs(a["FixtureMemory"]["value"] - 1.95) < 0.01, a
assert a["Later"]["state"] == "pending" and a["Later"]["since"] <= d["t"], a
ev = [e for e in d["history"] if e["name"] == "FixtureMemory"]
assert ev and ev[0]["event"] == "firing" and ev[0]["level"] == "warn", d["history"]
assert abs(ev[0]["t"] - a["FixtureMemory"]["since"]) < 1000, (ev, a)
PY
get /api/v1/health
python3 - "$tmp/out" <<'PY' || fail "/api/v1/health: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.monitor-health/1" and d["status"] == "ok" and d["ticking"], d
assert d["collectors"]["cpu"]["up"] and d["collectors"]["memory"]["up"], d
assert d["store"]["write"]["ok"] and d["store"]["seal"]["ok"] and d["database"] is None, d
PY
get /api/v1/transactions
python3 - "$tmp/out" <<'PY' || fail "/api/v1/transactions: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["available"] is False and d["transactions"] == [] and "system bus" in d["why"], d
PY

# --- bad arguments: 400 naming the argument
for case in "query?series=cpu.busy&step=1w step" "query?series=cpu.busy&from=yesterday from" \
        "query?series=nope series" "query?series=cpu.busy&prefix=cpu prefix" "query?series=cpu.busy&stpe=1s stpe" \
        "query?series=cpu.busy&from=-3d&step=1s step" "query?series=cpu.busy&from=-2d&step=27648 step" "current?prefix=a&prefix=b prefix" \
        "alerts?history=yes history" "transactions?since=later since" "series?x=1 x" "query?series=cpu.busy&to=2026-13-01T00:00:00Z to" "query?series=%FFab series" \
        'series?%FE=1 \xfe' "query?series=cpu.busy%00junk (none)" "query?series=cpu.busy%zz (none)" \
        "query?series=cpu.busy&step=1%m (none)" \
        "query?series=cpu.busy$(printf '&s=%s' $(seq 64)) (none)"; do
        path=${case% *} arg=${case##* }
        get "/api/v1/$path" 400
        python3 - "$tmp/out" "$arg" <<'PY' || fail "$path: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["error"] and d.get("accepted"), d
assert d.get("argument") == (None if sys.argv[2] == "(none)" else sys.argv[2]), d
PY
done

# --- a page of another site: 403 (a browser sends its GETs, the daemon's loop pays for them)
for h in 'Sec-Fetch-Site: cross-site' 'Sec-Fetch-Site: same-site' 'Origin: http://evil.example' \
        "Origin: http://127.0.0.1:$((port + 1))"; do
        code=$(curl -s -o "$tmp/out" -w '%{http_code}' -H "$h" "$url/api/v1/current")
        [ "$code" = 403 ] && grep -q 'another site' "$tmp/out" || fail "'$h': $code $(cat "$tmp/out")"
done
for h in 'Sec-Fetch-Site: same-origin' 'Sec-Fetch-Site: none' "Origin: http://127.0.0.1:$port"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "$h" "$url/api/v1/current")
        [ "$code" = 200 ] || fail "'$h': $code"
done

# --- HEAD: GET's headers and length, no body (the cached /metrics and /current, and /query)
# /metrics and /current change at every tick: a HEAD between two GETs of the same length (one tick)
# has that length.
names() { sed -n 's/^\([A-Za-z-]*\):.*/\1/p' "$1" | grep -vix date | sort; }
for path in /metrics /api/v1/current "/api/v1/query?series=cpu.busy&from=1796342400000&to=1796349600000"; do
        for _ in $(seq 20); do
                curl -s -o "$tmp/get1.body" "$url$path"
                curl -s -I "$url$path" >"$tmp/head.h"
                curl -s -o "$tmp/get.body" -D "$tmp/get.h" "$url$path"
                [ "$(stat -c %s "$tmp/get1.body")" = "$(stat -c %s "$tmp/get.body")" ] && break
        done
        grep -q '^HTTP/1.1 200' "$tmp/head.h" || fail "HEAD $path: $(cat "$tmp/head.h")"
        len=$(sed -n 's/^Content-Length: \([0-9]*\).*/\1/ip' "$tmp/head.h")
        [ "$len" = "$(stat -c %s "$tmp/get.body")" ] || fail "HEAD $path: length $len, GET's $(stat -c %s "$tmp/get.body")"
        [ "$(names "$tmp/head.h")" = "$(names "$tmp/get.h")" ] ||
                fail "HEAD $path: headers $(names "$tmp/head.h" | tr '\n' ' '), GET's $(names "$tmp/get.h" | tr '\n' ' ')"
done
curl -s -X HEAD --max-time 3 -o "$tmp/headbody" "$url/api/v1/status" 2>/dev/null || true
[ ! -s "$tmp/headbody" ] || fail "HEAD sent a body"

# --- a body: 413
head -c 2000 /dev/zero | tr '\0' a >"$tmp/body"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X GET --data-binary @"$tmp/body" "$url/api/v1/health")
[ "$code" = 413 ] || fail "a 2000-byte body: $code"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X GET --data-binary 'a=1' "$url/api/v1/health")
[ "$code" = 413 ] || fail "a 3-byte body: $code"
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X GET -H 'Transfer-Encoding: chunked' --data-binary 'a' "$url/api/v1/health")
[ "$code" = 413 ] || fail "a chunked body: $code"

# --- 32 clients with a whole head announcing a body they send a byte at a time: refused at the
# head (413), they hold no slot, and a scrape gets its answer at once
python3 - "$port" <<'PY' || fail "slow bodies held the API"
import socket, sys, time, urllib.request
port = int(sys.argv[1])
slow = []
for _ in range(32):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n")
    slow.append(s)
for s in slow:
    s.settimeout(3)
    assert s.recv(12) == b"HTTP/1.1 413", "no 413 at the head"
for _ in range(2):
    time.sleep(1)
    for s in slow:
        try:
            s.send(b"a")
        except OSError:
            pass
t = time.time()
body = urllib.request.urlopen("http://127.0.0.1:%d/api/v1/health" % port, timeout=15).read()
waited = time.time() - t
assert b'"status"' in body and waited < 1.5, waited
print("a scrape past 32 slow bodies: %.2f s" % waited)
PY

# --- answers held for clients that do not read: past 8 MiB of them, 503 (Retry-After), and
# small answers still pass; once those clients go, the same query is answered again
python3 - "$port" <<'PY' || fail "answers held for slow readers"
import socket, sys, time, urllib.request, urllib.error
port = int(sys.argv[1])
q = "/api/v1/query?series=cpu.busy&series=mem.used&from=2026-12-04T00:00:00Z&to=1796349600000&step=1s"
size = len(urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, q), timeout=15).read())
n = (8 << 20) // size + 2
assert n <= 28, "the answer is too small to fill 8 MiB with 28 connections: %d bytes" % size
held = []
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % q).encode())
    held.append(s)
time.sleep(1)
try:
    urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, q), timeout=15)
    assert False, "answered with %d answers of %d bytes held" % (n, size)
except urllib.error.HTTPError as e:
    assert e.code == 503 and e.headers["Retry-After"] == "1", (e.code, e.headers)
assert b'"status"' in urllib.request.urlopen("http://127.0.0.1:%d/api/v1/health" % port, timeout=15).read()
for s in held:
    s.close()
time.sleep(0.5)
assert len(urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, q), timeout=15).read()) > 0
print("%d answers of %d bytes held: the next is 503, /health still served" % (n, size))
PY

# --- 32 slow clients (half a request head each): a scrape behind them gets a slot at the next
# wake-up (the one waiting longest for its head is closed at the limit), and the deadline (5 s)
# closes the rest
python3 - "$port" <<'PY' || fail "slow clients held the API"
import socket, sys, time, urllib.request
port = int(sys.argv[1])
slow = []
for _ in range(32):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    slow.append(s)
start = time.time()
time.sleep(0.5)
t = time.time()
body = urllib.request.urlopen("http://127.0.0.1:%d/api/v1/health" % port, timeout=15).read()
waited = time.time() - t
assert b'"status"' in body and waited < 3, waited
closed = 0
for s in slow:
    s.settimeout(max(0.1, start + 8 - time.time()))
    try:
        closed += s.recv(100) == b""
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
assert closed == 32, closed
print("a scrape past 32 slow clients: %.1f s; all 32 closed within %.1f s" % (waited, time.time() - start))
PY

# --- api_token_file: every request needs the token; a file others may read stops the start
umask 077
echo "t0ken-$RANDOM" >"$tmp/token"
token=$(cat "$tmp/token")
p2=$(free_port)
printf 'listen = "127.0.0.1:%s";\napi_token_file = "token";\ninterval = 2;\n' "$p2" >"$tmp/t.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus "$mon" --config "$tmp/t.conf" --sysroot "$fixture" --store "$tmp/t.db" \
        --alerts "$tmp/alerts" 2>"$tmp/t.log" &
pids+=($!)
wait_for "$tmp/t.log" "every request must send the token"
u2=http://127.0.0.1:$p2
code=$(curl -s -o "$tmp/out" -D "$tmp/h" -w '%{http_code}' "$u2/api/v1/health")
[ "$code" = 401 ] && grep -qi '^WWW-Authenticate: Bearer' "$tmp/h" || fail "no token: $code $(cat "$tmp/h")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$u2/api/v1/health")
[ "$code" = 200 ] || fail "Bearer: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$u2/api/v1/current?token=$token")
[ "$code" = 200 ] || fail "?token=: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$u2/api/v1/current?prefix=cpu.&token=$(printf %s "$token" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')")
[ "$code" = 200 ] || fail "?token= %-escaped: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$u2/api/v1/current?TOKEN=$token")
[ "$code" = 401 ] || fail "?TOKEN= (keys are case-sensitive): $code"
for bad in "${token}x" "${token%?}" ""; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bad" "$u2/metrics")
        [ "$code" = 401 ] || fail "a wrong token '$bad': $code"
done
# A reload reads the file again: the old token no longer passes, the new one does.
echo "n3w-$RANDOM" >"$tmp/token"
kill -HUP "${pids[1]}"
wait_for "$tmp/t.log" "configuration reloaded"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$u2/metrics")
[ "$code" = 401 ] || fail "the old token after a reload: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$tmp/token")" "$u2/metrics")
[ "$code" = 200 ] || fail "the new token after a reload: $code"
chmod 644 "$tmp/token"
rc=0
"$mon" --config "$tmp/t.conf" --sysroot "$fixture" --store "$tmp/t2.db" --duration 1 2>"$tmp/t2.log" || rc=$?
[ $rc = 1 ] && grep -q "t.conf:2: 'api_token_file'.*chmod 600" "$tmp/t2.log" || fail "a 0644 token file: $rc $(cat "$tmp/t2.log")"
# --- a non-loopback address, in a network namespace of this test's own (root only): 192.0.2.1
# (TEST-NET-1) on its lo, and 0.0.0.0, which there means its addresses alone. The token is asked,
# and no Host check applies.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        chmod 600 "$tmp/token"
        token=$(cat "$tmp/token")
        for addr in 192.0.2.1 0.0.0.0; do
                printf 'listen = "%s:9677";\napi_token_file = "token";\napp_socket = "off";\n' "$addr" >"$tmp/ns.conf"
                unshare -n bash -s "$mon" "$tmp" "$fixture" "$token" <<'NS' || fail "listen = $addr:9677 in a namespace"
set -euo pipefail
mon=$1 tmp=$2 fixture=$3 token=$4
ip link set lo up && ip addr add 192.0.2.1/32 dev lo
"$mon" --config "$tmp/ns.conf" --sysroot "$fixture" --store "$tmp/ns.db" --duration 20 2>"$tmp/ns.log" &
pid=$!
for _ in $(seq 100); do grep -q "every request must send the token" "$tmp/ns.log" && break; sleep 0.1; done
u=http://192.0.2.1:9677/api/v1/health
code=$(curl -s -o /dev/null -w '%{http_code}' "$u")
[ "$code" = 401 ] || { echo "no token: $code $(cat "$tmp/ns.log")" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Host: monitor.example:9677' "$u")
[ "$code" = 200 ] || { echo "token and a foreign Host: $code" >&2; exit 1; }
kill -TERM $pid
wait $pid
NS
        done
        rm -f "$tmp/ns.db"
        echo "non-loopback listeners: checked in a network namespace"
else
        echo "non-loopback listeners: not checked (needs root and unshare -n)"
fi

for p in "${pids[@]}"; do
        kill -TERM "$p"
        rc=0
        wait "$p" || rc=$?
        [ $rc = 0 ] || fail "skytune-monitor $p: exit $rc after SIGTERM"
done
pids=()
echo PASS
